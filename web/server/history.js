// Recent history for a page starting up, as one matrix per field rather than one snapshot
// object per interval: 24 h of Atlanta is ~0.6 MB of JSON this way instead of ~11 MB of snapshots.
// Two encodings of the same content: JSON (flowcast.history/1) and a binary form of float32
// columns for clients that ask for application/octet-stream (docs/API.md).

import { fmtOccupancy, fmtSpeed, fmtVolume } from './formats.js';

export const HISTORY_SCHEMA = 'flowcast.history/1';
const MAGIC = 'FCH1';

/** @typedef {import('./formats.js').Entry} Entry */
/** @typedef {import('./formats.js').Network} Network */

/**
 * @typedef {Object} History
 * @property {number} start_ms start of row 0's period
 * @property {number} interval_s
 * @property {number} rows
 * @property {number} first_slot the engine slot of row 0
 */

/**
 * The window of the last `hours` hours ending with the latest snapshot's slot, on the grid of
 * epoch-aligned slots: row r covers [start + r*interval, start + (r+1)*interval), as in a
 * dataset folder. Its values are the engine's committed rows (history rows()).
 * @param {Network} net
 * @param {Entry} latest
 * @param {number} hours
 * @returns {History}
 */
export function buildHistory(net, latest, hours) {
  const interval_s = net.interval_s;
  const interval_ms = interval_s * 1000;
  const rows = Math.ceil((hours * 3600) / interval_s);
  // the engine's newest slot, which holds the latest snapshot (the slot rule is the engine's)
  const end_slot = net.rules.historyHead() + 1;
  const first_slot = end_slot - rows;
  return { start_ms: first_slot * interval_ms, interval_s, rows, first_slot };
}

/**
 * The window's values, each slot the mean of its snapshots exactly as the engine committed
 * them live (not the last snapshot of the slot): what a page's engine would hold.
 * @param {History} h
 * @param {Network} net
 * @param {Parameters<Network['rules']['historyRows']>[2]} [into]
 */
function rows(h, net, into) {
  return net.rules.historyRows(h.first_slot, h.rows, into);
}

/**
 * @param {History} h
 * @param {Network} net
 */
function header(h, net) {
  return {
    schema: HISTORY_SCHEMA,
    network: net.id,
    start: net.tz.iso(h.start_ms),
    end: net.tz.iso(h.start_ms + h.rows * h.interval_s * 1000),
    interval_s: h.interval_s,
    rows: h.rows,
    sensors: net.sensor_ids,
  };
}

/**
 * @param {History} h
 * @param {Network} net
 * @returns {string}
 */
export function historyJson(h, net) {
  const n = net.sensor_ids.length;
  const v = rows(h, net);
  /**
   * @param {ArrayLike<number>} values row-major
   * @param {(v: number) => string} fmt
   */
  const matrix = (values, fmt) => {
    const out = new Array(h.rows);
    const cells = new Array(n);
    for (let r = 0; r < h.rows; r++) {
      for (let i = 0; i < n; i++) cells[i] = fmt(values[r * n + i]);
      out[r] = `[${cells.join(',')}]`;
    }
    return `[${out.join(',')}]`;
  };
  const head = JSON.stringify(header(h, net));
  return `${head.slice(0, -1)},"speed_mph":${matrix(v.speedMph, fmtSpeed)}`
    + `,"volume_vph":${matrix(v.volumeVph, fmtVolume)}`
    + `,"occupancy":${matrix(v.occupancy, fmtOccupancy)}`
    + `,"quality":${matrix(v.quality, String)}}`;
}

/**
 * Binary form: "FCH1", uint32 LE header length H, H bytes of JSON header (space-padded so the
 * arrays start 4-byte aligned), then float32 LE speed, volume, occupancy (rows x sensors,
 * row-major, NaN = missing) and uint8 quality (rows x sensors).
 * @param {History} h
 * @param {Network} net
 * @returns {Buffer}
 */
export function historyBinary(h, net) {
  const n = net.sensor_ids.length;
  const cells = h.rows * n;
  let head = JSON.stringify({ ...header(h, net), layout: ['speed_mph:f32', 'volume_vph:f32', 'occupancy:f32', 'quality:u8'] });
  const headBytes = Buffer.byteLength(head);
  head += ' '.repeat((4 - ((8 + headBytes) % 4)) % 4);
  const headLen = Buffer.byteLength(head);
  const off = 8 + headLen;
  const buf = Buffer.alloc(off + cells * 13);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(headLen, 4);
  buf.write(head, 8, 'utf8');
  // the engine writes straight into the response's columns
  const at = buf.byteOffset + off;
  rows(h, net, {
    speedMph: new Float32Array(buf.buffer, at, cells), volumeVph: new Float32Array(buf.buffer, at + cells * 4, cells),
    occupancy: new Float32Array(buf.buffer, at + cells * 8, cells), quality: new Uint8Array(buf.buffer, at + cells * 12, cells),
  });
  return buf;
}
