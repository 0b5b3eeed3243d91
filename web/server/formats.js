// The two wire formats the feed server handles (docs/FORMATS.md): the network it serves and the
// snapshots it stores and emits. Incoming snapshots (relay, directory) are validated and reduced
// to typed arrays in network sensor order; outgoing snapshots are serialised from those arrays,
// so every snapshot the server emits has the same canonical shape whatever its source.

import { createHash } from 'node:crypto';
import { TimeZone, parseIso } from './clock.js';

export const NETWORK_SCHEMA = 'flowcast.network/1';
export const SNAPSHOT_SCHEMA = 'flowcast.snapshot/1';
const ID_RE = /^[A-Za-z0-9._:-]{1,63}$/;

/** Reading limits from FORMATS.md (the engine's defaults). */
const MAX_SPEED_MPH = 120;
const MAX_VOLUME_VPH = 20000;

/**
 * One snapshot, in network sensor order; NaN is missing.
 * @typedef {Object} Entry
 * @property {number} ts_ms end of the measurement period, Unix ms
 * @property {string} ts the same instant in ISO 8601 with the network's local offset
 * @property {number} interval_s the feed's period
 * @property {Float32Array} speed
 * @property {Float32Array} volume
 * @property {Float32Array} occupancy
 * @property {Uint8Array} quality
 */

/**
 * A loaded network with what the server needs to serve and emit snapshots for it.
 * @typedef {Object} Network
 * @property {string} id
 * @property {number} interval_s
 * @property {TimeZone} tz
 * @property {string[]} sensor_ids in file order
 * @property {Map<string, number>} index sensor id -> column
 * @property {string} json the network document as served
 * @property {string} etag
 * @property {string[]} reading_prefix per sensor: `{"id":"…",` pre-escaped
 */

/** @param {string|Buffer} body */
export function strongEtag(body) {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * Check the parts of a network document the server relies on and index it.
 * @param {unknown} doc parsed JSON
 * @param {string} [json] the original text to serve (default: re-serialised)
 * @returns {Network}
 */
export function loadNetwork(doc, json) {
  const d = /** @type {any} */ (doc);
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new Error('network: not a JSON object');
  if (d.schema !== NETWORK_SCHEMA) throw new Error(`network.schema: expected "${NETWORK_SCHEMA}", got ${JSON.stringify(d.schema)}`);
  if (typeof d.id !== 'string' || !ID_RE.test(d.id)) throw new Error('network.id: must be 1..63 characters from [A-Za-z0-9._:-]');
  if (!Number.isInteger(d.interval_s) || d.interval_s < 10 || d.interval_s > 3600) throw new Error('network.interval_s: must be an integer in 10..3600');
  if (typeof d.timezone !== 'string') throw new Error('network.timezone: must be a string');
  if (!Array.isArray(d.sensors) || d.sensors.length === 0) throw new Error('network.sensors: must be a non-empty array');
  const index = new Map();
  const sensor_ids = d.sensors.map((s, i) => {
    if (!s || typeof s.id !== 'string' || !ID_RE.test(s.id)) throw new Error(`network.sensors[${i}].id: must be 1..63 characters from [A-Za-z0-9._:-]`);
    if (index.has(s.id)) throw new Error(`network.sensors[${i}].id: duplicate id "${s.id}"`);
    index.set(s.id, i);
    return s.id;
  });
  const text = json ?? JSON.stringify(d);
  return {
    id: d.id, interval_s: d.interval_s, tz: new TimeZone(d.timezone), sensor_ids, index,
    json: text, etag: strongEtag(text),
    reading_prefix: sensor_ids.map((id) => `{"id":${JSON.stringify(id)},`),
  };
}

/**
 * A fresh entry with every value missing.
 * @param {number} n sensors
 * @param {number} ts_ms
 * @param {string} ts
 * @param {number} interval_s
 * @returns {Entry}
 */
export function emptyEntry(n, ts_ms, ts, interval_s) {
  return {
    ts_ms, ts, interval_s,
    speed: new Float32Array(n).fill(NaN), volume: new Float32Array(n).fill(NaN),
    occupancy: new Float32Array(n).fill(NaN), quality: new Uint8Array(n),
  };
}

/**
 * @param {unknown} v
 * @param {number} max
 * @returns {number|undefined} the value, NaN for null, undefined when invalid
 */
function readingValue(v, max) {
  if (v === null || v === undefined) return NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) return undefined;
  return v;
}

/**
 * Validate a parsed snapshot against the network and reduce it to an entry. Whole-snapshot
 * problems throw (the caller keeps its last good snapshot); bad readings are dropped and counted,
 * as the engine does.
 * @param {unknown} doc
 * @param {Network} net
 * @returns {{ entry: Entry, dropped: number }}
 */
export function snapshotToEntry(doc, net) {
  const d = /** @type {any} */ (doc);
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new Error('snapshot: not a JSON object');
  if (d.schema !== SNAPSHOT_SCHEMA) throw new Error(`snapshot.schema: expected "${SNAPSHOT_SCHEMA}", got ${JSON.stringify(d.schema)?.slice(0, 64)}`);
  if (d.network !== net.id) throw new Error(`snapshot.network: expected "${net.id}", got ${JSON.stringify(d.network)?.slice(0, 64)}`);
  const ts_ms = parseIso(d.ts);
  if (!Number.isFinite(ts_ms)) throw new Error('snapshot.ts: not a valid ISO 8601 timestamp with seconds and an offset');
  if (!Array.isArray(d.readings)) throw new Error('snapshot.readings: must be an array');
  let interval_s = net.interval_s;
  if (d.interval_s !== undefined) {
    if (!Number.isInteger(d.interval_s) || d.interval_s < 1 || d.interval_s > 86400) throw new Error('snapshot.interval_s: must be a positive integer');
    interval_s = d.interval_s;
  }
  const entry = emptyEntry(net.sensor_ids.length, ts_ms, net.tz.iso(ts_ms), interval_s);
  const seen = new Uint8Array(net.sensor_ids.length);
  let dropped = 0;
  for (const r of d.readings) {
    const i = r && typeof r === 'object' && typeof r.id === 'string' ? net.index.get(r.id) : undefined;
    if (i === undefined || seen[i]) { dropped++; continue; }
    const speed = readingValue(r.speed_mph, MAX_SPEED_MPH);
    const volume = readingValue(r.volume_vph, MAX_VOLUME_VPH);
    const occupancy = readingValue(r.occupancy, 1);
    const q = r.quality ?? 0;
    if (speed === undefined || volume === undefined || occupancy === undefined || !Number.isInteger(q) || q < 0 || q > 255) {
      dropped++;
      continue;
    }
    seen[i] = 1;
    entry.speed[i] = speed;
    entry.volume[i] = volume;
    entry.occupancy[i] = occupancy;
    entry.quality[i] = q;
  }
  return { entry, dropped };
}

/**
 * Values at the engine's stored resolution (0.01 mph, 1 veh/h, 0.0001 occupancy); also turns
 * float32 noise such as 61.20000076 back into 61.2. NaN becomes null.
 */
export const fmtSpeed = (/** @type {number} */ v) => (v === v ? String(Math.round(v * 100) / 100) : 'null');
export const fmtVolume = (/** @type {number} */ v) => (v === v ? String(Math.round(v)) : 'null');
export const fmtOccupancy = (/** @type {number} */ v) => (v === v ? String(Math.round(v * 10000) / 10000) : 'null');

/**
 * The canonical flowcast.snapshot/1 text of an entry: every network sensor, in network order,
 * `quality` only when non-zero.
 * @param {Entry} e
 * @param {Network} net
 */
export function serialiseSnapshot(e, net) {
  const parts = new Array(e.speed.length);
  for (let i = 0; i < parts.length; i++) {
    const q = e.quality[i];
    parts[i] = `${net.reading_prefix[i]}"speed_mph":${fmtSpeed(e.speed[i])},"volume_vph":${fmtVolume(e.volume[i])},"occupancy":${fmtOccupancy(e.occupancy[i])}${q ? `,"quality":${q}` : ''}}`;
  }
  return `{"schema":"${SNAPSHOT_SCHEMA}","network":${JSON.stringify(net.id)},"ts":"${e.ts}","interval_s":${e.interval_s},"readings":[${parts.join(',')}]}`;
}

/** Media type of the binary snapshot encoding (FCSNAP1, docs/FORMATS.md). */
export const SNAPSHOT_BINARY_TYPE = 'application/vnd.flowcast.snapshot';
const BIN_HEADER = 96;
const BIN_MISSING = 0xffff;

/**
 * The binary form of an entry (c/src/ingest_bin.h): the canonical JSON's values at the same
 * resolution (0.01 mph, 1 veh/h, 0.0001 occupancy) in u16 columns, 0xFFFF for null. A value
 * above what 16 bits hold (only possible beyond every engine limit) is written as 0xFFFE, which
 * the engine drops as out of range, as it drops the JSON number.
 * @param {Entry} e
 * @param {Network} net
 * @returns {Buffer}
 */
export function encodeSnapshotBinary(e, net) {
  const n = e.speed.length;
  const buf = Buffer.alloc(BIN_HEADER + 7 * n);
  buf.write('FCSNAP1\0', 0, 'latin1');
  buf.writeUInt32LE(1, 8);
  buf.writeUInt32LE(BIN_HEADER, 12);
  buf.writeBigInt64LE(BigInt(e.ts_ms), 16);
  buf.writeUInt32LE(n, 24);
  buf.writeUInt32LE(e.interval_s, 28);
  buf.write(net.id, 32, 63, 'latin1'); // ids are ASCII (ID_RE)
  /** @param {ArrayLike<number>} col @param {number} scale @param {number} at */
  const column = (col, scale, at) => {
    for (let i = 0; i < n; i++) {
      const v = col[i];
      const q = v === v ? Math.min(Math.round(v * scale), BIN_MISSING - 1) : BIN_MISSING;
      buf.writeUInt16LE(q, at + 2 * i);
    }
  };
  column(e.speed, 100, BIN_HEADER);
  column(e.volume, 1, BIN_HEADER + 2 * n);
  column(e.occupancy, 10000, BIN_HEADER + 4 * n);
  buf.set(e.quality, BIN_HEADER + 6 * n);
  return buf;
}
