// model-engine.js — the feed's model file loaded in one headless engine (the same C engine,
// compiled to wasm, that pages run). What the server cuts from the model — window files
// (model-file.js) and profile tiles (tiles.js) — comes from this one instance, so a network
// holds one copy of its model in memory and a model that does not fit is reported one way.

import { createPredictor } from '../flowcast.js';
import { HttpError } from './http.js';

/** @typedef {import('../flowcast.js').Predictor} Predictor */
/** @typedef {{ json: string, etag: string }} NetworkBody */
/** @typedef {{ body: Buffer, etag: string }} ModelBody */

export class ModelEngine {
  /** @type {string | null} network and model ETags of the engine */
  #key = null;
  /** @type {Promise<Predictor> | null} */
  #engine = null;
  /** @type {Set<() => void>} */
  #onChange = new Set();

  /**
   * The engine holding `model` for `network`, made on first use and again when either changes
   * (the old one is disposed); 409 MODEL_MISMATCH when the model file does not fit the network,
   * tried again on the next call (the file may be rewritten).
   * @param {NetworkBody} network
   * @param {ModelBody} model
   * @returns {Promise<Predictor>}
   */
  get(network, model) {
    const key = `${network.etag}/${model.etag}`;
    if (this.#key !== key) {
      const old = this.#engine;
      this.#key = key;
      const engine = (async () => {
        // an hour of history is all the cutting needs: the engine never forecasts here
        const p = await createPredictor({ network: network.json, config: { historyS: 3600 } });
        const r = p.loadModel(model.body);
        if (!r.ok) {
          p.dispose();
          throw new HttpError(409, 'MODEL_MISMATCH', `the feed's model file does not fit its network: ${r.message}`);
        }
        return p;
      })();
      engine.catch(() => { if (this.#engine === engine) { this.#key = null; this.#engine = null; } });
      this.#engine = engine;
      old?.then((p) => p.dispose(), () => {});
      for (const f of this.#onChange) f();
    }
    return /** @type {Promise<Predictor>} */ (this.#engine);
  }

  /** Calls `f` whenever the engine is replaced (a new network or model): what was cut from the
   * old one is stale. @param {() => void} f */
  onChange(f) {
    this.#onChange.add(f);
  }

  close() {
    this.#engine?.then((p) => p.dispose(), () => {});
    this.#engine = null;
    this.#key = null;
    for (const f of this.#onChange) f();
  }
}
