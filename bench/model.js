// model.js — training and forecasting in wasm on simulated Atlanta data (460 sensors), the
// same engine a page runs: median training time for 4 weeks of 5-minute history, and the median
// forecast call (all sensors x 12 horizons x 3 values).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPredictor } from '../web/flowcast.js';
import { performance } from 'node:perf_hooks';
import { measure } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Simulates `days` of the Atlanta network once (cached in .cache/bench/).
 * @param {number} days
 */
function dataset(days) {
  const dir = `${root}.cache/bench/atlanta-${days}d`;
  if (!existsSync(`${dir}/meta.json`)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const r = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--out', dir, '--days', String(days), '--seed', '2', '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`flowcast-sim failed: ${r.stderr}`);
  }
  const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8'));
  const lines = readFileSync(`${dir}/speed.csv`, 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((l) => Float32Array.from(l.split(','), (v) => (v === '' ? NaN : Number(v))));
  return { network: readFileSync(`${dir}/network.json`, 'utf8'), start: Date.parse(meta.start), intervalMs: meta.interval_s * 1000, rows };
}

/** @param {{ quick?: boolean }} opts */
export async function benchModel({ quick = false } = {}) {
  const days = quick ? 7 : 28;
  const d = dataset(days);
  const p = await createPredictor({ network: d.network });
  d.rows.forEach((row, r) => {
    const res = p.ingestValues(d.start + (r + 1) * d.intervalMs, row);
    if (!res.ok) throw new Error(res.message);
  });
  const train = measure(() => p.trainSync(), quick ? { warmup: 0, minIters: 1, minTimeMs: 0 } : { warmup: 1, minIters: 5, minTimeMs: 0 });
  const forecast = measure(() => p.forecast(), quick ? { warmup: 2, minIters: 5, minTimeMs: 0 } : { warmup: 50, minIters: 200, minTimeMs: 1000 });
  const sensors = p.sensorCount;
  const model = p.saveModel();
  const modelBytes = model.length;
  const tiles = await tileMode(p, d, model, quick);
  p.dispose();
  return [
    { name: `train (${days} days of 5-min history)`, sensors, ...train, model_bytes: modelBytes },
    { name: 'forecast (sensors x 12 horizons x 3)', sensors, ...forecast },
    ...tiles,
  ];
}

/**
 * The same forecast in tile mode (profiles from history profile tiles in the engine's LRU):
 * every tile cached, and a cap of one tile (each forecast fetches, validates and caches every
 * tile again; the fetch is from memory here, so this is the engine's cost, not the network's).
 * @param {import('../web/flowcast.js').Predictor} trained
 * @param {ReturnType<typeof dataset>} d
 * @param {Uint8Array} model
 * @param {boolean} quick
 */
async function tileMode(trained, d, model, quick) {
  /** @type {Map<string, Uint8Array>} */
  const tiles = new Map();
  for (const g of trained.tileGroups()) for (const day of /** @type {const} */ (['weekday', 'weekend'])) tiles.set(`${g}/${day}`, trained.profileTile(g, day));
  const largest = Math.max(...[...tiles.values()].map((t) => t.length));
  const rows = [];
  for (const [name, cap] of /** @type {[string, number][]} */ ([['all tiles cached', 64 << 20], ['cap of one tile: refetch every tile', Math.ceil((largest - 60) / 4092) * 4096]])) {
    const p = await createPredictor({ network: d.network, config: { historyS: 2 * 86400 } });
    d.rows.slice(-288).forEach((row, k) => p.ingestValues(d.start + (d.rows.length - 288 + k + 1) * d.intervalMs, row));
    p.loadModel(model);
    const localBytes = p.stats().memory.modelBytes;
    p.useProfileTiles({ maxBytes: cap, fetchTile: async (g, day) => /** @type {Uint8Array} */ (tiles.get(`${g}/${day}`)) });
    const samples = [];
    const n = quick ? 10 : 300;
    for (let i = 0; i < n + 20; i++) {
      const t0 = performance.now();
      await p.forecastAsync();
      if (i >= 20) samples.push((performance.now() - t0) * 1000);
    }
    samples.sort((a, b) => a - b);
    rows.push({ name: `forecast in tile mode, ${name}`, sensors: p.sensorCount, median_us: samples[samples.length >> 1],
      p95_us: samples[Math.floor(samples.length * 0.95)], min_us: samples[0], iterations: samples.length,
      model_bytes_local: localBytes, model_bytes_tiles: p.stats().memory.modelBytes, tile_cache: p.tileCacheStats() });
    p.dispose();
  }
  return rows;
}

/**
 * Two or more wasm builds side by side in one process (a change's before and after): each gets
 * the same 28 days of Atlanta, then they train and forecast in turn, `rounds` times, so a busy
 * machine slows them alike (after a first round that is not counted). The order turns each
 * round: whichever build forecast first after the trainings was 0.06-0.08 ms slower (the same
 * build against itself showed it), so with a fixed order the first build looked slower.
 * Medians per build.
 * @param {string[]} wasmPaths
 * @param {{ rounds?: number, days?: number }} [opts]
 * @returns {Promise<{ wasm: string, train_ms: number[], train_median_ms: number, forecast_median_ms: number }[]>}
 */
export async function compareBuilds(wasmPaths, { rounds = 6, days = 28 } = {}) {
  const d = dataset(days);
  const ps = [];
  for (const w of wasmPaths) {
    const p = await createPredictor({ network: d.network, wasmUrl: pathToFileURL(resolve(w)) });
    d.rows.forEach((row, r) => {
      const res = p.ingestValues(d.start + (r + 1) * d.intervalMs, row);
      if (!res.ok) throw new Error(res.message);
    });
    ps.push(p);
  }
  const train = ps.map(() => /** @type {number[]} */ ([])), fc = ps.map(() => /** @type {number[]} */ ([]));
  ps.forEach((p) => p.trainSync()); // a first round for the JIT and the heap, not counted
  for (let round = 0; round < rounds; round++) {
    const order = ps.map((_, k) => (k + round) % ps.length);
    for (const i of order) {
      const t0 = performance.now();
      ps[i].trainSync();
      train[i].push(performance.now() - t0);
    }
    for (const i of order) {
      for (let k = 0; k < 30; k++) ps[i].forecast();
      const t0 = performance.now();
      for (let k = 0; k < 200; k++) ps[i].forecast();
      fc[i].push((performance.now() - t0) / 200);
    }
  }
  const median = (/** @type {number[]} */ a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  ps.forEach((p) => p.dispose());
  return wasmPaths.map((w, i) => ({ wasm: w, train_ms: train[i], train_median_ms: median(train[i]), forecast_median_ms: median(fc[i]) }));
}

// node bench/model.js --ab BEFORE.wasm AFTER.wasm [...]: compareBuilds, printed
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--ab') {
  const wasm = process.argv.slice(3);
  if (wasm.length < 2) {
    console.error('usage: node bench/model.js --ab BEFORE.wasm AFTER.wasm [MORE.wasm ...]');
    process.exit(2);
  }
  for (const r of await compareBuilds(wasm)) {
    console.log(`${r.wasm}: training ${r.train_median_ms.toFixed(0)} ms (${r.train_ms.map((x) => x.toFixed(0)).join(' ')}), forecast ${r.forecast_median_ms.toFixed(3)} ms (medians)`);
  }
}
