// flowcast.js — the JavaScript face of the flowcast engine, the same file in browsers and Node.
//
// It hides the WebAssembly module completely: callers pass strings, bytes or objects and get
// plain objects and typed arrays back; pointers, the wasm heap and its growth never leak out.
// One wasm instance (a "runtime") is shared by every predictor created from the same URL, so
// several engines on a page share one heap, and disposing an engine returns its memory to it.

/**
 * @typedef {object} PredictorConfig
 * @property {number} [historyS]        seconds of history kept per sensor (default 28 days)
 * @property {number} [maxPayloadBytes] larger snapshots are rejected (default 8 MiB)
 * @property {number} [maxAheadS]       how far a snapshot may jump ahead (default 7 days)
 * @property {number} [maxSpeedMph]     plausible maximum speed (default 120)
 * @property {number} [maxVolumeVph]    plausible maximum station volume (default 20000)
 * @property {'auto' | 'cjson' | 'fast'} [parser] snapshot parser: 'auto' (default) runs the fast
 *   single-pass parser and falls back to the cJSON reference for input outside its subset;
 *   'cjson' only the reference; 'fast' only the fast parser (E_UNSUPPORTED where it would fall back)
 */

/**
 * @typedef {object} IngestOk
 * @property {true} ok
 * @property {number} accepted   readings committed with a speed
 * @property {number} dropped    invalid readings dropped
 * @property {number} missing    sensors without a speed in this snapshot (not dropped)
 * @property {number} ts         the snapshot time, Unix milliseconds
 * @property {number} slotsAdvanced history slots opened by this snapshot
 */

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

/**
 * @typedef {object} TrainOptions
 * @property {number} [horizons]      steps ahead (default 12)
 * @property {number} [smoothSlots]   profile window half-width (default 4)
 * @property {number} [profilePrior]  profile shrinkage toward the sensor mean (default 3)
 * @property {number} [huberMph]      Huber threshold (default 0.5)
 * @property {number} [lambdaGlobal]  ridge of the pooled model (default 1)
 * @property {number} [lambdaSensor]  pull of per-sensor weights toward the pooled ones (default 0.4)
 * @property {number} [irlsIters]     reweighting passes (default 3)
 * @property {number} [maxSamples]    origins per sensor and horizon (default 1500)
 * @property {number} [globalSensors] sensors pooled for the global model (default 48)
 * @property {(fraction: number) => void} [onProgress] called after each training step
 */

/**
 * @typedef {object} Forecast
 * @property {number} ts          time of the newest data the forecast starts from (Unix ms)
 * @property {number} horizons    steps ahead (H); step k is k * intervalS seconds after ts's slot
 * @property {number} intervalS
 * @property {Float32Array} mid   central forecast, mph, index sensor * H + (step - 1)
 * @property {Float32Array} lo    10% bound
 * @property {Float32Array} hi    90% bound
 */

/**
 * @typedef {object} TravelSegment
 * @property {string} from          station id where the segment starts
 * @property {string} to            station id where it ends
 * @property {number} lengthMi
 * @property {number} speedMph      speed used: harmonic mean of both ends' forecasts at entry
 * @property {number} entryMinutes  minutes after departure when the traveller enters it
 */

/**
 * @typedef {object} TravelTime
 * @property {number} departAt         Unix ms
 * @property {number} minutes          predicted travel time (central forecast)
 * @property {number} distanceMi
 * @property {number} freeFlowMinutes  at the speed limits
 * @property {number} delayMinutes     max(0, minutes - freeFlowMinutes)
 * @property {number} low              10–90% range of the travel time, minutes
 * @property {number} high
 * @property {TravelSegment[]} segments the path, origin first
 */

/**
 * @typedef {object} Departure
 * @property {number} departAt  Unix ms
 * @property {number} minutes
 * @property {number} low
 * @property {number} high
 */

/**
 * @typedef {object} BestDeparture
 * @property {Departure[]} departures  one per departure time in the window
 * @property {Departure} best          the fastest (the earliest among equals)
 * @property {number} savesMinutes     minutes saved against leaving at the window's start
 */

/**
 * @typedef {object} CacheStats
 * @property {number} hits
 * @property {number} misses
 * @property {number} insertions
 * @property {number} evictions
 * @property {number} bytesInUse
 * @property {number} peakBytes
 * @property {number} entries
 * @property {number} maxEntries
 * @property {number} maxBytes
 * @property {number} footprintBytes the cache's whole allocation, fixed at creation
 */

/** An error thrown for programming or set-up mistakes (never for bad feed data). */
export class FlowcastError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'FlowcastError';
    this.code = code;
  }
}

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @type {Map<string, Promise<Runtime>>} */
const runtimes = new Map();
/** @type {string | undefined} */
let defaultUrl;

/** @returns {URL} where the release wasm sits relative to this module */
function defaultWasmUrl() {
  // In the repo (Node) this file is web/flowcast.js and the build is public/flowcast.wasm;
  // on a site it is served as public/js/flowcast.js beside public/flowcast.wasm.
  return new URL(isNode ? '../public/flowcast.wasm' : '../flowcast.wasm', import.meta.url);
}

/**
 * @param {string | URL} url
 * @returns {Promise<WebAssembly.Module>}
 */
async function compile(url) {
  const u = new URL(url, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (isNode && u.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(u));
  }
  const response = await fetch(u);
  if (!response.ok) throw new FlowcastError('E_LOAD', `fetching ${u}: HTTP ${response.status}`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * The imports a standalone Emscripten build asks for. Anything else means the C code pulled in
 * something it should not (stdio, say); failing at load time names it.
 * @param {WebAssembly.Module} module
 */
function importsFor(module) {
  /** @type {Record<string, Record<string, Function>>} */
  const known = {
    env: {
      emscripten_notify_memory_growth() {},
      // the engine's stage timers (c/src/stats.c): microseconds from a monotonic clock
      fc_js_now_us: () => performance.now() * 1000,
    },
  };
  /** @type {Record<string, Record<string, Function>>} */
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const fn = known[imp.module]?.[imp.name];
    if (!fn) throw new FlowcastError('E_LOAD', `flowcast.wasm needs an unsupported import ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = fn;
  }
  return imports;
}

/** One wasm instance and typed helpers over its memory. */
class Runtime {
  /** @param {WebAssembly.Instance} instance */
  constructor(instance) {
    /** @type {any} */
    this.x = instance.exports;
    /** @type {WebAssembly.Memory} */
    this.memory = this.x.memory;
    /** @type {ArrayBuffer | null} the buffer the views below are over */
    this.viewBuffer = null;
    this.u8View = new Uint8Array(0);
    this.dataView = new DataView(new ArrayBuffer(0));
    if (this.x._initialize) this.x._initialize();
    this.version = this.cString(this.x.fc_version());
  }

  // A grown memory detaches the old buffer and gives a new one: the views are remade when the
  // buffer changes, not per use (two allocations per ingest showed in the binary path's 3 µs).
  get u8() {
    if (this.viewBuffer !== this.memory.buffer) this.#remakeViews();
    return this.u8View;
  }

  get view() {
    if (this.viewBuffer !== this.memory.buffer) this.#remakeViews();
    return this.dataView;
  }

  #remakeViews() {
    this.viewBuffer = this.memory.buffer;
    this.u8View = new Uint8Array(this.viewBuffer);
    this.dataView = new DataView(this.viewBuffer);
  }

  /** @param {number} ptr */
  cString(ptr) {
    if (!ptr) return '';
    const u8 = this.u8;
    let end = ptr;
    while (u8[end] !== 0) end++;
    return decoder.decode(u8.subarray(ptr, end));
  }

  /** @param {number} size */
  malloc(size) {
    const p = this.x.malloc(size);
    if (!p) throw new FlowcastError('E_NOMEM', `wasm heap: cannot allocate ${size} bytes`);
    return p;
  }

  /** @param {number} status */
  statusName(status) { return this.cString(this.x.fc_status_name(status)); }

  /** Bytes in the wasm heap (grows, never shrinks). */
  get heapBytes() { return this.memory.buffer.byteLength; }
}

/**
 * @param {string | URL | undefined} wasmUrl
 * @returns {Promise<Runtime>}
 */
function runtimeFor(wasmUrl) {
  // the default URL is computed once: the worker asks for the heap size on every update, and
  // building a URL each time showed up in the app's CPU profile (PERFORMANCE.md §7)
  const url = wasmUrl == null ? (defaultUrl ??= String(defaultWasmUrl())) : String(wasmUrl);
  let r = runtimes.get(url);
  if (!r) {
    r = compile(url).then(async (module) => new Runtime(await WebAssembly.instantiate(module, importsFor(module))));
    r.catch(() => runtimes.delete(url)); // let a later call retry a failed load
    runtimes.set(url, r);
  }
  return r;
}

// Byte offsets inside an engine's scratch block (pinned by _Static_assert in c/wasm/api.c).
const SCRATCH_BYTES = 64;
const DEFAULT_MAX_PAYLOAD = 8 << 20; // fc_config_default()
/** @type {Record<string, number>} fc_parser values */
const PARSERS = { auto: 0, cjson: 1, fast: 2 };
const OFF_RESULT = 0;   // fc_ingest_result, 24 bytes
const OFF_LOCAL = 24;   // fc_local_time, 28 bytes
const OFF_OUT = 56;     // one pointer, two u32, or a double (8-aligned)
/** Day types of the profiles and tiles, by their index in the engine. */
const DAYTYPES = /** @type {const} */ (['weekday', 'weekend']);

/** A predictor engine: network, history and (later) model, living in wasm memory. */
export class Predictor {
  /**
   * Use createPredictor(); this constructor is internal.
   * @param {Runtime} rt
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

  #live() {
    if (!this.engine) throw new FlowcastError('E_DISPOSED', 'this predictor has been disposed');
  }

  /**
   * Copies bytes (or a string's UTF-8) into the engine's reusable input buffer.
   * @param {string | Uint8Array} data
   * @returns {number} byte length
   */
  #stage(data) {
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

  /** @param {number} status */
  #error(status) {
    return {
      ok: /** @type {false} */ (false),
      code: this.rt.statusName(status),
      status,
      message: this.rt.cString(this.rt.x.fc_engine_message(this.engine)),
    };
  }

  /**
   * Loads (or replaces) the network. Throws FlowcastError on an invalid network.
   * @param {string | Uint8Array | object} network
   */
  loadNetwork(network) {
    this.#live();
    const data = typeof network === 'string' || network instanceof Uint8Array ? network : JSON.stringify(network);
    const len = this.#stage(data);
    const status = this.rt.x.fc_engine_load_network(this.engine, this.input, len);
    if (status !== 0) {
      const e = this.#error(status);
      throw new FlowcastError(e.code, `network: ${e.message}`);
    }
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
   * Ingests one snapshot. Never throws for bad data: a rejected snapshot returns
   * { ok: false, code, message } and leaves the engine's state unchanged.
   * @param {string | Uint8Array | object} snapshot JSON text, UTF-8 bytes, or a parsed object
   * @returns {IngestOk | IngestError}
   */
  ingest(snapshot) {
    this.#live();
    let data;
    if (typeof snapshot === 'string' || snapshot instanceof Uint8Array) data = snapshot;
    else {
      try {
        data = JSON.stringify(snapshot);
      } catch (err) {
        return { ok: false, code: 'E_ARG', status: 2, message: `snapshot: cannot serialise object (${/** @type {Error} */ (err).message})` };
      }
      if (typeof data !== 'string') return { ok: false, code: 'E_ARG', status: 2, message: 'snapshot: not a JSON value' };
    }
    // An oversized payload is refused before it is copied into the wasm heap, with the
    // engine's own code and wording (the C check stays for callers of the C API).
    const bytes = typeof data !== 'string' ? data.length
      : data.length * 3 <= this.maxPayloadBytes ? 0
      : data.length > this.maxPayloadBytes ? data.length : encoder.encode(data).length;
    if (bytes > this.maxPayloadBytes) {
      return { ok: false, code: 'E_TOO_LARGE', status: 4, message: `snapshot: ${bytes} bytes exceeds the limit of ${this.maxPayloadBytes} bytes` };
    }
    const len = this.#stage(data);
    const res = this.scratch + OFF_RESULT;
    const status = this.rt.x.fc_ingest_json(this.engine, this.input, len, res);
    if (status !== 0) return this.#error(status);
    return this.#ingested(res);
  }

  /**
   * Ingests a binary snapshot (FCSNAP1, docs/FORMATS.md: columns in network order, what the
   * feed server sends for `Accept: application/vnd.flowcast.snapshot`), under the same rules
   * as `ingest` and with the same result; the same snapshot as JSON commits the same state.
   * Never throws for bad data.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @returns {IngestOk | IngestError}
   */
  ingestBinary(bytes) {
    this.#live();
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    if (data.length > this.maxPayloadBytes) {
      return { ok: false, code: 'E_TOO_LARGE', status: 4, message: `binary snapshot: ${data.length} bytes, limit ${this.maxPayloadBytes}` };
    }
    const len = this.#stage(data);
    const res = this.scratch + OFF_RESULT;
    const status = this.rt.x.fcw_ingest_binary(this.engine, this.input, len, res);
    if (status !== 0) return this.#error(status);
    return this.#ingested(res);
  }

  /** @param {number} res  address of an fc_ingest_result */
  #ingested(res) {
    const v = this.rt.view;
    return {
      ok: true,
      accepted: v.getUint32(res + 8, true),
      dropped: v.getUint32(res + 12, true),
      missing: v.getUint32(res + 16, true),
      ts: v.getInt32(res + 4, true) * 4294967296 + v.getUint32(res, true), // int64 ms, exact below 2^53
      slotsAdvanced: v.getUint32(res + 20, true),
    };
  }

  /**
   * The newest slot's values per sensor (copies, safe to keep).
   * @returns {Latest}
   */
  latest() {
    this.#live();
    const n = this.sensorIds.length;
    const x = this.rt.x;
    if (!this.latestBuf) this.latestBuf = this.rt.malloc(n * 13 + 16);
    const sp = this.latestBuf, vo = sp + 4 * n, oc = vo + 4 * n, q = oc + 4 * n;
    const status = x.fc_engine_latest(this.engine, sp, vo, oc, q, n);
    if (status !== 0) throw new FlowcastError(this.rt.statusName(status), 'latest: no network loaded');
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

  /**
   * One sensor's speed history, oldest first, ending at the newest slot (NaN = missing).
   * @param {string | number} sensor id or index
   * @param {number} slots
   * @returns {Float32Array}
   */
  speedHistory(sensor, slots) {
    this.#live();
    const idx = typeof sensor === 'number' ? sensor : this.sensorIds.indexOf(sensor);
    if (idx < 0 || idx >= this.sensorIds.length) throw new FlowcastError('E_NOT_FOUND', `unknown sensor ${sensor}`);
    const n = Math.max(0, Math.floor(slots));
    const p = this.rt.malloc(Math.max(4, n * 4));
    try {
      const status = this.rt.x.fc_engine_speed_history(this.engine, idx, p, n);
      if (status !== 0) throw new FlowcastError(this.rt.statusName(status), 'speedHistory failed');
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
    this.#live();
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
    this.#live();
    const p = this.scratch + OFF_LOCAL;
    const status = this.rt.x.fcw_local_time(this.engine, tsMs, p);
    if (status !== 0) throw new FlowcastError(this.rt.statusName(status), `localTime(${tsMs}) failed`);
    const v = this.rt.view;
    const i = (/** @type {number} */ k) => v.getInt32(p + 4 * k, true);
    return { year: i(0), month: i(1), day: i(2), minuteOfDay: i(3), dayOfWeek: i(4), utcOffsetMin: i(5), isDst: i(6) === 1 };
  }

  /**
   * Ingests one row of values in network sensor order (NaN = missing), under the same rules as
   * a snapshot. For research datasets and replays; never throws for bad data.
   * @param {number} tsMs end of the measurement period, Unix ms
   * @param {ArrayLike<number>} speedMph
   * @param {ArrayLike<number>} [volumeVph]
   * @param {ArrayLike<number>} [occupancy]
   * @returns {IngestOk | IngestError}
   */
  ingestValues(tsMs, speedMph, volumeVph, occupancy) {
    this.#live();
    const n = this.sensorIds.length;
    for (const a of [speedMph, volumeVph, occupancy]) {
      if (a && a.length !== n) return { ok: false, code: 'E_ARG', status: 2, message: `values: ${a.length} given for ${n} sensors` };
    }
    const rt = this.rt;
    const p = rt.malloc(12 * n + 8);
    try {
      const f32 = new Float32Array(rt.memory.buffer, p, 3 * n);
      f32.set(speedMph, 0);
      if (volumeVph) f32.set(volumeVph, n);
      if (occupancy) f32.set(occupancy, 2 * n);
      const res = this.scratch + OFF_RESULT;
      const status = rt.x.fcw_ingest_values(this.engine, tsMs, p, volumeVph ? p + 4 * n : 0, occupancy ? p + 8 * n : 0, n, res);
      if (status !== 0) return this.#error(status);
      const v = rt.view;
      return { ok: true, accepted: v.getUint32(res + 8, true), dropped: v.getUint32(res + 12, true),
        missing: v.getUint32(res + 16, true), ts: Number(v.getBigInt64(res, true)), slotsAdvanced: v.getUint32(res + 20, true) };
    } finally {
      rt.x.free(p);
    }
  }

  /**
   * Replaces the neighbour graph by a dense n x n adjacency (row i: influences on sensor i).
   * Drops the current model (its features were built on the old graph).
   * @param {ArrayLike<number>} adjacency row-major, n * n values >= 0
   */
  setAdjacency(adjacency) {
    this.#live();
    const n = this.sensorIds.length;
    if (adjacency.length !== n * n) throw new FlowcastError('E_ARG', `adjacency: ${adjacency.length} values for ${n} x ${n}`);
    const rt = this.rt;
    const p = rt.malloc(4 * n * n + 4);
    try {
      new Float32Array(rt.memory.buffer, p, n * n).set(adjacency);
      const status = rt.x.fc_engine_set_adjacency(this.engine, p, n);
      if (status !== 0) throw new FlowcastError(rt.statusName(status), this.#error(status).message);
    } finally {
      rt.x.free(p);
    }
  }

  /**
   * Starts training on the engine's history; returns a function that does one bounded step and
   * returns the progress fraction (1 = done, the new model is in use).
   * @param {TrainOptions} [o]
   */
  #trainStepper(o = {}) {
    this.#live();
    const x = this.rt.x;
    const status = x.fcw_train_begin(this.engine, o.horizons ?? 0, o.smoothSlots ?? 0, o.profilePrior ?? -1,
      o.huberMph ?? 0, o.lambdaGlobal ?? -1, o.lambdaSensor ?? -1, o.irlsIters ?? 0, o.maxSamples ?? 0, o.globalSensors ?? 0);
    if (status !== 0) throw new FlowcastError(this.rt.statusName(status), `train: ${this.#error(status).message}`);
    return () => {
      const out = this.scratch + OFF_OUT;
      const st = x.fc_engine_train_step(this.engine, out);
      if (st !== 0) throw new FlowcastError(this.rt.statusName(st), `train: ${this.#error(st).message}`);
      return this.rt.view.getFloat64(out, true);
    };
  }

  /**
   * Trains the model on the whole history, yielding to the event loop between steps so a page
   * or worker stays responsive; options.onProgress(fraction) reports progress.
   * @param {TrainOptions} [options]
   * @returns {Promise<{ ms: number }>}
   */
  async train(options = {}) {
    const step = this.#trainStepper(options);
    const t0 = performance.now();
    let last = t0;
    for (let p = 0; p < 1;) {
      p = step();
      options.onProgress?.(p);
      if (p < 1 && performance.now() - last > 30) {
        await new Promise((r) => setTimeout(r, 0));
        last = performance.now();
      }
    }
    return { ms: performance.now() - t0 };
  }

  /**
   * Trains without yielding (benchmarks, Node scripts).
   * @param {TrainOptions} [options]
   * @returns {{ ms: number }}
   */
  trainSync(options = {}) {
    const step = this.#trainStepper(options);
    const t0 = performance.now();
    for (let p = 0; p < 1;) {
      p = step();
      options.onProgress?.(p);
    }
    return { ms: performance.now() - t0 };
  }

  /** Steps ahead the current model forecasts (0 without a model). */
  get horizons() {
    this.#live();
    return this.rt.x.fc_engine_horizons(this.engine);
  }

  /**
   * Forecasts every sensor at every horizon from the newest data (copies, safe to keep).
   * Throws FlowcastError E_STATE without a model or data.
   * @returns {Forecast}
   */
  forecast() {
    this.#live();
    const rt = this.rt, x = rt.x;
    const H = x.fc_engine_horizons(this.engine);
    const len = this.sensorIds.length * H;
    if (len !== this.forecastLen) {
      if (this.forecastBuf) x.free(this.forecastBuf);
      this.forecastBuf = len ? rt.malloc(12 * len) : 0;
      this.forecastLen = len;
    }
    const p = this.forecastBuf;
    const status = x.fc_engine_forecast(this.engine, p, p + 4 * len, p + 8 * len, len);
    if (status !== 0) throw new FlowcastError(rt.statusName(status), `forecast: ${this.#error(status).message}`);
    const buf = rt.memory.buffer;
    return {
      ts: x.fcw_last_ts_ms(this.engine),
      horizons: H,
      intervalS: this.intervalS,
      mid: new Float32Array(buf, p, len).slice(),
      lo: new Float32Array(buf, p + 4 * len, len).slice(),
      hi: new Float32Array(buf, p + 8 * len, len).slice(),
    };
  }

  /**
   * The current model as a model file (see c/src/model_io.c). Throws without a model, or when
   * its profiles are not here (tile mode). `{ profiles: false }` leaves the time-of-day profiles
   * out (weights and intervals only, for engines that read profiles from tiles); that works in
   * any mode.
   * @param {{ profiles?: boolean }} [opts]
   * @returns {Uint8Array}
   */
  saveModel({ profiles = true } = {}) {
    this.#live();
    const rt = this.rt, x = rt.x;
    const [sizeOf, save] = profiles ? [x.fc_engine_model_size, x.fc_engine_save_model]
      : [x.fcw_model_size_without_profiles, x.fcw_save_model_without_profiles];
    const size = sizeOf(this.engine);
    if (!size) { // no model, or its profiles are not here: the engine says which
      const st = save(this.engine, 0, 0, 0);
      throw new FlowcastError(rt.statusName(st || 3), `saveModel: ${this.#error(st || 3).message}`);
    }
    const p = rt.malloc(size);
    try {
      const st = save(this.engine, p, size, this.scratch + OFF_OUT);
      if (st !== 0) throw new FlowcastError(rt.statusName(st), this.#error(st).message);
      return new Uint8Array(rt.memory.buffer, p, size).slice();
    } finally {
      rt.x.free(p);
    }
  }

  /**
   * Loads a model file, checking it completely first; a bad file changes nothing.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @returns {{ ok: true } | IngestError}
   */
  loadModel(bytes) {
    this.#live();
    const st = this.#callWithBytes(bytes, (p, len) => this.rt.x.fc_engine_load_model(this.engine, p, len));
    return st === 0 ? { ok: true } : this.#error(st);
  }

  /**
   * Calls fn(address, length) with a copy of bytes in the wasm heap, freed afterwards.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @param {(p: number, len: number) => number} fn
   */
  #callWithBytes(bytes, fn) {
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
   * Tile mode (c/src/engine_tiles.c): from now on the model's time-of-day profiles come from
   * history profile tiles — one per sensor group (corridor; "~rest" for sensors in no corridor)
   * and day type — that `fetchTile` supplies on demand (e.g. from the feed server's
   * `GET /api/v1/profiles/<group>/<daytype>`), kept in an LRU cache of `maxBytes` inside the
   * engine; the model's own profile arrays are freed. Needs a loaded model. Then use
   * `await forecastAsync()` (it fetches what is missing); `forecast()` returns the newest
   * finished one. Throws FlowcastError on a bad size or state.
   * @param {{ maxBytes: number, fetchTile: (group: string, daytype: 'weekday' | 'weekend') => Promise<Uint8Array | ArrayBuffer> }} opts
   */
  useProfileTiles({ maxBytes, fetchTile }) {
    this.#live();
    if (typeof fetchTile !== 'function') throw new FlowcastError('E_ARG', 'useProfileTiles: fetchTile must be a function');
    const st = this.rt.x.fcw_tiles_enable(this.engine, Number(maxBytes));
    if (st !== 0) throw new FlowcastError(this.rt.statusName(st), `useProfileTiles: ${this.#error(st).message}`);
    this.#fetchTile = fetchTile;
  }

  /** The tile groups of the network (corridor ids, then "~rest" when some sensors are in none). */
  tileGroups() {
    this.#live();
    const x = this.rt.x, out = [];
    for (let g = 0, n = x.fcw_tile_groups(this.engine); g < n; g++) out.push(this.rt.cString(x.fcw_tile_group_id(this.engine, g)));
    return out;
  }

  /**
   * The profile tile of one group and day type from this engine's model (servers do this; an
   * engine in tile mode has no profiles to export). Throws FlowcastError.
   * @param {string} group
   * @param {'weekday' | 'weekend'} daytype
   * @returns {Uint8Array}
   */
  profileTile(group, daytype) {
    this.#live();
    const g = this.tileGroups().indexOf(group);
    if (g < 0) throw new FlowcastError('E_NOT_FOUND', `profileTile: unknown group ${JSON.stringify(group)}`);
    const d = DAYTYPES.indexOf(daytype);
    if (d < 0) throw new FlowcastError('E_RANGE', `profileTile: day type must be "weekday" or "weekend"`);
    const rt = this.rt, size = rt.x.fcw_tile_size(this.engine, g);
    const p = rt.malloc(Math.max(size, 1));
    try {
      const st = rt.x.fcw_tile_export(this.engine, g, d, p, size);
      if (st !== 0) throw new FlowcastError(rt.statusName(st), `profileTile: ${this.#error(st).message}`);
      return rt.u8.slice(p, p + size);
    } finally {
      rt.x.free(p);
    }
  }

  /**
   * Validates and caches one tile (untrusted bytes). Throws FlowcastError (E_SCHEMA, E_FIELD,
   * E_NETWORK_ID for another network or model, E_RANGE, E_TOO_LARGE over the cache).
   * @param {Uint8Array | ArrayBuffer} bytes
   */
  putProfileTile(bytes) {
    this.#live();
    const st = this.#callWithBytes(bytes, (p, len) => this.rt.x.fcw_tile_put(this.engine, p, len));
    if (st !== 0) throw new FlowcastError(this.rt.statusName(st), this.#error(st).message);
  }

  /**
   * `forecast()` that works in tile mode too: forecasts group by group, fetching each missing
   * tile through `fetchTile` (so a cache smaller than the network's tiles still completes:
   * tiles are evicted and fetched again), then returns the forecast. Without tile mode it is
   * `forecast()`. If a snapshot is ingested while a tile is being fetched, it starts over.
   * @returns {Promise<Forecast>}
   */
  async forecastAsync() {
    this.#live();
    const x = this.rt.x;
    if (!x.fcw_tiles_enabled(this.engine)) return this.forecast();
    const groups = this.tileGroups();
    for (let attempt = 0; attempt < 5; attempt++) {
      const begun = x.fcw_forecast_tiles_begin(this.engine);
      if (begun < 0) throw new FlowcastError(this.rt.statusName(-begun), `forecast: ${this.#error(-begun).message}`);
      let restart = false;
      for (let g = 0; g < groups.length && !restart; g++) {
        for (;;) {
          const r = x.fcw_forecast_tiles_group(this.engine, g);
          if (r === 0) break;
          if (r === -3) { restart = true; break; } // E_STATE: the data changed while we awaited a tile
          if (r < 0) throw new FlowcastError(this.rt.statusName(-r), `forecast: ${this.#error(-r).message}`);
          const tile = await this.#fetchTile(groups[g], DAYTYPES[r - 100]);
          this.#live();
          this.putProfileTile(tile);
        }
      }
      if (restart) continue;
      const st = x.fcw_forecast_tiles_end(this.engine);
      if (st === 3) continue;
      if (st !== 0) throw new FlowcastError(this.rt.statusName(st), `forecast: ${this.#error(st).message}`);
      return this.forecast();
    }
    throw new FlowcastError('E_STATE', 'forecast: the data kept changing while profile tiles were fetched');
  }

  /** Counters of the profile-tile cache (zeros unless tile mode is on). */
  tileCacheStats() {
    this.#live();
    return this.#cacheStats((p) => this.rt.x.fcw_tile_cache_stats(this.engine, p));
  }

  /**
   * Index of a station id (a Map built once per network).
   * @param {unknown} id
   * @param {string} what  for the message
   */
  #station(id, what) {
    if (this.#idsOf !== this.sensorIds) {
      this.#ids = new Map(this.sensorIds.map((s, i) => [s, i]));
      this.#idsOf = this.sensorIds;
    }
    const i = typeof id === 'string' ? this.#ids.get(id) : undefined;
    if (i === undefined) throw new FlowcastError('E_NOT_FOUND', `${what}: unknown station ${JSON.stringify(id)}`);
    return i;
  }

  /** @type {Map<string, number>} */
  #ids = new Map();
  /** @type {string[] | null} */
  #idsOf = null;
  #routeBuf = 0;
  #routeCap = 0;
  /** @type {(group: string, daytype: 'weekday' | 'weekend') => Promise<Uint8Array | ArrayBuffer>} */
  #fetchTile = async () => { throw new FlowcastError('E_STATE', 'profile tiles are not enabled'); };

  /** @param {number} bytes  a reusable heap block for route results */
  #routeScratch(bytes) {
    if (bytes > this.#routeCap) {
      if (this.#routeBuf) this.rt.x.free(this.#routeBuf);
      this.#routeBuf = 0;
      this.#routeCap = Math.max(bytes, 4096);
      this.#routeBuf = this.rt.malloc(this.#routeCap);
    }
    return this.#routeBuf;
  }

  /**
   * @param {number} status
   * @param {string} what
   */
  #routeError(status, what) {
    const msg = this.rt.cString(this.rt.x.fc_engine_message(this.engine)) || this.rt.cString(this.rt.x.fc_strerror(status));
    return new FlowcastError(this.rt.statusName(status), `${what}: ${msg.replace(/^(travel time|best departure): /, '')}`);
  }

  /** The newest data time (Unix ms), the default departure; NaN before any data. */
  #newest() {
    const t = this.rt.x.fcw_last_ts_ms(this.engine);
    return Number.isFinite(t) ? t : NaN;
  }

  /**
   * Time-dependent travel time between two stations on the current forecast: each segment at
   * the speed forecast for when the traveller reaches it, along the fastest path. Results are
   * cached per data version (a new snapshot or model invalidates them). Throws FlowcastError for
   * a bad query: E_NOT_FOUND (unknown station, no path), E_ARG (from === to), E_RANGE (departure
   * outside the forecast), E_STATE (no model or data).
   * @param {{ from: string, to: string, departAt?: number, cache?: boolean }} query
   *   departAt: Unix ms, default the newest data time; cache: false computes afresh (benchmarks)
   * @returns {TravelTime}
   */
  travelTime({ from, to, departAt, cache = true }) {
    this.#live();
    const a = this.#station(from, 'travelTime: from'), b = this.#station(to, 'travelTime: to');
    const rt = this.rt, n = this.sensorIds.length;
    const p = this.#routeScratch(64 + 24 * n);
    const depart = departAt ?? this.#newest();
    if (typeof depart !== 'number' || Number.isNaN(depart)) {
      if (departAt === undefined) throw new FlowcastError('E_STATE', 'travelTime: no data: ingest a snapshot first');
      throw new FlowcastError('E_ARG', `travelTime: departAt must be Unix milliseconds, got ${String(departAt)}`);
    }
    const status = rt.x.fcw_travel_time(this.engine, a, b, depart, cache ? 0 : 1, p, p + 64, n);
    if (status !== 0) throw this.#routeError(status, 'travelTime');
    const v = rt.view;
    const count = v.getUint32(p + 56, true);
    /** @type {TravelSegment[]} */
    const segments = new Array(count);
    for (let i = 0, q = p + 64; i < count; i++, q += 24) {
      segments[i] = {
        from: this.sensorIds[v.getUint32(q, true)],
        to: this.sensorIds[v.getUint32(q + 4, true)],
        lengthMi: v.getFloat32(q + 8, true),
        speedMph: v.getFloat32(q + 12, true),
        entryMinutes: v.getFloat64(q + 16, true),
      };
    }
    return {
      departAt: depart,
      minutes: v.getFloat64(p + 8, true),
      distanceMi: v.getFloat64(p + 16, true),
      freeFlowMinutes: v.getFloat64(p + 24, true),
      delayMinutes: v.getFloat64(p + 32, true),
      low: v.getFloat64(p + 40, true),
      high: v.getFloat64(p + 48, true),
      segments,
    };
  }

  /**
   * "When should I leave?": the travel time for each departure in [earliest, latest] every
   * stepMin minutes, the fastest, and the minutes it saves against leaving at `earliest`.
   * Defaults: earliest = the newest data time, latest = the end of the forecast, stepMin = 5.
   * Throws FlowcastError like travelTime (E_RANGE for a window outside the forecast).
   * @param {{ from: string, to: string, earliest?: number, latest?: number, stepMin?: number }} query
   * @returns {BestDeparture}
   */
  bestDeparture({ from, to, earliest, latest, stepMin = 5 }) {
    this.#live();
    const a = this.#station(from, 'bestDeparture: from'), b = this.#station(to, 'bestDeparture: to');
    const rt = this.rt, x = rt.x;
    const start = earliest ?? this.#newest();
    const end = latest ?? start + x.fc_engine_horizons(this.engine) * this.intervalS * 1000;
    const stepMs = Math.round(stepMin * 60000);
    if (!(stepMs >= 1000)) throw new FlowcastError('E_ARG', `bestDeparture: stepMin must be at least 1/60 (one second), got ${stepMin}`);
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      if (earliest === undefined && Number.isNaN(start)) throw new FlowcastError('E_STATE', 'bestDeparture: no data: ingest a snapshot first');
      throw new FlowcastError('E_ARG', 'bestDeparture: earliest and latest must be Unix milliseconds');
    }
    const count = Math.max(1, Math.min(100000, Math.floor((end - start) / stepMs) + 1));
    const p = this.#routeScratch(8 + 32 * count);
    const status = x.fcw_best_departure(this.engine, a, b, start, end, stepMs, p + 8, count, p);
    if (status !== 0) throw this.#routeError(status, 'bestDeparture');
    const v = rt.view;
    const n = v.getUint32(p, true), bi = v.getUint32(p + 4, true);
    /** @type {Departure[]} */
    const departures = new Array(n);
    for (let i = 0, q = p + 8; i < n; i++, q += 32) {
      departures[i] = {
        departAt: Number(v.getBigInt64(q, true)),
        minutes: v.getFloat64(q + 8, true),
        low: v.getFloat64(q + 16, true),
        high: v.getFloat64(q + 24, true),
      };
    }
    return { departures, best: departures[bi], savesMinutes: departures[0].minutes - departures[bi].minutes };
  }

  /**
   * Counters of the route-result cache (zeros before the first query).
   * @returns {CacheStats}
   */
  cacheStats() {
    this.#live();
    return this.#cacheStats((p) => this.rt.x.fc_engine_route_cache_stats(this.engine, p));
  }

  /** @param {(p: number) => void} fill  writes an fc_cache_stats at p */
  #cacheStats(fill) {
    const p = this.#routeScratch(72);
    fill(p);
    const v = this.rt.view;
    const u64 = (/** @type {number} */ o) => Number(v.getBigUint64(p + o, true));
    return {
      hits: u64(0), misses: u64(8), insertions: u64(16), evictions: u64(24), bytesInUse: u64(32), peakBytes: u64(40),
      entries: v.getUint32(p + 48, true), maxEntries: v.getUint32(p + 52, true), maxBytes: u64(56), footprintBytes: u64(64),
    };
  }

  /** The engine's data version: changes whenever a forecast or a travel time could change. */
  get dataVersion() {
    this.#live();
    return this.rt.x.fcw_data_version(this.engine);
  }

  /**
   * Per-stage timings (medians and p95 over the last 256 calls, totals), counters and memory:
   * the numbers a performance panel shows and users can quote in bug reports.
   * @returns {{ stages: Record<string, { calls: number, totalUs: number, medianUs: number, p95Us: number }>,
   *   counters: { fastParses: number, fallbackParses: number, canonicalReadings: number }, memory: { wasmHeapBytes: number,
   *   historyBytes: number, modelBytes: number, routeBytes: number } }}
   */
  stats() {
    this.#live();
    const x = this.rt.x;
    const p = this.rt.malloc(32);
    try {
      /** @type {Record<string, { calls: number, totalUs: number, medianUs: number, p95Us: number }>} */
      const stages = {};
      for (let k = 0; k < 5; k++) {
        x.fc_engine_stage_stats(this.engine, k, p);
        const v = this.rt.view;
        stages[this.rt.cString(x.fc_stage_name(k))] = {
          calls: Number(v.getBigUint64(p, true)), totalUs: v.getFloat64(p + 8, true),
          medianUs: v.getFloat32(p + 16, true), p95Us: v.getFloat32(p + 20, true),
        };
      }
      x.fc_engine_parser_counts(this.engine, p, p + 8);
      let v = this.rt.view;
      const counters = { fastParses: Number(v.getBigUint64(p, true)), fallbackParses: Number(v.getBigUint64(p + 8, true)),
        canonicalReadings: Number(x.fc_engine_canonical_readings(this.engine)) };
      x.fc_engine_memory(this.engine, p);
      v = this.rt.view;
      const memory = { wasmHeapBytes: this.rt.heapBytes, historyBytes: Number(v.getBigUint64(p, true)),
        modelBytes: Number(v.getBigUint64(p + 8, true)), routeBytes: Number(v.getBigUint64(p + 16, true)) };
      return { stages, counters, memory };
    } finally {
      this.rt.x.free(p);
    }
  }

  /**
   * Records engine spans: `trace({ start: true })` begins (clearing earlier spans),
   * `trace({ stop: true })` ends and returns them as a Chrome trace-event JSON object (save it
   * as .json and open it in Perfetto or chrome://tracing / DevTools' Performance panel).
   * @param {{ start?: boolean, stop?: boolean }} what
   * @returns {{ traceEvents: object[], displayTimeUnit: string } | undefined}
   */
  trace(what) {
    this.#live();
    const x = this.rt.x;
    if (what.start) {
      const st = x.fc_engine_trace(this.engine, 1);
      if (st !== 0) throw new FlowcastError(this.rt.statusName(st), this.#error(st).message);
      return undefined;
    }
    if (!what.stop) throw new FlowcastError('E_ARG', 'trace: pass { start: true } or { stop: true }');
    x.fc_engine_trace(this.engine, 0);
    const p = this.rt.malloc(8);
    try {
      const spans = x.fc_engine_trace_spans(this.engine, p, p + 4);
      const v = this.rt.view;
      const count = v.getUint32(p, true), next = v.getUint32(p + 4, true);
      const cap = 8192, names = ['parse', 'commit', 'forecast', 'train', 'route'];
      const traceEvents = [{ name: 'process_name', ph: 'M', pid: 1, tid: 1, args: { name: 'flowcast engine' } }];
      for (let i = 0; i < count; i++) {
        const at = spans + 24 * ((next - count + i + cap) % cap);
        const stage = v.getUint32(at + 16, true);
        traceEvents.push({ name: names[stage] ?? 'stage', cat: 'flowcast', ph: 'X', pid: 1, tid: 1,
          ts: v.getFloat64(at, true), dur: v.getFloat64(at + 8, true), args: { n: v.getUint32(at + 20, true) } });
      }
      return { traceEvents, displayTimeUnit: 'ms' };
    } finally {
      this.rt.x.free(p);
    }
  }

  /** Frees the engine and its buffers. Safe to call twice. */
  dispose() {
    if (!this.engine) return;
    const x = this.rt.x;
    if (this.#routeBuf) x.free(this.#routeBuf);
    this.#routeBuf = this.#routeCap = 0;
    x.fc_engine_destroy(this.engine);
    for (const p of [this.scratch, this.input, this.latestBuf, this.forecastBuf]) if (p) x.free(p);
    this.engine = this.scratch = this.input = this.latestBuf = this.inputCap = this.forecastBuf = this.forecastLen = 0;
  }

  // server rulebook API: what a feed server needs to store and serve exactly what the engine
  // decided (web/server/rules.js), so the server keeps no data rule of its own.

  /**
   * `ingest` (JSON text or UTF-8 bytes) or `ingestBinary` (FCSNAP1), deciding and committing
   * exactly as they do, that also returns the values this snapshot committed for itself: its
   * readings as the engine staged them (quantised as the history stores them, dropped readings
   * missing), before any averaging with other snapshots of its slot. Never throws for bad data.
   * @param {string | Uint8Array} snapshot
   * @param {{ binary?: boolean }} [opts]
   * @returns {(IngestOk & { values: { speedMph: Float32Array, volumeVph: Float32Array, occupancy: Float32Array, quality: Uint8Array } }) | IngestError}
   */
  ingestEcho(snapshot, { binary = false } = {}) {
    this.#live();
    const size = typeof snapshot === 'string' ? encoder.encode(snapshot).length : snapshot.length;
    // an oversized payload: the plain ingest refuses it before copying, in the engine's words
    if (size > this.maxPayloadBytes) return binary ? this.ingestBinary(/** @type {Uint8Array} */ (snapshot)) : this.ingest(snapshot);
    const rt = this.rt;
    const n = this.sensorIds.length;
    const len = this.#stage(snapshot);
    const out = rt.malloc(13 * n + 16);
    try {
      const vo = out + 4 * n, oc = vo + 4 * n, q = oc + 4 * n;
      const res = this.scratch + OFF_RESULT;
      const fn = binary ? rt.x.fc_ingest_binary_echo : rt.x.fc_ingest_json_echo;
      const status = fn(this.engine, this.input, len, res, out, vo, oc, q, n);
      if (status !== 0) return this.#error(status);
      const buf = rt.memory.buffer;
      return {
        ...this.#ingested(res),
        values: {
          speedMph: new Float32Array(buf, out, n).slice(), volumeVph: new Float32Array(buf, vo, n).slice(),
          occupancy: new Float32Array(buf, oc, n).slice(), quality: new Uint8Array(buf, q, n).slice(),
        },
      };
    } finally {
      rt.x.free(out);
    }
  }

  /**
   * Number of the newest history slot (slot k covers [k, k + 1) * intervalS seconds from the epoch),
   * or -Infinity before the first snapshot.
   * @returns {number}
   */
  historyHead() {
    this.#live();
    return this.rt.x.fcw_history_head(this.engine);
  }

  /**
   * The committed rows of slots firstSlot .. firstSlot + rows - 1 for every sensor, row-major
   * (index row * sensorCount + sensor): each slot's means, as every engine reader sees them;
   * NaN (quality 0) where the history holds nothing. Written into `into` when given (arrays of
   * at least rows * sensorCount, e.g. views into a response buffer), else into new arrays.
   * @param {number} firstSlot
   * @param {number} rows
   * @param {{ speedMph: Float32Array, volumeVph: Float32Array, occupancy: Float32Array, quality: Uint8Array }} [into]
   */
  historyRows(firstSlot, rows, into) {
    this.#live();
    const n = this.sensorIds.length;
    const cells = rows * n;
    const out = into ?? {
      speedMph: new Float32Array(cells), volumeVph: new Float32Array(cells),
      occupancy: new Float32Array(cells), quality: new Uint8Array(cells),
    };
    // copied a block of rows at a time, so a four-week window does not grow the wasm heap
    const block = Math.max(1, Math.min(rows, Math.floor((1 << 20) / Math.max(1, n))));
    const rt = this.rt;
    const p = rt.malloc(13 * block * n + 16);
    try {
      const vo = p + 4 * block * n, oc = vo + 4 * block * n, q = oc + 4 * block * n;
      for (let r = 0; r < rows; r += block) {
        const k = Math.min(block, rows - r);
        const status = rt.x.fcw_history_rows(this.engine, firstSlot + r, k, p, vo, oc, q, n);
        if (status !== 0) throw new FlowcastError(rt.statusName(status), `historyRows(${firstSlot}, ${rows}) failed`);
        const buf = rt.memory.buffer;
        out.speedMph.set(new Float32Array(buf, p, k * n), r * n);
        out.volumeVph.set(new Float32Array(buf, vo, k * n), r * n);
        out.occupancy.set(new Float32Array(buf, oc, k * n), r * n);
        out.quality.set(new Uint8Array(buf, q, k * n), r * n);
      }
    } finally {
      rt.x.free(p);
    }
    return out;
  }
}

/**
 * Loads the wasm (once per URL), creates an engine and loads the network.
 * @param {{ network: string | Uint8Array | object, wasmUrl?: string | URL, config?: PredictorConfig }} options
 * @returns {Promise<Predictor>}
 */
export async function createPredictor({ network, wasmUrl, config = {} }) {
  if (network == null) throw new FlowcastError('E_ARG', 'createPredictor: a network is required');
  const rt = await runtimeFor(wasmUrl);
  const out = rt.malloc(4);
  const parser = config.parser === undefined ? 0 : Object.hasOwn(PARSERS, config.parser) ? PARSERS[config.parser] : 255; // 255: E_RANGE
  const status = rt.x.fcw_engine_create(config.historyS ?? 0, config.maxPayloadBytes ?? 0, config.maxAheadS ?? 0,
    config.maxSpeedMph ?? 0, config.maxVolumeVph ?? 0, parser, out);
  const engine = rt.view.getUint32(out, true);
  rt.x.free(out);
  if (status !== 0) throw new FlowcastError(rt.statusName(status), `createPredictor: invalid config ${JSON.stringify(config)}`);
  const p = new Predictor(rt, engine, config.maxPayloadBytes || DEFAULT_MAX_PAYLOAD);
  try {
    p.loadNetwork(network);
  } catch (err) {
    p.dispose();
    throw err;
  }
  return p;
}

/**
 * The shared wasm runtime behind a URL. Internal: for the other modules of this package that
 * need a narrow handle API of their own (web/lru.js); applications use createPredictor().
 * @param {string | URL} [wasmUrl]
 */
export async function wasmRuntime(wasmUrl) {
  return runtimeFor(wasmUrl);
}

/**
 * Heap size of the runtime behind a wasm URL (for memory tests and the performance panel).
 * @param {string | URL} [wasmUrl]
 * @returns {Promise<number>}
 */
export async function wasmHeapBytes(wasmUrl) {
  return (await runtimeFor(wasmUrl)).heapBytes;
}

/**
 * Parses an ISO 8601 timestamp exactly as the engine does (Unix ms), or NaN.
 * @param {string} s
 * @param {string | URL} [wasmUrl]
 */
export async function parseTimestamp(s, wasmUrl) {
  const rt = await runtimeFor(wasmUrl);
  const bytes = encoder.encode(s);
  const p = rt.malloc(bytes.length + 8);
  try {
    rt.u8.set(bytes, p + 8);
    const status = rt.x.fcw_parse_timestamp(p + 8, bytes.length, p);
    return status === 0 ? rt.view.getFloat64(p, true) : NaN;
  } finally {
    rt.x.free(p);
  }
}

// server rulebook API: the engine's parsers for what a feed server reads besides snapshots.

/**
 * A synchronous createPredictor for hosts that create engines inside synchronous code (the feed
 * server builds one per network it loads): await this once, then call the function it returns
 * with createPredictor's options. Same engine, same errors.
 * @param {string | URL} [wasmUrl]
 * @returns {Promise<(options: { network: string | Uint8Array | object, config?: PredictorConfig }) => Predictor>}
 */
export async function predictorFactory(wasmUrl) {
  const rt = await runtimeFor(wasmUrl);
  return ({ network, config = {} }) => {
    if (network == null) throw new FlowcastError('E_ARG', 'predictorFactory: a network is required');
    const out = rt.malloc(4);
    const parser = config.parser === undefined ? 0 : Object.hasOwn(PARSERS, config.parser) ? PARSERS[config.parser] : 255;
    const status = rt.x.fcw_engine_create(config.historyS ?? 0, config.maxPayloadBytes ?? 0, config.maxAheadS ?? 0,
      config.maxSpeedMph ?? 0, config.maxVolumeVph ?? 0, parser, out);
    const engine = rt.view.getUint32(out, true);
    rt.x.free(out);
    if (status !== 0) throw new FlowcastError(rt.statusName(status), `predictorFactory: invalid config ${JSON.stringify(config)}`);
    const p = new Predictor(rt, engine, config.maxPayloadBytes || DEFAULT_MAX_PAYLOAD);
    try {
      p.loadNetwork(network);
    } catch (err) {
      p.dispose();
      throw err;
    }
    return p;
  };
}

/**
 * A synchronous ISO 8601 parser that decides exactly as the engine (Unix ms, or NaN), for
 * hosts that parse timestamps in request handlers.
 * @param {string | URL} [wasmUrl]
 * @returns {Promise<(s: unknown) => number>}
 */
export async function timestampParser(wasmUrl) {
  const rt = await runtimeFor(wasmUrl);
  return (s) => {
    if (typeof s !== 'string') return NaN;
    const bytes = encoder.encode(s);
    const p = rt.malloc(bytes.length + 8);
    try {
      rt.u8.set(bytes, p + 8);
      const status = rt.x.fcw_parse_timestamp(p + 8, bytes.length, p);
      return status === 0 ? rt.view.getFloat64(p, true) : NaN;
    } finally {
      rt.x.free(p);
    }
  };
}

/**
 * Parses a matrix CSV with a header row of sensor ids (docs/FORMATS.md, "Matrix CSV") with the
 * engine's parser (c/src/matrix.h). Throws FlowcastError (code, and a message with line and
 * column) for input the format refuses.
 * @param {Uint8Array} bytes
 * @param {string | URL} [wasmUrl]
 * @returns {Promise<{ rows: number, cols: number, ids: string[], values: Float32Array }>} values row-major, NaN missing
 */
export async function parseMatrixCsv(bytes, wasmUrl) {
  const rt = await runtimeFor(wasmUrl);
  const MSG = 256;
  // one block: the matrix pointer (8 bytes), the message buffer, then the text
  const p = rt.malloc(8 + MSG + bytes.length);
  const msg = p + 8, text = msg + MSG;
  try {
    rt.u8.set(bytes, text);
    const status = rt.x.fcw_matrix_parse(text, bytes.length, p, msg, MSG);
    if (status !== 0) throw new FlowcastError(rt.statusName(status), rt.cString(msg));
    const m = rt.view.getUint32(p, true);
    try {
      const rows = rt.x.fcw_matrix_rows(m), cols = rt.x.fcw_matrix_cols(m);
      const ids = Array.from({ length: cols }, (_, i) => rt.cString(rt.x.fcw_matrix_id(m, i)));
      const values = new Float32Array(rt.memory.buffer, rt.x.fcw_matrix_values(m), rows * cols).slice();
      return { rows, cols, ids, values };
    } finally {
      rt.x.fcw_matrix_free(m);
    }
  } finally {
    rt.x.free(p);
  }
}
