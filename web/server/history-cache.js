// history-cache.js — built history bodies kept for start-up bursts: many pages open at once and
// ask for the same window, and the largest (672 h of Atlanta, ~63 MB) takes ~2 s to build.

import { strongEtag } from './formats.js';
import { buildHistory, historyBinary, historyJson } from './history.js';

/** Bytes of bodies kept; the oldest windows go first beyond it. */
const HISTORY_CACHE_BYTES = 160 * 1024 * 1024;

/** History bodies by window and encoding, valid until the next snapshot arrives. */
export class HistoryCache {
  /** @type {Map<string, { body: string|Buffer, etag: string }>} */
  #bodies = new Map();
  #bytes = 0;
  /** The latest snapshot's ts the bodies were built at. */
  #ts = NaN;

  /**
   * The history body of the last `hours` up to `latest`, built on a miss.
   * @param {import('./store.js').SnapshotStore} store
   * @param {import('./formats.js').Entry} latest the store's latest entry
   * @param {number} hours
   * @param {boolean} binary FCH1 instead of JSON
   * @returns {{ body: string|Buffer, etag: string }}
   */
  get(store, latest, hours, binary) {
    if (latest.ts_ms !== this.#ts) { // a new snapshot: every cached window is out of date
      this.#bodies.clear();
      this.#bytes = 0;
      this.#ts = latest.ts_ms;
    }
    const key = `${hours}/${binary ? 'bin' : 'json'}`;
    let cached = this.#bodies.get(key);
    if (!cached) {
      const h = buildHistory(store.network, latest, hours);
      const body = binary ? historyBinary(h, store.network) : historyJson(h, store.network);
      cached = { body, etag: strongEtag(body) };
      this.#bodies.set(key, cached);
      this.#bytes += body.length;
      for (const [k, v] of this.#bodies) {
        if (this.#bytes <= HISTORY_CACHE_BYTES) break;
        this.#bodies.delete(k);
        this.#bytes -= v.body.length;
      }
    }
    return cached;
  }
}
