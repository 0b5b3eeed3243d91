// model.js — the forecasting model of a predictor: the neighbour graph it is built on,
// training in bounded steps (yielding or not), forecasting every sensor at every horizon, and
// saving the model file (c/src/model_io.c). Loading a file is the predictor's (one call).

import { FC_E_ARG, FC_E_STATE, FC_OK, OFF_OUT } from './abi.js';
import { FlowcastError } from './errors.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */

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
 * @property {Float32Array} mid   central forecast, mph, index sensor * H + (step - 1); NaN at
 *   every step of a sensor whose evidence is `none`
 * @property {Float32Array} lo    10% bound
 * @property {Float32Array} hi    90% bound
 * @property {Uint8Array} evidence  per sensor, what its forecast stands on: a value of EVIDENCE
 *   (abi.js: observed, carried, profile, neighbours = estimated from the neighbours with a
 *   wider interval, none = NaN); the rule is the engine's (c/src/model_forecast.c)
 */

/**
 * Replaces the neighbour graph by a dense n x n adjacency (row i: influences on sensor i).
 * Drops the current model (its features were built on the old graph).
 * @param {Predictor} p
 * @param {ArrayLike<number>} adjacency row-major, n * n values >= 0
 */
export function setAdjacency(p, adjacency) {
  p._live();
  const n = p.sensorIds.length;
  if (adjacency.length !== n * n) throw new FlowcastError('E_ARG', `adjacency: ${adjacency.length} values for ${n} x ${n}`);
  const rt = p.rt;
  const at = rt.malloc(4 * n * n + 4);
  try {
    new Float32Array(rt.memory.buffer, at, n * n).set(adjacency);
    const status = rt.x.fc_engine_set_adjacency(p.engine, at, n);
    if (status !== FC_OK) throw p._fail(status);
  } finally {
    rt.x.free(at);
  }
}

/**
 * Starts training on the engine's history; returns a function that does one bounded step and
 * returns the progress fraction (1 = done, the new model is in use).
 * @param {Predictor} p
 * @param {TrainOptions} [o]
 */
function trainStepper(p, o = {}) {
  p._live();
  const x = p.rt.x;
  const status = x.fcw_train_begin(p.engine, o.horizons ?? 0, o.smoothSlots ?? 0, o.profilePrior ?? -1,
    o.huberMph ?? 0, o.lambdaGlobal ?? -1, o.lambdaSensor ?? -1, o.irlsIters ?? 0, o.maxSamples ?? 0, o.globalSensors ?? 0);
  if (status !== FC_OK) throw p._fail(status, 'train');
  return () => {
    const out = p.scratch + OFF_OUT;
    const st = x.fc_engine_train_step(p.engine, out);
    if (st !== FC_OK) throw p._fail(st, 'train');
    return p.rt.view.getFloat64(out, true);
  };
}

/**
 * Trains the model on the whole history, yielding to the event loop between steps so a page
 * or worker stays responsive; options.onProgress(fraction) reports progress.
 * @param {Predictor} p
 * @param {TrainOptions} [options]
 * @returns {Promise<{ ms: number }>}
 */
export async function train(p, options = {}) {
  const step = trainStepper(p, options);
  const t0 = performance.now();
  let last = t0;
  for (let f = 0; f < 1;) {
    f = step();
    options.onProgress?.(f);
    if (f < 1 && performance.now() - last > 30) {
      await new Promise((r) => setTimeout(r, 0));
      last = performance.now();
    }
  }
  return { ms: performance.now() - t0 };
}

/**
 * Trains without yielding (benchmarks, Node scripts).
 * @param {Predictor} p
 * @param {TrainOptions} [options]
 * @returns {{ ms: number }}
 */
export function trainSync(p, options = {}) {
  const step = trainStepper(p, options);
  const t0 = performance.now();
  for (let f = 0; f < 1;) {
    f = step();
    options.onProgress?.(f);
  }
  return { ms: performance.now() - t0 };
}

/**
 * Forecasts every sensor at every horizon from the newest data (copies, safe to keep).
 * Throws FlowcastError E_STATE without a model or data.
 * @param {Predictor} p
 * @returns {Forecast}
 */
export function forecast(p) {
  p._live();
  const rt = p.rt, x = rt.x;
  const H = x.fc_engine_horizons(p.engine);
  const len = p.sensorIds.length * H;
  if (len !== p.forecastLen) {
    if (p.forecastBuf) x.free(p.forecastBuf);
    // mid, lo, hi (4 bytes each per value), then one evidence byte per sensor
    p.forecastBuf = len ? rt.malloc(12 * len + p.sensorIds.length) : 0;
    p.forecastLen = len;
  }
  const at = p.forecastBuf;
  const status = x.fc_engine_forecast_evidence(p.engine, at, at + 4 * len, at + 8 * len, len, at + 12 * len);
  if (status !== FC_OK) throw p._fail(status, 'forecast');
  const buf = rt.memory.buffer;
  return {
    ts: x.fcw_last_ts_ms(p.engine),
    horizons: H,
    intervalS: p.intervalS,
    mid: new Float32Array(buf, at, len).slice(),
    lo: new Float32Array(buf, at + 4 * len, len).slice(),
    hi: new Float32Array(buf, at + 8 * len, len).slice(),
    evidence: new Uint8Array(buf, at + 12 * len, p.sensorIds.length).slice(),
  };
}

/**
 * The current model as a model file (format 3, c/src/model_pack.c). Throws without a model, or
 * when its profiles are not here (tile mode, or a model loaded from a window file).
 * `{ profiles: false }` leaves the time-of-day profiles out (weights and intervals only, for
 * engines that read profiles from tiles); that works in any mode. `{ window: tsMs }` writes a
 * window file: only the profiles that forecasts from the snapshots in the `spanS` seconds
 * (default 3600) after `tsMs` read — a small file for the first forecast; an engine that loads
 * it forecasts as with the full file inside the window and refuses ("no profile for this
 * time") outside it until the full file is loaded.
 * @param {Predictor} p
 * @param {{ profiles?: boolean, window?: number, spanS?: number }} [opts]
 * @returns {Uint8Array}
 */
export function saveModel(p, { profiles = true, window, spanS = 0 } = {}) {
  p._live();
  if (window !== undefined) return saveWindow(p, window, spanS);
  const rt = p.rt, x = rt.x;
  const [sizeOf, save] = profiles ? [x.fc_engine_model_size, x.fc_engine_save_model]
    : [x.fcw_model_size_without_profiles, x.fcw_save_model_without_profiles];
  const size = sizeOf(p.engine);
  if (!size) { // no model, or its profiles are not here: the engine says which
    const st = save(p.engine, 0, 0, 0) || FC_E_STATE;
    throw p._fail(st, 'saveModel');
  }
  const at = rt.malloc(size);
  try {
    const st = save(p.engine, at, size, p.scratch + OFF_OUT);
    if (st !== FC_OK) throw p._fail(st);
    return new Uint8Array(rt.memory.buffer, at, size).slice();
  } finally {
    rt.x.free(at);
  }
}

/**
 * The window file (fc_engine_save_model_window): asked once without a buffer for its size
 * (variable: the encoding is delta-coded), then written.
 * @param {Predictor} p
 * @param {number} tsMs
 * @param {number} spanS
 * @returns {Uint8Array}
 */
function saveWindow(p, tsMs, spanS) {
  if (!Number.isFinite(tsMs)) throw new TypeError('saveModel: window must be a time in Unix ms');
  if (!Number.isInteger(spanS) || spanS < 0 || spanS > 0xffffffff) throw new TypeError('saveModel: spanS must be a whole number of seconds');
  const rt = p.rt, x = rt.x;
  const written = p.scratch + OFF_OUT;
  new Uint32Array(rt.memory.buffer, written, 1)[0] = 0;
  let st = x.fcw_save_model_window(p.engine, tsMs, spanS, 0, 0, written);
  if (st !== FC_E_ARG) throw p._fail(st || FC_E_STATE, 'saveModel');
  const size = new Uint32Array(rt.memory.buffer, written, 1)[0];
  if (!size) throw p._fail(st, 'saveModel');
  const at = rt.malloc(size);
  try {
    st = x.fcw_save_model_window(p.engine, tsMs, spanS, at, size, written);
    if (st !== FC_OK) throw p._fail(st);
    return new Uint8Array(rt.memory.buffer, at, size).slice();
  } finally {
    x.free(at);
  }
}
