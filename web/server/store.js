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
import { encodeSnapshotBinary, serialiseSnapshot, strongEtag } from './formats.js';

/** Serialised snapshots kept: enough for SSE fan-out and a burst of catch-ups, ~40 kB each for
 * the Atlanta network. */
const PAYLOAD_CACHE_ENTRIES = 256;

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
      if (this.payloads.size >= PAYLOAD_CACHE_ENTRIES) this.payloads.delete(this.payloads.keys().next().value);
    }
    this.payloads.set(entry.ts_ms, p);
    return p;
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
