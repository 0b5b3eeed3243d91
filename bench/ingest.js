// ingest.js — snapshot ingest: the engine's fast path and its cJSON reference path in wasm (from
// a string, as fetch().text() gives it, and from UTF-8 bytes; plus the first, cold call), next
// to JSON.parse plus a JS loop that extracts and validates the same fields, on the same payloads
// in the same run.
import { createPredictor } from '../web/flowcast.js';
import { gridNetwork, fullSnapshot } from '../tests/fixtures/networks.mjs';
import { performance } from 'node:perf_hooks';
import { measure } from './harness.js';
import { encodeSnapshotBinary, loadNetwork, snapshotToEntry } from '../web/server/formats.js';

const T0 = Date.parse('2026-11-25T13:00:00Z');
/** The release build linked with an unmodified cJSON object (c/Makefile), not served. */
const STOCK_CJSON_WASM = new URL('../build/wasm/flowcast-stock-cjson.wasm', import.meta.url);
const TS_LEN = '2026-11-25T13:00:00Z'.length;
const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The peer: what a page would do without the engine.
 * @param {string} text
 * @param {Map<string, number>} index
 * @param {Float32Array} speed
 * @param {Float32Array} volume
 * @param {Float32Array} occ
 */
function jsIngest(text, index, speed, volume, occ) {
  const s = JSON.parse(text);
  if (s.schema !== 'flowcast.snapshot/1' || !Array.isArray(s.readings) || Number.isNaN(Date.parse(s.ts))) throw new Error('bad');
  let accepted = 0;
  for (const r of s.readings) {
    const i = index.get(r.id);
    if (i === undefined) continue;
    const v = r.speed_mph;
    if (typeof v !== 'number' || !(v >= 0 && v <= 120)) continue;
    speed[i] = v;
    volume[i] = typeof r.volume_vph === 'number' ? r.volume_vph : NaN;
    occ[i] = typeof r.occupancy === 'number' ? r.occupancy : NaN;
    accepted++;
  }
  return accepted;
}

/** @typedef {import('./harness.js').Stats} Stats */

/**
 * One engine per parser, timed from a string (as fetch().text() gives it: the UTF-8 encode into
 * the wasm heap is part of the figure) and from UTF-8 bytes.
 * @param {object} network
 * @param {'cjson' | 'fast'} parser
 * @param {string} template the snapshot text
 * @param {object} timing
 * @param {boolean} cold also time the very first call (before V8 has optimised anything)
 * @param {URL} [wasmUrl] another build of the engine (the stock-cJSON peer)
 */
async function benchEngine(network, parser, template, timing, cold, wasmUrl = undefined) {
  const tsAt = template.indexOf(iso(T0));
  const bytes = new TextEncoder().encode(template);
  const engine = await createPredictor({ network, wasmUrl, config: { historyS: 86400, parser } });
  // every call needs a newer timestamp: patched in untimed, 30 s apart
  let step = 0;
  const nextTs = () => iso(T0 + 30_000 * ++step);
  const text = () => {
    const t = template.slice(0, tsAt) + nextTs() + template.slice(tsAt + TS_LEN);
    t.charCodeAt(t.length >> 1); // flatten the rope outside the timed region
    return t;
  };
  const run = (/** @type {string | Uint8Array} */ input) => {
    const r = engine.ingest(input);
    if (!r.ok) throw new Error(`${parser}: ${r.code} ${r.message}`);
  };
  /** @type {Stats | null} */
  let first = null;
  if (cold) {
    const t = text();
    const t0 = performance.now();
    run(t);
    const us = (performance.now() - t0) * 1000;
    first = { median_us: us, p95_us: us, min_us: us, iterations: 1 };
  }
  const strings = measure(run, { ...timing, prepare: text });
  const fromBytes = measure(run, { ...timing, prepare: () => {
    bytes.set(new TextEncoder().encode(nextTs()), tsAt);
    return bytes;
  } });
  engine.dispose();
  return { first, strings, fromBytes };
}

/**
 * The binary encoding (FCSNAP1) of the same snapshot, from bytes (as fetch().arrayBuffer()
 * gives them: the copy into the wasm heap is part of the figure).
 * @param {object} network
 * @param {string} template
 * @param {object} timing
 * @param {number} stepMs between snapshots: 30 s puts ten into each 5-minute slot (every
 *   commit but the first of a slot averages), 300 s one (every commit is a row copy)
 */
async function benchBinary(network, template, timing, stepMs) {
  const net = loadNetwork(network, JSON.stringify(network));
  const bytes = encodeSnapshotBinary(snapshotToEntry(JSON.parse(template), net).entry, net);
  const engine = await createPredictor({ network, config: { historyS: 86400 } });
  let step = 0;
  const s = measure((/** @type {Buffer} */ b) => {
    const r = engine.ingestBinary(b);
    if (!r.ok) throw new Error(`binary: ${r.code} ${r.message}`);
  }, { ...timing, prepare: () => {
    bytes.writeBigInt64LE(BigInt(T0 + stepMs * ++step), 16);
    return bytes;
  } });
  engine.dispose();
  return { stats: s, size: bytes.length };
}

/**
 * @param {{ quick?: boolean }} opts
 */
export async function benchIngest({ quick = false } = {}) {
  const results = [];
  for (const n of [1000, 10000]) {
    const network = gridNetwork(n);
    const template = JSON.stringify(fullSnapshot(network, iso(T0)));
    const size = new TextEncoder().encode(template).length;
    const timing = quick ? { warmup: 3, minIters: 5, minTimeMs: 0 } : { warmup: 20, minIters: 50, minTimeMs: 1500 };
    // the first calls of the process: fast path first (the default), then the cJSON path
    const fast = await benchEngine(network, 'fast', template, timing, n === 1000);
    const cjson = await benchEngine(network, 'cjson', template, timing, n === 1000);
    // the same engine with cJSON calling musl's strtod, as stock cJSON does (PERFORMANCE.md §16)
    const stock = await benchEngine(network, 'cjson', template, timing, false, STOCK_CJSON_WASM);

    const index = new Map(network.sensors.map((s, i) => [s.id, i]));
    const sp = new Float32Array(n), vo = new Float32Array(n), oc = new Float32Array(n);
    const peer = measure((text) => jsIngest(text, index, sp, vo, oc), { ...timing, prepare: () => template });

    const binary = await benchBinary(network, template, timing, 30_000);
    const binaryPerSlot = await benchBinary(network, template, timing, 300_000);

    const row = (/** @type {string} */ name, /** @type {Stats} */ s, bytes = size) => ({
      name, sensors: n, bytes, ...s, mb_per_s: bytes / 1e6 / (s.median_us / 1e6) });
    if (fast.first && cjson.first) {
      results.push(row('ingest fast wasm (string, first call)', fast.first),
        row('ingest cJSON wasm (string, first call)', cjson.first));
    }
    results.push(row('ingest fast wasm (string)', fast.strings), row('ingest fast wasm (bytes)', fast.fromBytes),
      row('ingest cJSON wasm (string)', cjson.strings), row('ingest cJSON wasm (bytes)', cjson.fromBytes),
      row('ingest stock cJSON wasm (string)', stock.strings), row('ingest stock cJSON wasm (bytes)', stock.fromBytes),
      row('JSON.parse + JS loop', peer), row('ingest binary FCSNAP1 wasm (bytes)', binary.stats, binary.size),
      row('ingest binary FCSNAP1 wasm (bytes, one per slot)', binaryPerSlot.stats, binaryPerSlot.size));
  }
  return results;
}
