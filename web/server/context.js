// context.js — what the route plugins share: the snapshot source and its store, the served
// counter, the event-stream hub, the incidents, the folder's model file and the profile tiles cut from it.
// Each route plugin gets it as its `feed` option; state only one plugin needs stays in that plugin.

import { join } from 'node:path';
import { COST_PER_MIN, CostLimit } from './cost-limit.js';
import { HttpError } from './http.js';
import { createIncidents } from './incidents.js';
import { MODEL_FILE, ModelFile } from './model-file.js';
import { DEFAULT_DATASET } from './options.js';
import { ModelEngine } from './model-engine.js';
import { ProfileTiles } from './tiles.js';

export class FeedContext {
  /**
   * @param {import('./sources.js').Source} source
   * @param {import('./options.js').ServerOptions} opts
   */
  constructor(source, opts) {
    this.source = source;
    this.opts = opts;
    /** @type {(msg: string) => void} */
    this.log = opts.log ?? (() => {});
    this.started_ms = Date.now();
    /** Snapshots served (latest, catch-up, event stream), for /healthz. */
    this.served = 0;
    /** @type {import('./sse.js').SseHub | null} the stream routes' hub, once a client came */
    this.hub = null;
    /** @type {string[]} GET routes of the feed (API and /healthz), filled as they are registered (routes/methods.js) */
    this.apiPaths = [];
    // Replay and directory modes offer the model file of their folder; a relay has none.
    this.modelFile = new ModelFile(opts.upstream ? null : join(opts.dir ?? opts.dataset ?? DEFAULT_DATASET, MODEL_FILE));
    /** The incidents in force, checked by the network's engine (./incidents.js). */
    this.incidents = createIncidents(source, opts, opts.dataset ?? DEFAULT_DATASET);
    /** The cost-weighted limit of the heavy routes, per client address (./cost-limit.js). */
    this.cost = new CostLimit(opts.cost_limit ?? (opts.rate_limit === 0 ? 0 : COST_PER_MIN));
    /** The model file in one headless wasm engine, which the tiles and window files are cut from. */
    this.modelEngine = new ModelEngine();
    /** History profile tiles (./tiles.js). */
    this.profileTiles = new ProfileTiles(this.modelEngine);
  }

  /** The store, or 503 while a relay has not yet reached its upstream. */
  store() {
    if (!this.source.store) throw new HttpError(503, 'NOT_READY', 'the feed has not received its network yet');
    return this.source.store;
  }

  /** The latest entry, or 503 before the first snapshot. */
  latest() {
    const e = this.store().latest();
    if (!e) throw new HttpError(503, 'NO_SNAPSHOT', 'no snapshot has been received yet');
    return e;
  }

  /** Fresh for a tenth of the (real-time) interval: a CDN may hold it, never for long. @param {number} interval_s */
  maxAge(interval_s) {
    return Math.floor(Math.min(60, interval_s / this.source.speed / 10));
  }

  /**
   * Runs `fn` on the network and the model file, for the routes the profile tiles answer;
   * 404 without a model.
   * @template T
   * @param {(net: any, model: import('./model-file.js').ModelBody) => Promise<T>} fn
   * @returns {Promise<T>}
   */
  async withTiles(fn) {
    const m = await this.modelFile.load();
    if (!m) throw new HttpError(404, 'NO_MODEL', 'this feed offers no saved model, hence no profile tiles');
    return fn(this.store().network, m);
  }
}
