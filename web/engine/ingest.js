// ingest.js — putting data into a predictor's history: a JSON snapshot, a binary snapshot
// (FCSNAP1) or a row of values, all under the engine's one set of rules (c/src/ingest.c).
// None of them throws for bad data: a rejection is a result ({ ok: false, code, message }) and
// leaves the engine's committed state unchanged.

import { FC_E_ARG, FC_E_TOO_LARGE, FC_OK, OFF_RESULT, readIngestResult } from './abi.js';
import { encoder } from './runtime.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */
/** @typedef {import('./abi.js').IngestOk} IngestOk */
/** @typedef {import('./predictor.js').IngestError} IngestError */

/**
 * Ingests one snapshot.
 * @param {Predictor} p
 * @param {string | Uint8Array | object} snapshot JSON text, UTF-8 bytes, or a parsed object
 * @returns {IngestOk | IngestError}
 */
export function ingest(p, snapshot) {
  p._live();
  let data;
  if (typeof snapshot === 'string' || snapshot instanceof Uint8Array) data = snapshot;
  else {
    try {
      data = JSON.stringify(snapshot);
    } catch (err) {
      return p._refuse(FC_E_ARG, `snapshot: cannot serialise object (${/** @type {Error} */ (err).message})`);
    }
    if (typeof data !== 'string') return p._refuse(FC_E_ARG, 'snapshot: not a JSON value');
  }
  // An oversized payload is refused before it is copied into the wasm heap, with the
  // engine's own code and wording (the C check stays for callers of the C API).
  const bytes = typeof data !== 'string' ? data.length
    : data.length * 3 <= p.maxPayloadBytes ? 0
    : data.length > p.maxPayloadBytes ? data.length : encoder.encode(data).length;
  if (bytes > p.maxPayloadBytes) {
    return p._refuse(FC_E_TOO_LARGE, `snapshot: ${bytes} bytes exceeds the limit of ${p.maxPayloadBytes} bytes`);
  }
  const len = p._stage(data);
  const res = p.scratch + OFF_RESULT;
  const status = p.rt.x.fc_ingest_json(p.engine, p.input, len, res);
  if (status !== FC_OK) return p._error(status);
  return readIngestResult(p.rt.view, res);
}

/**
 * Ingests a binary snapshot (FCSNAP1, docs/FORMATS.md: columns in network order, what the
 * feed server sends for `Accept: application/vnd.flowcast.snapshot`), under the same rules
 * as `ingest` and with the same result; the same snapshot as JSON commits the same state.
 * @param {Predictor} p
 * @param {Uint8Array | ArrayBuffer} bytes
 * @returns {IngestOk | IngestError}
 */
export function ingestBinary(p, bytes) {
  p._live();
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (data.length > p.maxPayloadBytes) {
    return p._refuse(FC_E_TOO_LARGE, `binary snapshot: ${data.length} bytes, limit ${p.maxPayloadBytes}`);
  }
  const len = p._stage(data);
  const res = p.scratch + OFF_RESULT;
  const status = p.rt.x.fcw_ingest_binary(p.engine, p.input, len, res);
  if (status !== FC_OK) return p._error(status);
  return readIngestResult(p.rt.view, res);
}

/**
 * Ingests one row of values in network sensor order (NaN = missing), under the same rules as
 * a snapshot. For research datasets and replays.
 * @param {Predictor} p
 * @param {number} tsMs end of the measurement period, Unix ms
 * @param {ArrayLike<number>} speedMph
 * @param {ArrayLike<number>} [volumeVph]
 * @param {ArrayLike<number>} [occupancy]
 * @returns {IngestOk | IngestError}
 */
export function ingestValues(p, tsMs, speedMph, volumeVph, occupancy) {
  p._live();
  const n = p.sensorIds.length;
  for (const a of [speedMph, volumeVph, occupancy]) {
    if (a && a.length !== n) return p._refuse(FC_E_ARG, `values: ${a.length} given for ${n} sensors`);
  }
  const rt = p.rt;
  const at = rt.malloc(12 * n + 8);
  try {
    const f32 = new Float32Array(rt.memory.buffer, at, 3 * n);
    f32.set(speedMph, 0);
    if (volumeVph) f32.set(volumeVph, n);
    if (occupancy) f32.set(occupancy, 2 * n);
    const res = p.scratch + OFF_RESULT;
    const status = rt.x.fcw_ingest_values(p.engine, tsMs, at, volumeVph ? at + 4 * n : 0, occupancy ? at + 8 * n : 0, n, res);
    if (status !== FC_OK) return p._error(status);
    return readIngestResult(rt.view, res);
  } finally {
    rt.x.free(at);
  }
}
