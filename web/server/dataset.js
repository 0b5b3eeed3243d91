// Load a dataset folder (FORMATS.md "Dataset folder": meta.json, network.json and matrix CSVs)
// into typed arrays, once, at start-up. The network, the timestamps and the matrix CSVs are read
// by the engine (the network's engine, its ISO 8601 parser, c/src/matrix.c): the server has no
// parser of its own for any of them.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMatrixCsv } from '../flowcast.js';
import { loadNetwork } from './formats.js';
import { parseIso } from './clock.js';

export const DATASET_SCHEMA = 'flowcast.dataset/1';

/**
 * @typedef {Object} Dataset
 * @property {import('./formats.js').Network} network
 * @property {number} start_ms start of row 0
 * @property {number} interval_s
 * @property {number} rows
 * @property {Float32Array} speed row-major rows x sensors, NaN = missing
 * @property {Float32Array} volume
 * @property {Float32Array} occupancy
 * @property {Uint8Array} quality zeros when quality.csv is absent
 * @property {Record<string, unknown>} meta
 */

/**
 * @param {string} dir
 * @returns {Promise<Dataset>}
 */
export async function loadDataset(dir) {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'));
  if (meta?.schema !== DATASET_SCHEMA) throw new Error(`${dir}/meta.json: schema must be "${DATASET_SCHEMA}"`);
  const networkText = await readFile(join(dir, 'network.json'), 'utf8');
  const network = loadNetwork(networkText);
  if (meta.network !== network.id) throw new Error(`${dir}/meta.json: network "${meta.network}" but network.json is "${network.id}"`);
  const start_ms = parseIso(meta.start);
  if (!Number.isFinite(start_ms)) throw new Error(`${dir}/meta.json: start is not an ISO 8601 timestamp`);
  const interval_s = meta.interval_s ?? network.interval_s;
  if (!Number.isInteger(interval_s) || interval_s < 10 || interval_s > 3600) throw new Error(`${dir}/meta.json: interval_s must be an integer in 10..3600`);
  const rows = meta.rows;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`${dir}/meta.json: rows must be a positive integer`);

  const read = async (/** @type {string} */ name, /** @type {boolean} */ optional) => {
    try {
      return await readFile(join(dir, name));
    } catch (err) {
      if (optional && /** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return null;
      throw err;
    }
  };
  const matrix = async (/** @type {string} */ name, /** @type {boolean} */ optional = false) => {
    const buf = await read(name, optional);
    return buf && readMatrixCsv(buf, network.index, rows, `${dir}/${name}`);
  };
  const [speed, volume, occupancy, q] = await Promise.all([
    matrix('speed.csv'), matrix('volume.csv'), matrix('occupancy.csv'), matrix('quality.csv', true),
  ]);
  const quality = new Uint8Array(rows * network.sensor_ids.length);
  if (q) for (let i = 0; i < q.length; i++) quality[i] = q[i] === q[i] ? q[i] : 0;
  // (only quality.csv is optional: a missing speed, volume or occupancy file threw above)
  const need = (/** @type {Float32Array | null} */ m) => /** @type {Float32Array} */ (m);
  return { network, start_ms, interval_s, rows, speed: need(speed), volume: need(volume), occupancy: need(occupancy), quality, meta };
}

/**
 * A matrix CSV (header of sensor ids, one row per interval; empty or NaN = missing) read by the
 * engine's parser (c/src/matrix.c), as a row-major Float32Array in network sensor order.
 * Columns absent from the file stay NaN.
 * @param {Uint8Array} buf
 * @param {Map<string, number>} index sensor id -> network column
 * @param {number} rows rows expected
 * @param {string} name for error messages
 */
export async function readMatrixCsv(buf, index, rows, name) {
  let m;
  try {
    m = await parseMatrixCsv(buf);
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : err}`);
  }
  if (m.rows !== rows) throw new Error(`${name}: ${m.rows} rows, but meta.json announces ${rows}`);
  const cols = m.ids.map((id, c) => {
    const s = index.get(id);
    if (s === undefined) throw new Error(`${name}: header column ${c + 1}: unknown sensor "${id.slice(0, 64)}"`);
    return s;
  });
  const n = index.size;
  if (m.cols === n && cols.every((s, c) => s === c)) return m.values; // already in network order
  const out = new Float32Array(rows * n).fill(NaN);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < m.cols; c++) out[r * n + cols[c]] = m.values[r * m.cols + c];
  }
  return out;
}
