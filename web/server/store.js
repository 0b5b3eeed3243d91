// The snapshot store: the one place that knows which snapshots exist. Latest, catch-up, history
// and the event stream all read through this small interface, so a durable append-only log can
// replace the in-memory ring without touching the HTTP layer.
//
//   latest()                 newest entry or null
//   after(ts_ms, limit)      entries with ts > ts_ms, oldest first, at most limit, and `more`
//   range(from_ms, to_ms)    entries with from_ms < ts <= to_ms, oldest first
//   size                     entries held
//   payload(entry)           the serialised snapshot and its strong ETag (cached)
//   'append' event           emitted synchronously, once per new entry, in ts order
//
// Relay and directory modes write through DurableStore (log.js), a MemoryStore that persists
// each entry to an append-only log before it becomes visible here.

import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { encodeSnapshotBinary, serialiseSnapshot, strongEtag } from './formats.js';

/** Serialised snapshots kept, ~35 kB each for the Atlanta network (11 MB): more than an event
 * stream resends after a reconnect (288), so a storm of reconnects with the same old
 * Last-Event-ID serialises nothing again (issue 19: with 256, every resend re-serialised all). */
const PAYLOAD_CACHE_ENTRIES = 320;

/** zlib on libuv's thread pool: the event loop never waits for a compression. */
const COMPRESS = {
  br: (/** @type {string|Buffer} */ b) => promisify(brotliCompress)(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  gzip: (/** @type {string|Buffer} */ b) => promisify(gzip)(b, { level: 9 }),
};

/** @typedef {import('./formats.js').Entry} Entry */
/** @typedef {import('./formats.js').Network} Network */

/**
 * What the HTTP layer needs from a store (MemoryStore here, ReplayStore in replay.js).
 * @typedef {StoreBase & {
 *   size: number,
 *   latest(): Entry|null,
 *   after(ts_ms: number, limit: number): { entries: Entry[], more: boolean },
 *   range(from_ms: number, to_ms: number): Entry[],
 * }} SnapshotStore
 */

export class StoreBase extends EventEmitter {
  /** @param {Network} network */
  constructor(network) {
    super();
    this.setMaxListeners(0); // one listener per SSE client
    this.network = network;
    /** @type {Map<number, { json: string, etag: string }>} */
    this.payloads = new Map();
    /** @type {{ ts_ms: number, body: Buffer, etag: string } | undefined} */
    this.binary = undefined;
    /** Compressed forms of the newest snapshot, by form and coding. @type {{ ts_ms: number, bodies: Map<string, { done: Buffer | null, promise: Promise<Buffer> }> }} */
    this.compressed = { ts_ms: NaN, bodies: new Map() };
    /** @type {Map<string, { done: Buffer | null, promise: Promise<Buffer> }>} */
    this.networkBodies = new Map();
    if (network?.json) this.compressedNetwork('br', false).catch(() => {}); // started now: ready by the first page
  }

  /**
   * The network document compressed, once per coding (it never changes within a store); both
   * codings are started with the store. Brotli at quality 11 takes about a second for Atlanta's
   * document: until it is ready a client that takes gzip gets gzip.
   * @param {'br' | 'gzip'} coding the preferred coding
   * @param {boolean} gzipOk
   * @returns {Promise<{ coding: 'br' | 'gzip', body: Buffer }>}
   */
  async compressedNetwork(coding, gzipOk) {
    const make = (/** @type {'br' | 'gzip'} */ c) => {
      let m = this.networkBodies.get(c);
      if (!m) {
        const made = { done: /** @type {Buffer | null} */ (null), promise: COMPRESS[c](this.network.json) };
        made.promise.then((b) => { made.done = b; }, () => this.networkBodies.delete(c));
        m = made;
        this.networkBodies.set(c, m);
      }
      return m;
    };
    const want = make(coding);
    if (want.done) return { coding, body: want.done };
    if (coding === 'br' && gzipOk) return { coding: 'gzip', body: await make('gzip').promise };
    return { coding, body: await want.promise };
  }

  /**
   * A compressed form of a snapshot (JSON or FCSNAP1), made once per snapshot and coding and
   * shared by every request (issue 19: compressing `latest` again for each request held it to
   * 3,200 req/s). Only the newest snapshot's forms are kept. Brotli is at its best quality (11:
   * ~55 ms for Atlanta's 35 kB, on the thread pool); until it is ready a client that also takes
   * gzip (made in ~1 ms) gets gzip rather than waiting.
   * @param {Entry} entry
   * @param {'json' | 'bin'} form
   * @param {'br' | 'gzip'} coding the preferred coding (http.js preferredEncoding)
   * @param {boolean} gzipOk the client takes gzip too
   * @returns {Promise<{ coding: 'br' | 'gzip', body: Buffer }>}
   */
  async compressedPayload(entry, form, coding, gzipOk) {
    const body = form === 'bin' ? this.binaryPayload(entry).body : this.payload(entry).json;
    if (entry.ts_ms < this.compressed.ts_ms) return { coding, body: await COMPRESS[coding](body) }; // an older one: not kept
    if (entry.ts_ms > this.compressed.ts_ms || Number.isNaN(this.compressed.ts_ms)) this.compressed = { ts_ms: entry.ts_ms, bodies: new Map() };
    const bodies = this.compressed.bodies;
    const make = (/** @type {'br' | 'gzip'} */ c) => {
      let m = bodies.get(`${form}.${c}`);
      if (!m) {
        const made = { done: /** @type {Buffer | null} */ (null), promise: COMPRESS[c](body) };
        made.promise.then((b) => { made.done = b; }, () => bodies.delete(`${form}.${c}`)); // a failure is not kept
        m = made;
        bodies.set(`${form}.${c}`, m);
      }
      return m;
    };
    const want = make(coding);
    if (want.done) return { coding, body: want.done };
    if (coding === 'br' && gzipOk) return { coding: 'gzip', body: await make('gzip').promise };
    return { coding, body: await want.promise };
  }

  /**
   * @param {Entry} entry
   * @returns {{ json: string, etag: string }}
   */
  payload(entry) {
    let p = this.payloads.get(entry.ts_ms);
    if (p) {
      this.payloads.delete(entry.ts_ms);
    } else {
      const json = serialiseSnapshot(entry, this.network);
      p = { json, etag: strongEtag(json) };
      const oldest = this.payloads.keys().next().value;
      if (this.payloads.size >= PAYLOAD_CACHE_ENTRIES && oldest !== undefined) this.payloads.delete(oldest);
    }
    this.payloads.set(entry.ts_ms, p);
    return p;
  }

  /**
   * The serialised snapshot, from the cache if it is there, else made without being kept: a
   * catch-up page (up to 2016 snapshots) read through the cache would push out what the event
   * streams and `latest` share.
   * @param {Entry} entry
   */
  payloadText(entry) {
    return this.payloads.get(entry.ts_ms)?.json ?? serialiseSnapshot(entry, this.network);
  }

  /**
   * The binary form (FCSNAP1) and its strong ETag; only the newest is kept (clients that ask
   * for binary poll the latest snapshot).
   * @param {Entry} entry
   * @returns {{ body: Buffer, etag: string }}
   */
  binaryPayload(entry) {
    if (this.binary?.ts_ms !== entry.ts_ms) {
      const body = encodeSnapshotBinary(entry, this.network);
      this.binary = { ts_ms: entry.ts_ms, body, etag: strongEtag(body) };
    }
    return this.binary;
  }
}

/** A bounded in-memory ring of entries (relay and directory modes). */
export class MemoryStore extends StoreBase {
  /**
   * @param {Network} network
   * @param {{ capacity?: number }} [opts] entries kept (default 4032: two weeks of 5-min data)
   */
  constructor(network, opts = {}) {
    super(network);
    this.capacity = opts.capacity ?? 4032;
    /** @type {Entry[]} */
    this.ring = new Array(this.capacity);
    this.head = 0; // index of the oldest entry
    this.size = 0;
  }

  /** @param {number} i 0 = oldest */
  at(i) { return this.ring[(this.head + i) % this.capacity]; }

  latest() { return this.size ? this.at(this.size - 1) : null; }

  /**
   * Add an entry newer than the latest; older or equal ones are refused (returns false).
   * @param {Entry} entry
   */
  append(entry) {
    const last = this.latest();
    if (last && entry.ts_ms <= last.ts_ms) return false;
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size) % this.capacity] = entry;
      this.size++;
    } else {
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % this.capacity;
    }
    this.emit('append', entry);
    return true;
  }

  /**
   * Append entries in order (see append); the durable store overrides this to persist a batch
   * with one disk sync.
   * @param {Entry[]} entries
   * @returns {number} entries accepted
   */
  appendMany(entries) {
    let n = 0;
    for (const e of entries) if (this.append(e)) n++;
    return n;
  }

  /**
   * Forget entries older than ts_ms (retention).
   * @param {number} ts_ms
   */
  dropBefore(ts_ms) {
    while (this.size && this.at(0).ts_ms < ts_ms) {
      this.ring[this.head] = /** @type {any} */ (undefined);
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
  }

  /** Index of the first entry with ts > ts_ms (binary search). @param {number} ts_ms */
  firstAfter(ts_ms) {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).ts_ms <= ts_ms) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * @param {number} ts_ms
   * @param {number} limit
   */
  after(ts_ms, limit) {
    const first = this.firstAfter(ts_ms);
    const end = Math.min(this.size, first + limit);
    const entries = [];
    for (let i = first; i < end; i++) entries.push(this.at(i));
    return { entries, more: end < this.size };
  }

  /**
   * @param {number} from_ms
   * @param {number} to_ms
   */
  range(from_ms, to_ms) {
    const entries = [];
    for (let i = this.firstAfter(from_ms); i < this.size && this.at(i).ts_ms <= to_ms; i++) entries.push(this.at(i));
    return entries;
  }
}
