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
 * @property {(Entry|undefined)[]} byRow the entry shown in each row (last one wins), or none
 */

/**
 * Lay the entries of the last `hours` hours, ending with `latest`, on a grid of epoch-aligned
 * slots: row r covers [start + r*interval, start + (r+1)*interval) and holds the snapshot whose
 * ts ends that period, as in a dataset folder.
 * @param {{ range(from_ms: number, to_ms: number): Entry[] }} store
 * @param {Entry} latest
 * @param {number} hours
 * @returns {History}
 */
export function buildHistory(store, latest, hours) {
  const interval_s = latest.interval_s;
  const interval_ms = interval_s * 1000;
  const rows = Math.ceil((hours * 3600) / interval_s);
  const end_ms = (Math.floor((latest.ts_ms - 1) / interval_ms) + 1) * interval_ms;
  const start_ms = end_ms - rows * interval_ms;
  const byRow = new Array(rows);
  for (const e of store.range(start_ms, end_ms)) {
    byRow[Math.floor((e.ts_ms - 1 - start_ms) / interval_ms)] = e;
  }
  return { start_ms, interval_s, rows, byRow };
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
  const nullRow = `[${new Array(n).fill('null').join(',')}]`;
  const zeroRow = `[${new Array(n).fill('0').join(',')}]`;
  /**
   * @param {(e: Entry) => ArrayLike<number>} pick
   * @param {(v: number) => string} fmt
   * @param {string} emptyRow
   */
  const matrix = (pick, fmt, emptyRow) => {
    const out = new Array(h.rows);
    const cells = new Array(n);
    for (let r = 0; r < h.rows; r++) {
      const e = h.byRow[r];
      if (!e) { out[r] = emptyRow; continue; }
      const v = pick(e);
      for (let i = 0; i < n; i++) cells[i] = fmt(v[i]);
      out[r] = `[${cells.join(',')}]`;
    }
    return `[${out.join(',')}]`;
  };
  const head = JSON.stringify(header(h, net));
  return `${head.slice(0, -1)},"speed_mph":${matrix((e) => e.speed, fmtSpeed, nullRow)}`
    + `,"volume_vph":${matrix((e) => e.volume, fmtVolume, nullRow)}`
    + `,"occupancy":${matrix((e) => e.occupancy, fmtOccupancy, nullRow)}`
    + `,"quality":${matrix((e) => e.quality, String, zeroRow)}}`;
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
  const f32 = new Float32Array(buf.buffer, buf.byteOffset + off, cells * 3).fill(NaN);
  const q = new Uint8Array(buf.buffer, buf.byteOffset + off + cells * 12, cells);
  for (let r = 0; r < h.rows; r++) {
    const e = h.byRow[r];
    if (!e) continue;
    f32.set(e.speed, r * n);
    f32.set(e.volume, cells + r * n);
    f32.set(e.occupancy, 2 * cells + r * n);
    q.set(e.quality, r * n);
  }
  return buf;
}
