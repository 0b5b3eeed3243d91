// predictor.js — the Predictor class: one fc_engine in a shared wasm runtime, its network, the
// latest values, history and local time, and the internal helpers its sibling modules share
// (members starting with `_`: for web/engine/ only). Ingest (ingest.js), the model (model.js),
// travel times (routes.js), profile tiles (tiles.js) and instrumentation (stats.js) are
// functions over a predictor; the class's methods of the same names delegate to them, so the
// class stays the one documented surface and each job reads in one file.

import { CACHE_STATS_BYTES, FC_OK, OFF_LOCAL, OFF_OUT, SCRATCH_BYTES, readCacheStats } from './abi.js';
import { FlowcastError } from './errors.js';
import { parseIncidents } from './incidents.js';
import { ingest, ingestBinary, ingestValues } from './ingest.js';
import { forecast, saveModel, setAdjacency, train, trainSync } from './model.js';
import { historyHead, historyRows, ingestEcho } from './readback.js';
import { bestDeparture, cacheStats, travelTime } from './routes.js';
import { encoder } from './runtime.js';
import { stats, trace } from './stats.js';
import { forecastAsync, profileTile, putProfileTile, tileCacheStats, tileGroups, useProfileTiles } from './tiles.js';

/** @typedef {import('./abi.js').IngestOk} IngestOk */
/** @typedef {import('./model.js').TrainOptions} TrainOptions */
/** @typedef {import('./model.js').Forecast} Forecast */

/**
 * @typedef {object} IngestError
 * @property {false} ok
 * @property {string} code       stable error name, e.g. "E_TS_ORDER"
 * @property {number} status     the C fc_status value
 * @property {string} message    what was wrong and where
 */

/**
 * @typedef {object} Latest
 * @property {number} ts                 last committed snapshot time (Unix ms), or NaN
 * @property {Float32Array} speedMph     per sensor, NaN when missing
 * @property {Float32Array} volumeVph
 * @property {Float32Array} occupancy
 * @property {Uint8Array} quality
 */

/**
 * @typedef {object} LocalTime
 * @property {number} year
 * @property {number} month
 * @property {number} day
 * @property {number} minuteOfDay
 * @property {number} dayOfWeek   0 = Monday .. 6 = Sunday
 * @property {number} utcOffsetMin
 * @property {boolean} isDst
 */

/** A predictor engine: network, history and (later) model, living in wasm memory. */
export class Predictor {
  /**
   * Use createPredictor() (web/flowcast.js); this constructor is internal.
   * @param {import('./runtime.js').Runtime} rt
   * @param {number} engine pointer to the fc_engine
   * @param {number} maxPayloadBytes the engine's payload limit, checked here before copying
   */
  constructor(rt, engine, maxPayloadBytes) {
    this.rt = rt;
    this.maxPayloadBytes = maxPayloadBytes;
    this.engine = engine;
    this.scratch = rt.malloc(SCRATCH_BYTES);
    this.input = 0;
    this.inputCap = 0;
    this.latestBuf = 0;
    this.forecastBuf = 0;
    this.forecastLen = 0;
    /** a reusable heap block for results (travel times, cache counters), grown on demand */
    this.resultBuf = 0;
    this.resultCap = 0;
    /** @type {string[]} */
    this.sensorIds = [];
    /** @type {string} */
    this.networkId = '';
    this.intervalS = 0;
  }

  /** The engine library's version, e.g. "0.1.0". */
  get version() { return this.rt.version; }

  /** Number of sensors of the loaded network. */
  get sensorCount() { return this.sensorIds.length; }

  /** Throws once the predictor has been disposed. */
  _live() {
    if (!this.engine) throw new FlowcastError('E_DISPOSED', 'this predictor has been disposed');
  }

  /**
   * Copies bytes (or a string's UTF-8) into the engine's reusable input buffer.
   * @param {string | Uint8Array} data
   * @returns {number} byte length
   */
  _stage(data) {
    const rt = this.rt;
    const need = typeof data === 'string' ? data.length * 3 : data.length; // UTF-8 worst case
    if (need + 1 > this.inputCap) {
      if (this.input) rt.x.free(this.input);
      this.input = 0;
      this.inputCap = Math.max(need + 1, this.inputCap * 2, 4096);
      this.input = rt.malloc(this.inputCap);
    }
    if (typeof data === 'string') {
      return encoder.encodeInto(data, rt.u8.subarray(this.input, this.input + this.inputCap)).written;
    }
    rt.u8.set(data, this.input);
    return data.length;
  }

  /**
   * The failure of the last engine call as a result object, with the engine's message.
   * @param {number} status
   * @returns {IngestError}
   */
  _error(status) {
    return {
      ok: /** @type {false} */ (false),
      code: this.rt.statusName(status),
      status,
      message: this.rt.cString(this.rt.x.fc_engine_message(this.engine)),
    };
  }

  /**
   * The failure of the last engine call as an exception: "<what>: <engine message>".
   * @param {number} status
   * @param {string} [what]  prefix for the message; none when omitted
   */
  _fail(status, what) {
    const { code, message } = this._error(status);
    return new FlowcastError(code, what ? `${what}: ${message}` : message);
  }

  /**
   * An error result made on this side of the boundary, coded like the engine's own.
   * @param {number} status
   * @param {string} message
   * @returns {IngestError}
   */
  _refuse(status, message) {
    return { ok: false, code: this.rt.statusName(status), status, message };
  }

  /**
   * Calls fn(address, length) with a copy of bytes in the wasm heap, freed afterwards.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @param {(p: number, len: number) => number} fn
   */
  _withBytes(bytes, fn) {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const rt = this.rt, p = rt.malloc(data.length + 1);
    try {
      rt.u8.set(data, p);
      return fn(p, data.length);
    } finally {
      rt.x.free(p);
    }
  }

  /**
   * The reusable result block, at least `bytes` long (valid until the next call that grows it).
   * @param {number} bytes
   */
  _block(bytes) {
    if (bytes > this.resultCap) {
      if (this.resultBuf) this.rt.x.free(this.resultBuf);
      this.resultBuf = 0;
      this.resultCap = Math.max(bytes, 4096);
      this.resultBuf = this.rt.malloc(this.resultCap);
    }
    return this.resultBuf;
  }

  /**
   * @param {(p: number) => void} fill  writes an fc_cache_stats at p
   * @returns {import('./abi.js').CacheStats}
   */
  _cacheStats(fill) {
    const p = this._block(CACHE_STATS_BYTES);
    fill(p);
    return readCacheStats(this.rt.view, p);
  }

  /**
   * Loads (or replaces) the network. Throws FlowcastError on an invalid network.
   * @param {string | Uint8Array | object} network
   */
  loadNetwork(network) {
    this._live();
    const data = typeof network === 'string' || network instanceof Uint8Array ? network : JSON.stringify(network);
    const len = this._stage(data);
    const status = this.rt.x.fc_engine_load_network(this.engine, this.input, len);
    if (status !== FC_OK) throw this._fail(status, 'network');
    const x = this.rt.x;
    const n = x.fc_engine_sensor_count(this.engine);
    this.sensorIds = Array.from({ length: n }, (_, i) => this.rt.cString(x.fc_engine_sensor_id(this.engine, i)));
    this.networkId = this.rt.cString(x.fc_engine_network_id(this.engine));
    this.intervalS = x.fc_engine_interval_s(this.engine);
    if (this.latestBuf) x.free(this.latestBuf);
    if (this.forecastBuf) x.free(this.forecastBuf);
    this.latestBuf = this.forecastBuf = this.forecastLen = 0;
  }

  /**
   * Ingests one snapshot (ingest.js). Never throws for bad data: a rejected snapshot returns
   * { ok: false, code, message } and leaves the engine's state unchanged.
   * @param {string | Uint8Array | object} snapshot JSON text, UTF-8 bytes, or a parsed object
   * @returns {IngestOk | IngestError}
   */
  ingest(snapshot) { return ingest(this, snapshot); }

  /**
   * Ingests a binary snapshot (FCSNAP1) under the same rules as `ingest` (ingest.js).
   * @param {Uint8Array | ArrayBuffer} bytes
   * @returns {IngestOk | IngestError}
   */
  ingestBinary(bytes) { return ingestBinary(this, bytes); }

  /**
   * Ingests one row of values in network sensor order (NaN = missing) (ingest.js).
   * @param {number} tsMs end of the measurement period, Unix ms
   * @param {ArrayLike<number>} speedMph
   * @param {ArrayLike<number>} [volumeVph]
   * @param {ArrayLike<number>} [occupancy]
   * @returns {IngestOk | IngestError}
   */
  ingestValues(tsMs, speedMph, volumeVph, occupancy) { return ingestValues(this, tsMs, speedMph, volumeVph, occupancy); }

  /**
   * The newest slot's values per sensor (copies, safe to keep).
   * @returns {Latest}
   */
  latest() {
    this._live();
    const n = this.sensorIds.length;
    const x = this.rt.x;
    if (!this.latestBuf) this.latestBuf = this.rt.malloc(n * 13 + 16);
    const sp = this.latestBuf, vo = sp + 4 * n, oc = vo + 4 * n, q = oc + 4 * n;
    const status = x.fc_engine_latest(this.engine, sp, vo, oc, q, n);
    if (status !== FC_OK) throw new FlowcastError(this.rt.statusName(status), 'latest: no network loaded');
    const buf = this.rt.memory.buffer;
    const ts = x.fcw_last_ts_ms(this.engine);
    return {
      ts: Number.isFinite(ts) ? ts : NaN,
      speedMph: new Float32Array(buf, sp, n).slice(),
      volumeVph: new Float32Array(buf, vo, n).slice(),
      occupancy: new Float32Array(buf, oc, n).slice(),
      quality: new Uint8Array(buf, q, n).slice(),
    };
  }

  /** @returns {number} the newest data time (Unix ms), NaN before any data */
  _newest() {
    const t = this.rt.x.fcw_last_ts_ms(this.engine);
    return Number.isFinite(t) ? t : NaN;
  }

  /**
   * One sensor's speed history, oldest first, ending at the newest slot (NaN = missing).
   * @param {string | number} sensor id or index
   * @param {number} slots
   * @returns {Float32Array}
   */
  speedHistory(sensor, slots) {
    this._live();
    const idx = typeof sensor === 'number' ? sensor : this.sensorIds.indexOf(sensor);
    if (idx < 0 || idx >= this.sensorIds.length) throw new FlowcastError('E_NOT_FOUND', `unknown sensor ${sensor}`);
    const n = Math.max(0, Math.floor(slots));
    const p = this.rt.malloc(Math.max(4, n * 4));
    try {
      const status = this.rt.x.fc_engine_speed_history(this.engine, idx, p, n);
      if (status !== FC_OK) throw new FlowcastError(this.rt.statusName(status), 'speedHistory failed');
      return new Float32Array(this.rt.memory.buffer, p, n).slice();
    } finally {
      this.rt.x.free(p);
    }
  }

  /**
   * A hash of the committed state as 16 hex digits; equal digests mean equal state.
   * @returns {string}
   */
  digest() {
    this._live();
    const out = this.scratch + OFF_OUT;
    this.rt.x.fcw_digest(this.engine, out);
    const v = this.rt.view;
    return v.getUint32(out + 4, true).toString(16).padStart(8, '0') + v.getUint32(out, true).toString(16).padStart(8, '0');
  }

  /**
   * Local time of an instant in the network's time zone (daylight saving included).
   * @param {number} tsMs Unix milliseconds
   * @returns {LocalTime}
   */
  localTime(tsMs) {
    this._live();
    const p = this.scratch + OFF_LOCAL;
    const status = this.rt.x.fcw_local_time(this.engine, tsMs, p);
    if (status !== FC_OK) throw new FlowcastError(this.rt.statusName(status), `localTime(${tsMs}) failed`);
    const v = this.rt.view;
    const i = (/** @type {number} */ k) => v.getInt32(p + 4 * k, true);
    return { year: i(0), month: i(1), day: i(2), minuteOfDay: i(3), dayOfWeek: i(4), utcOffsetMin: i(5), isDst: i(6) === 1 };
  }

  /**
   * Replaces the neighbour graph by a dense n x n adjacency (row i: influences on sensor i).
   * Drops the current model (its features were built on the old graph).
   * @param {ArrayLike<number>} adjacency row-major, n * n values >= 0
   */
  setAdjacency(adjacency) { setAdjacency(this, adjacency); }

  /**
   * Trains the model on the whole history, yielding to the event loop between steps (model.js).
   * @param {TrainOptions} [options]
   * @returns {Promise<{ ms: number }>}
   */
  train(options) { return train(this, options); }

  /**
   * Trains without yielding (benchmarks, Node scripts).
   * @param {TrainOptions} [options]
   * @returns {{ ms: number }}
   */
  trainSync(options) { return trainSync(this, options); }

  /** @returns {number} steps ahead the current model forecasts (0 without a model) */
  get horizons() {
    this._live();
    return this.rt.x.fc_engine_horizons(this.engine);
  }

  /**
   * Every sensor at every horizon from the newest data (model.js). Throws E_STATE without a model.
   * @returns {Forecast}
   */
  forecast() { return forecast(this); }

  /**
   * The current model as a model file; `{ profiles: false }` leaves the profiles out,
   * `{ window: tsMs }` keeps only the next hour's (model.js).
   * @param {{ profiles?: boolean, window?: number, spanS?: number }} [opts]
   * @returns {Uint8Array}
   */
  saveModel(opts) { return saveModel(this, opts); }

  /**
   * Loads a model file, checking it completely first; a bad file changes nothing.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @returns {{ ok: true } | IngestError}
   */
  loadModel(bytes) {
    this._live();
    const st = this._withBytes(bytes, (p, len) => this.rt.x.fc_engine_load_model(this.engine, p, len));
    return st === FC_OK ? { ok: true } : this._error(st);
  }

  /**
   * Tile mode: profiles come from tiles that `fetchTile` supplies on demand (tiles.js).
   * @param {{ maxBytes: number, fetchTile: (group: string, daytype: 'weekday' | 'weekend') => Promise<Uint8Array | ArrayBuffer> }} opts
   */
  useProfileTiles(opts) { useProfileTiles(this, opts); }

  /** The tile groups of the network (corridor ids, then "~rest" when some sensors are in none). */
  tileGroups() { return tileGroups(this); }

  /**
   * The profile tile of one group and day type from this engine's model (tiles.js).
   * @param {string} group
   * @param {'weekday' | 'weekend'} daytype
   * @returns {Uint8Array}
   */
  profileTile(group, daytype) { return profileTile(this, group, daytype); }

  /**
   * Validates and caches one tile (untrusted bytes); throws FlowcastError (tiles.js).
   * @param {Uint8Array | ArrayBuffer} bytes
   */
  putProfileTile(bytes) { putProfileTile(this, bytes); }

  /**
   * `forecast()` that works in tile mode too, fetching missing tiles (tiles.js).
   * @returns {Promise<Forecast>}
   */
  forecastAsync() { return forecastAsync(this); }

  /** Counters of the profile-tile cache (zeros unless tile mode is on). */
  tileCacheStats() { return tileCacheStats(this); }

  /**
   * Time-dependent travel time between two stations on the current forecast (routes.js).
   * @param {{ from: string, to: string, departAt?: number, cache?: boolean }} query
   * @returns {import('./routes.js').TravelTime}
   */
  travelTime(query) { return travelTime(this, query); }

  /**
   * "When should I leave?": travel times over a window of departures and the fastest (routes.js).
   * @param {{ from: string, to: string, earliest?: number, latest?: number, stepMin?: number }} query
   * @returns {import('./routes.js').BestDeparture}
   */
  bestDeparture(query) { return bestDeparture(this, query); }

  /** Counters of the route-result cache (zeros before the first query). */
  cacheStats() { return cacheStats(this); }

  /** @returns {number} the engine's data version: changes whenever a forecast or a travel time could change */
  get dataVersion() {
    this._live();
    return this.rt.x.fcw_data_version(this.engine);
  }

  /** Per-stage timings, counters and memory (stats.js). */
  stats() { return stats(this); }

  /**
   * Starts (`{ start: true }`) or stops and returns (`{ stop: true }`) a trace of engine spans
   * in the Chrome trace-event format (stats.js).
   * @param {{ start?: boolean, stop?: boolean }} what
   */
  trace(what) { return trace(this, what); }

  /**
   * `ingest` or (`{ binary: true }`) `ingestBinary` that also returns the values this snapshot
   * committed for itself, for a host that serves the engine's decisions (readback.js).
   * @param {string | Uint8Array} snapshot
   * @param {{ binary?: boolean }} [opts]
   * @returns {(IngestOk & { values: import('./readback.js').Columns }) | IngestError}
   */
  ingestEcho(snapshot, opts) { return ingestEcho(this, snapshot, opts); }

  /** Number of the newest history slot, or -Infinity before the first snapshot (readback.js). */
  historyHead() { return historyHead(this); }

  /**
   * Committed history rows (slot means) of every sensor, row-major (readback.js).
   * @param {number} firstSlot
   * @param {number} rows
   * @param {import('./readback.js').Columns} [into]
   * @returns {import('./readback.js').Columns}
   */
  historyRows(firstSlot, rows, into) { return historyRows(this, firstSlot, rows, into); }

  /**
   * Validates a flowcast.incidents/1 document against this network (the engine's rules; its
   * state is untouched): the incidents as plain objects, or { ok: false, code, message }.
   * @param {string | Uint8Array} doc
   * @param {{ canonical?: boolean }} [opts]
   * @returns {import('./incidents.js').IncidentsOk | IngestError}
   */
  parseIncidents(doc, opts) { return parseIncidents(this, doc, opts); }

  /** Frees the engine and its buffers. Safe to call twice. */
  dispose() {
    if (!this.engine) return;
    const x = this.rt.x;
    x.fc_engine_destroy(this.engine);
    for (const p of [this.scratch, this.input, this.latestBuf, this.forecastBuf, this.resultBuf]) if (p) x.free(p);
    this.engine = this.scratch = this.input = this.latestBuf = this.inputCap = this.forecastBuf = this.forecastLen = 0;
    this.resultBuf = this.resultCap = 0;
  }
}
