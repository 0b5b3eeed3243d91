// tiles.js — history profile tiles for GET /api/v1/profiles/<group>/<daytype>.
//
// The time-of-day profiles are the "denormalised" history: per sensor, per day type, per slot of
// the local day, the running sums and counts the model's profile keeps. The server cuts them
// into one binary tile per sensor group (corridor; "~rest" for sensors in no corridor) and day
// type (format: c/src/tile.h), so a page can hold only the tiles its forecast needs under a byte
// cap (web/flowcast.js useProfileTiles). The tiles are exported by the same C engine, compiled to
// wasm and run here in Node, from the folder's model file: the bytes are exactly what the engine
// validates, and a refetched tile is byte-identical (a strong ETag of its content). The engine is
// the feed's one ModelEngine (model-engine.js), shared with the window files.
import { strongEtag } from './formats.js';
import { HttpError } from './http.js';

export const DAYTYPES = ['weekday', 'weekend'];

/**
 * Tiles of one (network, model) pair, built on first request and kept: at most groups x 2
 * tiles, each of a few hundred kilobytes for a 100-sensor corridor. A new network or model
 * (different ETags) replaces the whole set.
 */
export class ProfileTiles {
  /** @type {Map<string, { body: Buffer, etag: string }>} */
  #tiles = new Map();

  /** @param {import('./model-engine.js').ModelEngine} engine the feed's model engine */
  constructor(engine) {
    this.engine = engine;
    engine.onChange(() => this.#tiles.clear());
  }

  /**
   * The tile and its ETag. Throws HttpError: 400 BAD_DAYTYPE, 404 UNKNOWN_GROUP, 409 MODEL_MISMATCH.
   * @param {{ json: string, etag: string }} network
   * @param {{ body: Buffer, etag: string }} model
   * @param {string} group
   * @param {string} daytype
   */
  async tile(network, model, group, daytype) {
    if (!DAYTYPES.includes(daytype)) throw new HttpError(400, 'BAD_DAYTYPE', `day type must be one of ${DAYTYPES.join(', ')}`);
    const p = await this.engine.get(network, model);
    const key = `${group}/${daytype}`;
    let t = this.#tiles.get(key);
    if (!t) {
      const groups = p.tileGroups();
      if (!groups.includes(group)) {
        throw new HttpError(404, 'UNKNOWN_GROUP', `no sensor group ${JSON.stringify(group)}: the groups are ${groups.join(', ')}`);
      }
      const body = Buffer.from(p.profileTile(group, /** @type {'weekday' | 'weekend'} */ (daytype)));
      t = { body, etag: strongEtag(body) };
      this.#tiles.set(key, t);
    }
    return t;
  }

  /**
   * The model file without its profiles (GET /api/v1/model?profiles=0: what an engine in tile
   * mode needs), cut by the engine and kept with the tiles of the same model.
   * @param {{ json: string, etag: string }} network
   * @param {{ body: Buffer, etag: string }} model
   */
  async modelWithoutProfiles(network, model) {
    const p = await this.engine.get(network, model);
    let t = this.#tiles.get('model');
    if (!t) {
      const body = Buffer.from(p.saveModel({ profiles: false }));
      t = { body, etag: strongEtag(body) };
      this.#tiles.set('model', t);
    }
    return t;
  }

  /** The groups of the current model's network (for the index), or null before the first tile. */
  async groups(/** @type {{ json: string, etag: string }} */ network, /** @type {{ body: Buffer, etag: string }} */ model) {
    return (await this.engine.get(network, model)).tileGroups();
  }
}
