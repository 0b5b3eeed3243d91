// lru.js — the C LRU cache in wasm next to the npm package lru-cache, in the same run, on the
// same Zipf-like key stream at the same capacity (100,000 entries): accesses per second, bytes
// per entry, and hit rates, which must be identical (both are exact LRU; a difference is a bug
// and fails the benchmark).
//
// Each access is "get; on a miss, set". Three ways to drive it:
//   - lru-cache from JavaScript (values: the key, a small integer V8 stores unboxed);
//   - the C cache from JavaScript, one wasm call per get and per set (8-byte values);
//   - the C cache inside wasm (accessBatch: the key stream is copied in once).
import v8 from 'node:v8';
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import { LruCache } from '../web/lru.js';

const CAPACITY = 100_000;
const UNIVERSE = 1_000_000;  // distinct keys in the stream
const ZIPF_S = 0.9;          // web- and query-cache traces are typically 0.7-1.0

v8.setFlagsFromString('--expose-gc');
const gc = /** @type {() => void} */ (vm.runInNewContext('gc'));

/**
 * A deterministic Zipf(s) stream over UNIVERSE keys, ranks scattered over 32-bit keys.
 * @param {number} length
 */
export function zipfStream(length, seed = 12345) {
  const cdf = new Float64Array(UNIVERSE);
  let sum = 0;
  for (let r = 0; r < UNIVERSE; r++) cdf[r] = sum += 1 / (r + 1) ** ZIPF_S;
  let x = seed >>> 0;
  const keys = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    // mulberry32
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * sum;
    let lo = 0, hi = UNIVERSE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    keys[i] = Math.imul(lo + 1, 0x9e3779b1) >>> 0; // rank -> scattered key (a bijection)
  }
  return keys;
}

/**
 * Median of `runs` timings of fn (each on a fresh cache); fn returns the hit count.
 * @param {() => number} fn
 * @param {number} runs
 */
function timeRuns(fn, runs) {
  const ms = [];
  let hits = -1;
  for (let i = 0; i < runs; i++) {
    gc(); // start each run from a collected heap: earlier benchmarks leave garbage behind
    const t0 = performance.now();
    const h = fn();
    ms.push(performance.now() - t0);
    if (hits >= 0 && h !== hits) throw new Error(`hit count changed between runs: ${hits} then ${h}`);
    hits = h;
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], hits };
}

/** Heap bytes per entry of a full lru-cache (V8 heap after GC). */
function lruCacheBytesPerEntry() {
  gc();
  const before = process.memoryUsage().heapUsed;
  const c = new LRUCache({ max: CAPACITY });
  for (let k = 0; k < CAPACITY; k++) c.set(k * 7919 + 1, k);
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  if (c.size !== CAPACITY) throw new Error('lru-cache did not fill');
  return bytes / CAPACITY;
}

/** @param {{ quick?: boolean }} opts */
export async function benchLru({ quick = false } = {}) {
  const length = quick ? 300_000 : 3_000_000;
  const runs = quick ? 1 : 5;
  const keys = zipfStream(length);
  const value8 = new Uint8Array(8).fill(7);
  const out = new Uint8Array(8);
  const options = { maxEntries: CAPACITY, maxBytes: CAPACITY * 8, chunkBytes: 8 };

  const ref = timeRuns(() => {
    const c = new LRUCache({ max: CAPACITY });
    let hits = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (c.get(k) !== undefined) hits++;
      else c.set(k, k);
    }
    return hits;
  }, runs);

  // the C cache driven from JavaScript, one call per operation
  /** @type {LruCache[]} */
  const made = [];
  for (let r = 0; r < runs + 1; r++) made.push(await LruCache.create(options));
  let used = 0;
  const js = timeRuns(() => {
    const c = made[used++];
    let hits = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (c.read(k, out) >= 0) hits++;
      else c.set(k, value8);
    }
    return hits;
  }, runs);
  const stats = made[0].stats();
  for (const c of made) c.dispose();

  // the C cache inside wasm
  made.length = 0;
  for (let r = 0; r < runs; r++) made.push(await LruCache.create(options));
  used = 0;
  const batch = timeRuns(() => made[used++].accessBatch(keys, value8), runs);
  for (const c of made) c.dispose();

  for (const [name, r] of [['C from JS', js], ['C in wasm', batch]]) {
    if (r.hits !== ref.hits) throw new Error(`LRU bench: ${name} had ${r.hits} hits, lru-cache ${ref.hits}: not the same LRU`);
  }
  const refBytes = lruCacheBytesPerEntry();
  const cBytes = stats.footprintBytes / CAPACITY;
  /** @param {string} name @param {{ ms: number, hits: number }} r @param {number} bytes */
  const row = (name, r, bytes) => ({
    name, capacity: CAPACITY, accesses: length, median_us: r.ms * 1000, p95_us: r.ms * 1000,
    accesses_per_s: length / (r.ms / 1000), hit_rate: r.hits / length, bytes_per_entry: bytes,
  });
  return [
    row('lru-cache (npm) from JS', ref, refBytes),
    row('C LRU wasm, called from JS', js, cBytes),
    row('C LRU wasm, key stream in wasm', batch, cBytes),
  ];
}
