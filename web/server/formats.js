// The two wire formats the feed server emits (docs/FORMATS.md): the network it serves and the
// snapshots it stores and sends. Serialisation only: what is valid and which values a snapshot
// holds are the engine's decisions (rules.js), so every snapshot the server emits has the same
// canonical shape whatever its source, and the values the engine committed.

import { createHash } from 'node:crypto';
import { fmtOccupancy, fmtSpeed, fmtVolume } from './numbers.js';
import { NetworkRules, RuleError } from './rules.js';

export const SNAPSHOT_SCHEMA = 'flowcast.snapshot/1';

/** @typedef {import('./rules.js').Entry} Entry */

/**
 * A loaded network with what the server needs to serve and emit snapshots for it.
 * @typedef {Object} Network
 * @property {string} id
 * @property {number} interval_s
 * @property {NetworkRules} rules the network's engine
 * @property {NetworkRules} tz local time in the network's zone (the same engine)
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
 * Load a network document into its engine (which validates it: a RuleError with the engine's
 * code and message otherwise) and index it for serving.
 * @param {unknown} doc parsed JSON, or the text itself
 * @param {string} [json] the original text to serve (default: doc's text or re-serialised doc)
 * @returns {Network}
 */
export function loadNetwork(doc, json) {
  const text = json ?? (typeof doc === 'string' ? doc : JSON.stringify(doc));
  const rules = new NetworkRules(text);
  const sensor_ids = rules.sensor_ids;
  return {
    id: rules.id, interval_s: rules.interval_s, rules, tz: rules, sensor_ids,
    index: new Map(sensor_ids.map((id, i) => [id, i])),
    json: text, etag: strongEtag(text),
    reading_prefix: sensor_ids.map((id) => `{"id":${JSON.stringify(id)},`),
  };
}

/**
 * Hand a snapshot to the network's engine and return what it committed; throws a RuleError
 * (the engine's code and message) when it is refused.
 * @param {string|Uint8Array|object} snapshot JSON text or bytes (a parsed object is
 *   re-serialised: duplicate keys it had are already gone)
 * @param {Network} net
 * @returns {{ entry: Entry, dropped: number }}
 */
export function snapshotToEntry(snapshot, net) {
  const r = net.rules.ingest(typeof snapshot === 'string' || snapshot instanceof Uint8Array ? snapshot : JSON.stringify(snapshot));
  if (!r.ok) throw new RuleError(r.code, r.message);
  return r;
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
 * Values at the engine's stored resolution (0.01 mph, 1 veh/h, 0.0001 occupancy); also turns
 * float32 noise such as 61.20000076 back into 61.2. NaN becomes null.
 */
export { fmtOccupancy, fmtSpeed, fmtVolume };

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
 * that 16 bits do not hold (negative, or above: only possible beyond every engine limit) is
 * written as 0xFFFE, which the engine drops as out of range, as it drops the JSON number.
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
  buf.write(net.id, 32, 63, 'latin1'); // ids are ASCII (the engine's network rules)
  /** @param {ArrayLike<number>} col @param {number} scale @param {number} at */
  const column = (col, scale, at) => {
    for (let i = 0; i < n; i++) {
      const v = col[i];
      const q = v !== v ? BIN_MISSING : v < 0 ? BIN_MISSING - 1 : Math.min(Math.round(v * scale), BIN_MISSING - 1);
      buf.writeUInt16LE(q, at + 2 * i);
    }
  };
  column(e.speed, 100, BIN_HEADER);
  column(e.volume, 1, BIN_HEADER + 2 * n);
  column(e.occupancy, 10000, BIN_HEADER + 4 * n);
  buf.set(e.quality, BIN_HEADER + 6 * n);
  return buf;
}
