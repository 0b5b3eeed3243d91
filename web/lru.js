// lru.js — the C LRU cache (c/src/lru.h) as a JavaScript class over the shared wasm runtime.
//
// A narrow handle API: create, get/read, set, delete, stats, dispose, plus accessBatch, which
// runs a whole key stream inside wasm (what the benchmarks compare against the npm lru-cache).
// Keys are non-negative integers below 2^53; values are bytes, copied in and out.

import { FlowcastError, wasmRuntime } from './flowcast.js';
import { CACHE_STATS_BYTES, FC_OK, readCacheStats } from './engine/abi.js';

/**
 * @typedef {object} LruOptions
 * @property {number} maxEntries   capacity in entries
 * @property {number} maxBytes     capacity in value bytes (charged in whole chunks)
 * @property {number} [chunkBytes] value chunk size, a multiple of 4 in 8..65536 (default 8):
 *   pick it near the typical value size (lru.h explains the trade-off)
 * @property {string | URL} [wasmUrl]
 */

export class LruCache {
  /**
   * Creates a cache; everything it will ever use is allocated now.
   * @param {LruOptions} options
   * @returns {Promise<LruCache>}
   */
  static async create({ maxEntries, maxBytes, chunkBytes = 8, wasmUrl }) {
    const rt = await wasmRuntime(wasmUrl);
    const out = rt.malloc(8);
    try {
      const st = rt.x.fc_lru_create(maxEntries >>> 0, maxBytes >>> 0, chunkBytes >>> 0, out);
      if (st !== FC_OK) {
        throw new FlowcastError(rt.statusName(st), `LruCache: cannot create ${maxEntries} entries / ${maxBytes} bytes / chunks of ${chunkBytes}`);
      }
      return new LruCache(rt, rt.view.getUint32(out, true));
    } finally {
      rt.x.free(out);
    }
  }

  /**
   * Internal: use LruCache.create().
   * @param {any} rt  the runtime (web/flowcast.js)
   * @param {number} handle
   */
  constructor(rt, handle) {
    this.rt = rt;
    this.handle = handle;
    this.bufCap = 256;
    this.buf = rt.malloc(this.bufCap);
    /** @type {Uint8Array | null} a view kept until the memory grows */
    this.mem = null;
  }

  #u8() {
    if (!this.mem || this.mem.buffer !== this.rt.memory.buffer) this.mem = new Uint8Array(this.rt.memory.buffer);
    return this.mem;
  }

  #live() {
    if (!this.handle) throw new FlowcastError('E_DISPOSED', 'this LruCache has been disposed');
  }

  /** @param {number} bytes */
  #reserve(bytes) {
    if (bytes <= this.bufCap) return;
    this.rt.x.free(this.buf);
    this.buf = 0;
    this.bufCap = Math.max(bytes, this.bufCap * 2);
    this.buf = this.rt.malloc(this.bufCap);
  }

  /**
   * Copies the value of `key` into `out` when it fits and makes the entry the most recent.
   * Returns the value's length, or -1 on a miss (out is untouched when the value is longer).
   * @param {number} key
   * @param {Uint8Array} out
   */
  read(key, out) {
    this.#live();
    this.#reserve(out.length);
    const len = this.rt.x.fcw_lru_get(this.handle, key, this.buf, out.length);
    if (len > 0 && len <= out.length) {
      const u8 = this.#u8();
      for (let i = 0, p = this.buf; i < len; i++) out[i] = u8[p + i];
    }
    return len;
  }

  /**
   * The value of `key` (a copy), or undefined on a miss.
   * @param {number} key
   * @returns {Uint8Array | undefined}
   */
  get(key) {
    this.#live();
    let len = this.rt.x.fcw_lru_get(this.handle, key, this.buf, this.bufCap);
    if (len < 0) return undefined;
    if (len > this.bufCap) {
      this.#reserve(len); // a hit already counted: this second lookup is counted as well
      len = this.rt.x.fcw_lru_get(this.handle, key, this.buf, this.bufCap);
    }
    return this.#u8().slice(this.buf, this.buf + len);
  }

  /**
   * Stores a copy of `value` under `key` as the most recent entry, evicting the least recent
   * ones as needed. Throws E_TOO_LARGE for a value larger than the byte capacity.
   * @param {number} key
   * @param {Uint8Array} value
   */
  set(key, value) {
    this.#live();
    this.#reserve(value.length);
    this.#u8().set(value, this.buf);
    const st = this.rt.x.fcw_lru_put(this.handle, key, this.buf, value.length);
    if (st !== FC_OK) throw new FlowcastError(this.rt.statusName(st), `LruCache.set: value of ${value.length} bytes refused`);
    return this;
  }

  /**
   * @param {number} key
   * @returns {boolean} whether it was present
   */
  delete(key) {
    this.#live();
    return this.rt.x.fcw_lru_delete(this.handle, key) === 1;
  }

  /** Drops every entry (the counters are kept). */
  clear() {
    this.#live();
    this.rt.x.fc_lru_clear(this.handle);
  }

  /**
   * Runs `keys` through the cache inside wasm: a get for each, and on a miss a set of `value`.
   * Returns the number of hits.
   * @param {Uint32Array} keys
   * @param {Uint8Array} value  at most 64 bytes
   */
  accessBatch(keys, value) {
    this.#live();
    const rt = this.rt;
    const p = rt.malloc(keys.length * 4 + value.length + 8);
    try {
      new Uint32Array(rt.memory.buffer, p, keys.length).set(keys);
      rt.u8.set(value, p + keys.length * 4);
      return rt.x.fcw_lru_access_batch(this.handle, p, keys.length, p + keys.length * 4, value.length) >>> 0;
    } finally {
      rt.x.free(p);
    }
  }

  /** @returns {import('./flowcast.js').CacheStats} */
  stats() {
    this.#live();
    this.#reserve(CACHE_STATS_BYTES);
    this.rt.x.fc_lru_get_stats(this.handle, this.buf);
    return readCacheStats(this.rt.view, this.buf);
  }

  /** Frees the cache. Safe to call twice. */
  dispose() {
    if (!this.handle) return;
    this.rt.x.fc_lru_destroy(this.handle);
    this.rt.x.free(this.buf);
    this.handle = this.buf = 0;
    this.mem = null;
  }
}
