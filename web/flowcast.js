// flowcast.js — the JavaScript face of the flowcast engine, the same file in browsers and Node
// (package export "."). It hides the WebAssembly module completely: callers pass strings, bytes
// or objects and get plain objects and typed arrays back; pointers, the wasm heap and its
// growth never leak out. One wasm instance (a "runtime") is shared by every predictor created
// from the same URL, so several engines on a page share one heap, and disposing an engine
// returns its memory to it.
//
// The code lives in engine/ by job: runtime.js (loading, heap, strings), abi.js (the C ABI's
// numbers), predictor.js (the class), ingest.js, incidents.js, model.js, routes.js, tiles.js, stats.js.

import { DEFAULT_MAX_PAYLOAD, EVIDENCE, FC_OK, PARSERS, PARSER_INVALID } from './engine/abi.js';
import { FlowcastError } from './engine/errors.js';
import { Predictor } from './engine/predictor.js';
import { encoder, runtimeFor } from './engine/runtime.js';

/** What each sensor's forecast rests on (forecast().evidence): observed, carried, profile,
 * neighbours (estimated from neighbouring detectors), none (NaN: no evidence at all). */
export { EVIDENCE, FlowcastError, Predictor };

/** @typedef {import('./engine/abi.js').IngestOk} IngestOk */
/** @typedef {import('./engine/predictor.js').IngestError} IngestError */
/** @typedef {import('./engine/predictor.js').Latest} Latest */
/** @typedef {import('./engine/predictor.js').LocalTime} LocalTime */
/** @typedef {import('./engine/model.js').TrainOptions} TrainOptions */
/** @typedef {import('./engine/model.js').Forecast} Forecast */
/** @typedef {import('./engine/routes.js').TravelSegment} TravelSegment */
/** @typedef {import('./engine/routes.js').TravelTime} TravelTime */
/** @typedef {import('./engine/routes.js').Departure} Departure */
/** @typedef {import('./engine/routes.js').BestDeparture} BestDeparture */
/** @typedef {import('./engine/abi.js').CacheStats} CacheStats */
/** @typedef {import('./engine/incidents.js').Incident} Incident */
/** @typedef {import('./engine/incidents.js').IncidentsOk} IncidentsOk */

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
 * Loads the wasm (once per URL), creates an engine and loads the network.
 * @param {{ network: string | Uint8Array | object, wasmUrl?: string | URL, config?: PredictorConfig }} options
 * @returns {Promise<Predictor>}
 */
export async function createPredictor({ network, wasmUrl, config = {} }) {
  if (network == null) throw new FlowcastError('E_ARG', 'createPredictor: a network is required');
  return newPredictor(await runtimeFor(wasmUrl), network, config);
}

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
    return newPredictor(rt, network, config);
  };
}

/**
 * @param {import('./engine/runtime.js').Runtime} rt
 * @param {string | Uint8Array | object} network
 * @param {PredictorConfig} config
 */
function newPredictor(rt, network, config) {
  const out = rt.malloc(4);
  const parser = config.parser === undefined ? PARSERS.auto
    : Object.hasOwn(PARSERS, config.parser) ? PARSERS[config.parser] : PARSER_INVALID;
  const status = rt.x.fcw_engine_create(config.historyS ?? 0, config.maxPayloadBytes ?? 0, config.maxAheadS ?? 0,
    config.maxSpeedMph ?? 0, config.maxVolumeVph ?? 0, parser, out);
  const engine = rt.view.getUint32(out, true);
  rt.x.free(out);
  if (status !== FC_OK) throw new FlowcastError(rt.statusName(status), `createPredictor: invalid config ${JSON.stringify(config)}`);
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
  return (await timestampParser(wasmUrl))(s);
}

/**
 * A synchronous ISO 8601 parser that decides exactly as the engine (Unix ms, or NaN), for hosts
 * that parse timestamps in request handlers.
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
      return status === FC_OK ? rt.view.getFloat64(p, true) : NaN;
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
    if (status !== FC_OK) throw new FlowcastError(rt.statusName(status), rt.cString(msg));
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

/**
 * The model file format version this engine reads and writes (fc_model_format_version): what
 * a server compares with the files it holds before it serves or reuses one.
 * @param {string | URL} [wasmUrl]
 * @returns {Promise<number>}
 */
export async function modelFormatVersion(wasmUrl) {
  const rt = await runtimeFor(wasmUrl);
  return rt.x.fc_model_format_version() >>> 0; // a uint32_t arrives as a signed i32
}
