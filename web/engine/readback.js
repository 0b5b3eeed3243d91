// readback.js — what a host that serves the engine's decisions reads back (the feed server,
// web/server/rules.js; c/src/engine_read.c): the values a snapshot committed for itself, and a
// range of committed history rows. The server keeps no data rule of its own: it stores and
// serves exactly these, so a page's engine fed by it reaches the same state.

import { FC_OK, OFF_RESULT, readIngestResult } from './abi.js';
import { FlowcastError } from './errors.js';
import { ingest, ingestBinary } from './ingest.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */
/** @typedef {import('./abi.js').IngestOk} IngestOk */
/** @typedef {import('./predictor.js').IngestError} IngestError */
/** @typedef {{ speedMph: Float32Array, volumeVph: Float32Array, occupancy: Float32Array, quality: Uint8Array }} Columns */

/** Bytes of the four columns (three float32, one uint8) for n cells, and their offsets. */
const columnsAt = (/** @type {number} */ p, /** @type {number} */ cells) => ({ vo: p + 4 * cells, oc: p + 8 * cells, q: p + 12 * cells });

/**
 * `ingest` (JSON text or UTF-8 bytes) or `ingestBinary` (FCSNAP1), deciding and committing exactly
 * as they do, that also returns the values this snapshot committed for itself: its readings as
 * the engine staged them (quantised as the history stores them, dropped readings missing),
 * before any averaging with other snapshots of its slot. Never throws for bad data.
 * @param {Predictor} p
 * @param {string | Uint8Array} snapshot
 * @param {{ binary?: boolean }} [opts]
 * @returns {(IngestOk & { values: Columns }) | IngestError}
 */
export function ingestEcho(p, snapshot, { binary = false } = {}) {
  p._live();
  const size = typeof snapshot === 'string' ? snapshot.length * 3 : snapshot.length;
  // an oversized payload: the plain ingest refuses it before copying, in the engine's words
  if (size > p.maxPayloadBytes) {
    const r = binary ? ingestBinary(p, /** @type {Uint8Array} */ (snapshot)) : ingest(p, snapshot);
    if (!r.ok) return r;
  }
  const rt = p.rt;
  const n = p.sensorIds.length;
  const len = p._stage(snapshot);
  const out = rt.malloc(13 * n + 16);
  try {
    const { vo, oc, q } = columnsAt(out, n);
    const res = p.scratch + OFF_RESULT;
    const fn = binary ? rt.x.fc_ingest_binary_echo : rt.x.fc_ingest_json_echo;
    const status = fn(p.engine, p.input, len, res, out, vo, oc, q, n);
    if (status !== FC_OK) return p._error(status);
    const buf = rt.memory.buffer;
    return {
      ...readIngestResult(rt.view, res),
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
 * Number of the newest history slot (slot k covers [k, k + 1) * intervalS seconds from the
 * epoch), or -Infinity before the first snapshot.
 * @param {Predictor} p
 * @returns {number}
 */
export function historyHead(p) {
  p._live();
  return p.rt.x.fcw_history_head(p.engine);
}

/**
 * The committed rows of slots firstSlot .. firstSlot + rows - 1 for every sensor, row-major
 * (index row * sensorCount + sensor): each slot's means, as every engine reader sees them; NaN
 * (quality 0) where the history holds nothing. Written into `into` when given (arrays of at least
 * rows * sensorCount, e.g. views into a response buffer), else into new arrays.
 * @param {Predictor} p
 * @param {number} firstSlot
 * @param {number} rows
 * @param {Columns} [into]
 * @returns {Columns}
 */
export function historyRows(p, firstSlot, rows, into) {
  p._live();
  const n = p.sensorIds.length;
  const cells = rows * n;
  const out = into ?? {
    speedMph: new Float32Array(cells), volumeVph: new Float32Array(cells),
    occupancy: new Float32Array(cells), quality: new Uint8Array(cells),
  };
  // copied a block of rows at a time, so a four-week window does not grow the wasm heap
  const block = Math.max(1, Math.min(rows, Math.floor((1 << 20) / Math.max(1, n))));
  const rt = p.rt;
  const at = rt.malloc(13 * block * n + 16);
  try {
    const { vo, oc, q } = columnsAt(at, block * n);
    for (let r = 0; r < rows; r += block) {
      const k = Math.min(block, rows - r);
      const status = rt.x.fcw_history_rows(p.engine, firstSlot + r, k, at, vo, oc, q, n);
      if (status !== FC_OK) throw new FlowcastError(rt.statusName(status), `historyRows(${firstSlot}, ${rows}) failed`);
      const buf = rt.memory.buffer;
      out.speedMph.set(new Float32Array(buf, at, k * n), r * n);
      out.volumeVph.set(new Float32Array(buf, vo, k * n), r * n);
      out.occupancy.set(new Float32Array(buf, oc, k * n), r * n);
      out.quality.set(new Uint8Array(buf, q, k * n), r * n);
    }
  } finally {
    rt.x.free(at);
  }
  return out;
}
