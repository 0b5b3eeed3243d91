// Recent history for a page starting up, as one matrix per field rather than one snapshot
// object per interval: 24 h of Atlanta is ~0.6 MB of JSON this way instead of ~11 MB of snapshots.
// Two encodings of the same content: JSON (flowcast.history/1) and a binary form of float32
// columns for clients that ask for application/octet-stream (docs/API.md).
//
// Bounded work per request (issue 19). Every window is the tail of one rolling matrix, kept as
// long as the longest window asked for (at most four weeks): the engine's committed rows, read a
// few thousand cells per event-loop turn, and on a new snapshot extended by the new rows only
// (the rows before the old head slot are final: the engine refuses older snapshots) rather than
// read again. Each such matrix is immutable (a new one is made for the next snapshot) over
// SharedArrayBuffers, so:
// - the binary form uncompressed is streamed straight from it, no copy, no build;
// - the JSON text and the compressed forms are made by one worker thread
//   (history-worker.js) from the same memory, at most MAX_JOBS distinct ones queued (more: 503
//   BUSY with Retry-After), each once per window and snapshot and shared by every request;
// - windows over 24 h are whole days, so a client walking hours=672, 671, … asks for 28
//   windows at most, not 648.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { HttpError } from './http.js';

export const HISTORY_SCHEMA = 'flowcast.history/1';
const MAGIC = 'FCH1';
/** Engine cells read per event-loop turn: ~10 ms for 460 sensors (0.33 µs a cell). */
const CELLS_PER_TURN = 1 << 15;
/** Distinct bodies queued for the worker; beyond, 503 BUSY. */
export const MAX_JOBS = 4;
/** Bytes of worker-made bodies kept (JSON, compressed): not a four-week JSON window of Atlanta
 * (62 MiB, made again when asked: the cost limit allows four a minute per address) but many
 * smaller ones; memory, not time, is what it is bounded by (hostile.test.mjs). */
const BODY_CACHE_BYTES = 32 * 1024 * 1024;
/** A binary window up to this size is compressed on libuv's thread pool, not by the worker. */
const SMALL_BYTES = 2 * 1024 * 1024;
/** The worker thread ends after this long without a job (it starts again in ~50 ms). */
const WORKER_IDLE_MS = 5000;
/** Seconds a client told BUSY waits. */
const BUSY_RETRY_S = 2;

/** @typedef {import('./formats.js').Entry} Entry */
/** @typedef {import('./formats.js').Network} Network */
/** @typedef {'all' | 'speed'} Fields */

const PLANES = /** @type {const} */ ([['speed_mph', 'f32'], ['volume_vph', 'f32'], ['occupancy', 'f32'], ['quality', 'u8']]);

/**
 * Rows of the window a client asking for `hours` gets: hours up to 24 as asked, longer windows
 * rounded up to whole days.
 * @param {number} hours
 * @param {number} interval_s
 */
export function windowRows(hours, interval_s) {
  const h = hours > 24 ? Math.ceil(hours / 24) * 24 : hours;
  return Math.ceil((h * 3600) / interval_s);
}

/** One immutable matrix of committed rows, the last of them the engine's head slot. */
class Matrix {
  /**
   * @param {number} id
   * @param {Network} net
   * @param {number} end_slot one past the head slot
   * @param {number} rows
   * @param {number} ts_ms the latest snapshot it includes
   */
  constructor(id, net, end_slot, rows, ts_ms) {
    const n = net.sensor_ids.length;
    const cells = rows * n;
    this.id = id;
    this.net = net;
    this.generation = net.rules.generation;
    this.end_slot = end_slot;
    this.rows = rows;
    this.ts_ms = ts_ms;
    this.n = n;
    this.speed_mph = new Float32Array(new SharedArrayBuffer(cells * 4));
    this.volume_vph = new Float32Array(new SharedArrayBuffer(cells * 4));
    this.occupancy = new Float32Array(new SharedArrayBuffer(cells * 4));
    this.quality = new Uint8Array(new SharedArrayBuffer(cells));
  }

  get first_slot() { return this.end_slot - this.rows; }

  /** The columns of the last `rows` rows. @param {number} rows */
  tail(rows) {
    const at = (this.rows - rows) * this.n;
    return {
      speed_mph: this.speed_mph.subarray(at), volume_vph: this.volume_vph.subarray(at),
      occupancy: this.occupancy.subarray(at), quality: this.quality.subarray(at),
    };
  }
}

/** The worker thread making bodies, started on first use, ended when idle; a crash fails what
 * it held (and each job is tried once more on a fresh worker). */
class BodyWorker {
  /** @type {{ w: Worker, pending: Map<number, { resolve: (parts: Buffer[]) => void, reject: (err: Error) => void }> } | null} */
  #current = null;
  #next = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #idle = undefined;
  #shut = false;

  /**
   * Run a job; if the worker dies under it (out of memory, killed), once more on a fresh one.
   * @param {object} job
   * @returns {Promise<Buffer[]>}
   */
  run(job) {
    return this.#run(job).catch((err) => (err.workerDied ? this.#run(job) : Promise.reject(err)));
  }

  /** @param {object} job @returns {Promise<Buffer[]>} */
  #run(job) {
    if (this.#shut) return Promise.reject(new HttpError(503, 'SHUTTING_DOWN', 'the server is shutting down'));
    clearTimeout(this.#idle);
    if (!this.#current) {
      // (a server started with `node --input-type=module -e` would pass that flag on, and the
      // worker, a file, would refuse to start)
      const w = new Worker(new URL('./history-worker.js', import.meta.url), {
        execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
        // its garbage is row strings and its bodies are outside its heap (ArrayBuffers): small
        // generations keep its memory near the body's
        resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 },
      });
      w.unref();
      // each worker has its own pending jobs: one that ends (idle, crash) fails only its own
      const cur = { w, pending: new Map() };
      w.on('message', (m) => {
        const p = cur.pending.get(m.id);
        cur.pending.delete(m.id);
        // an idle worker is ended: the heap it grew making a four-week JSON goes back to the system
        if (!cur.pending.size && this.#current === cur) {
          this.#idle = setTimeout(() => { if (this.#current === cur && !cur.pending.size) this.close(); }, WORKER_IDLE_MS).unref();
        }
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve(m.parts.map((/** @type {Uint8Array} */ u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)));
      });
      const fail = (/** @type {Error} */ err) => {
        /** @type {any} */ (err).workerDied = true;
        if (this.#current === cur) this.#current = null;
        for (const p of cur.pending.values()) p.reject(err);
        cur.pending.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`history worker exited (${code})`)));
      this.#current = cur;
    }
    const cur = this.#current;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      cur.pending.set(id, { resolve, reject });
      cur.w.postMessage({ ...job, id });
    });
  }

  close() {
    clearTimeout(this.#idle);
    const cur = this.#current;
    this.#current = null;
    return cur?.w.terminate();
  }

  /** For good (the server closes): no new worker after this. */
  shutdown() {
    this.#shut = true;
    return this.close();
  }
}

/**
 * @typedef {Object} HistoryBody
 * @property {Buffer[]} parts the body, in order
 * @property {number} length bytes
 * @property {string} etag
 * @property {'br'|'gzip'|null} encoding
 */

/** The history windows of one feed: the rolling matrix, the bodies made from it, the worker. */
export class HistoryWindows {
  /** @type {Matrix | null} */
  #matrix = null;
  /** @type {Promise<Matrix> | null} */
  #building = null;
  #ids = 0;
  /** Bodies made by the worker for the current matrix, oldest first. @type {Map<string, HistoryBody>} */
  #bodies = new Map();
  #bodyBytes = 0;
  /** The last body made that is larger than the cache, kept apart. @type {{ key: string, body: HistoryBody } | null} */
  #large = null;
  /** Bodies being made, by key. @type {Map<string, Promise<HistoryBody>>} */
  #jobs = new Map();
  #worker = new BodyWorker();
  /** Tells this process's ETags from another's (a restart starts its matrix ids at 0 again). */
  #nonce = randomBytes(6).toString('base64url');

  /**
   * The window of the last `rows` slots up to `latest`, as a body in the format and encoding
   * asked for; throws 503 BUSY when the worker's queue is full.
   * @param {Network} net
   * @param {Entry} latest
   * @param {number} rows
   * @param {{ fields: Fields, binary: boolean, encoding: 'br'|'gzip'|null, ifNoneMatch?: string }} want
   * @returns {Promise<HistoryBody | { notModified: true, etag: string }>}
   */
  async body(net, latest, rows, want) {
    const m = await this.matrix(net, latest, rows);
    const fmt = want.binary ? 'bin' : 'json';
    const key = `${m.id}.${rows}.${want.fields}.${fmt}`;
    const etag = `"h${this.#nonce}.${key}${want.encoding ? `.${want.encoding}` : ''}"`;
    if (want.ifNoneMatch !== undefined && etagMatchesAny(want.ifNoneMatch, etag)) return { notModified: true, etag };
    const head = header(net, m, rows, want.fields, want.binary);
    if (want.binary && !want.encoding) {
      // straight from the matrix: it never changes, so it can be streamed as it is
      const parts = [/** @type {Buffer} */ (head), ...planes(m, rows, want.fields).map(([, v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))];
      return { parts, length: parts.reduce((a, b) => a + b.length, 0), etag, encoding: null };
    }
    const bodyKey = `${key}.${want.encoding ?? 'identity'}`;
    const small = want.binary && m.n * rows * (want.fields === 'all' ? 13 : 4) <= SMALL_BYTES;
    if (this.#large?.key === bodyKey) return this.#large.body;
    const cached = this.#bodies.get(bodyKey);
    if (cached) {
      this.#bodies.delete(bodyKey); // most recently used last
      this.#bodies.set(bodyKey, cached);
      return cached;
    }
    let job = this.#jobs.get(bodyKey);
    if (!job) {
      if (this.#jobs.size >= MAX_JOBS) throw busy();
      // a small binary window (the page's first hours of speeds) is compressed on the thread
      // pool right away: no worker to start or to queue behind a four-week JSON
      job = (small
        ? compress(/** @type {'br'|'gzip'} */ (want.encoding), Buffer.concat([/** @type {Buffer} */ (head), ...planes(m, rows, want.fields).map(([, v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))])).then((b) => [b])
        : this.#worker.run({ fmt, enc: want.encoding, head, n: m.n, rows, planes: planes(m, rows, want.fields) }))
        .then((parts) => {
          const b = { parts, length: parts.reduce((a, p) => a + p.length, 0), etag, encoding: want.encoding };
          if (this.#matrix === m) this.#keep(bodyKey, b);
          return b;
        })
        .finally(() => this.#jobs.delete(bodyKey));
      this.#jobs.set(bodyKey, job);
    }
    return job;
  }

  /** @param {string} key @param {HistoryBody} b */
  #keep(key, b) {
    if (b.length > BODY_CACHE_BYTES) {
      // one body too large for the cache (a four-week JSON window, 62 MiB for Atlanta) is kept
      // beside it, the last one made: clients walking the four-week windows share it instead of
      // each new request making 62 MiB again, whose garbage the main thread's collector frees
      // only some time later (peaks of 415-457 MB in the four-walker attack before)
      this.#large = { key, body: b };
      return;
    }
    this.#bodies.set(key, b);
    this.#bodyBytes += b.length;
    for (const [k, v] of this.#bodies) {
      if (this.#bodyBytes <= BODY_CACHE_BYTES) break;
      this.#bodies.delete(k);
      this.#bodyBytes -= v.length;
    }
  }

  /**
   * A matrix of at least `rows` rows that includes `latest`: the current one, or the next one
   * built (one build at a time; requests meanwhile wait for it).
   * @param {Network} net
   * @param {Entry} latest
   * @param {number} rows
   * @returns {Promise<Matrix>}
   */
  async matrix(net, latest, rows) {
    for (;;) {
      const m = this.#matrix;
      const end = net.rules.historyHead() + 1;
      if (!Number.isFinite(end)) throw new HttpError(503, 'NO_SNAPSHOT', 'the engine holds no snapshot yet');
      if (m && m.net === net && m.generation === net.rules.generation && m.ts_ms >= latest.ts_ms && m.end_slot === end && m.rows >= rows) return m;
      const building = (this.#building ??= this.#build(net, latest, rows).finally(() => { this.#building = null; }));
      const built = await building;
      // a build started for a smaller window or an older snapshot: extend it (cheap) and look again
      if (built.net === net && built.rows >= rows && built.ts_ms >= latest.ts_ms) return built;
    }
  }

  /**
   * The next matrix: rows the previous one holds are copied, the others read from the engine a
   * few at a time between event-loop turns.
   * @param {Network} net
   * @param {Entry} latest
   * @param {number} rows
   * @returns {Promise<Matrix>}
   */
  async #build(net, latest, rows) {
    const rules = net.rules;
    const old = this.#matrix;
    const reusable = old && old.net === net && old.generation === rules.generation ? old : null;
    const end = rules.historyHead() + 1;
    const ts_ms = latest.ts_ms;
    const m = new Matrix(++this.#ids, net, end, Math.max(rows, reusable?.rows ?? 0), ts_ms);
    const first = m.first_slot;
    // Final rows of the old matrix: its slots before its head slot (which may have changed).
    let copyLo = first, copyHi = first;
    if (reusable && reusable.end_slot <= end) {
      copyLo = Math.max(first, reusable.first_slot);
      copyHi = Math.max(copyLo, reusable.end_slot - 1);
    }
    const n = m.n;
    if (reusable && copyHi > copyLo) {
      const src = (copyLo - reusable.first_slot) * n, dst = (copyLo - first) * n, len = (copyHi - copyLo) * n;
      for (const k of /** @type {const} */ (['speed_mph', 'volume_vph', 'occupancy', 'quality'])) {
        m[k].set(/** @type {any} */ (reusable[k]).subarray(src, src + len), dst);
      }
    }
    const step = Math.max(1, Math.floor(CELLS_PER_TURN / Math.max(1, n)));
    for (const [lo, hi] of [[first, copyLo], [copyHi, end]]) {
      for (let s = lo; s < hi; s += step) {
        const k = Math.min(step, hi - s);
        const at = (s - first) * n;
        rules.historyRows(s, k, {
          speedMph: m.speed_mph.subarray(at, at + k * n), volumeVph: m.volume_vph.subarray(at, at + k * n),
          occupancy: m.occupancy.subarray(at, at + k * n), quality: m.quality.subarray(at, at + k * n),
        });
        if (hi - s > step) await new Promise((r) => setImmediate(r)); // let other requests in
      }
    }
    if (rules.generation !== m.generation) return this.#build(net, latest, rows); // emptied meanwhile
    this.#matrix = m;
    this.#bodies.clear(); // made from the previous matrix
    this.#bodyBytes = 0;
    this.#large = null;
    return m;
  }

  close() { return this.#worker.shutdown(); }
}

/** @param {string} header @param {string} etag */
function etagMatchesAny(header, etag) {
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** @param {'br'|'gzip'} coding @param {Buffer} body @returns {Promise<Buffer>} */
function compress(coding, body) {
  return coding === 'br'
    ? promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
    : promisify(gzip)(body, { level: 6 });
}

function busy() {
  const e = new HttpError(503, 'BUSY', `the server is making ${MAX_JOBS} history bodies already; retry in ${BUSY_RETRY_S} s`);
  /** @type {any} */ (e).retryAfter = BUSY_RETRY_S;
  return e;
}

/**
 * The planes a window's body holds, in body order.
 * @param {Matrix} m
 * @param {number} rows
 * @param {Fields} fields
 * @returns {Array<[string, Float32Array | Uint8Array]>}
 */
function planes(m, rows, fields) {
  const t = m.tail(rows);
  return PLANES.filter(([name]) => fields === 'all' || name === 'speed_mph').map(([name]) => [name, t[name]]);
}

/**
 * The header: for JSON its object's text without the closing brace (the matrices follow), for
 * binary the whole prefix (magic, length, header padded so the arrays start 4-byte aligned).
 * @param {Network} net
 * @param {Matrix} m
 * @param {number} rows
 * @param {Fields} fields
 * @param {boolean} binary
 * @returns {string | Buffer}
 */
function header(net, m, rows, fields, binary) {
  const interval_ms = net.interval_s * 1000;
  const start_ms = (m.end_slot - rows) * interval_ms;
  const h = {
    schema: HISTORY_SCHEMA,
    network: net.id,
    start: net.tz.iso(start_ms),
    end: net.tz.iso(start_ms + rows * interval_ms),
    interval_s: net.interval_s,
    rows,
    sensors: net.sensor_ids,
  };
  if (!binary) return JSON.stringify(h).slice(0, -1);
  let head = JSON.stringify({ ...h, layout: PLANES.filter(([name]) => fields === 'all' || name === 'speed_mph').map(([name, type]) => `${name}:${type}`) });
  head += ' '.repeat((4 - ((8 + Buffer.byteLength(head)) % 4)) % 4);
  const len = Buffer.byteLength(head);
  const prefix = Buffer.alloc(8 + len);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(len, 4);
  prefix.write(head, 8, 'utf8');
  return prefix;
}

/**
 * A body as a stream (its parts are sent as they are, without being joined).
 * @param {HistoryBody} b
 */
export function bodyStream(b) {
  return Readable.from(b.parts, { objectMode: false });
}
