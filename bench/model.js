// model.js — training and forecasting in wasm on simulated Atlanta data (460 sensors), the
// same engine a page runs: median training time for 4 weeks of 5-minute history, and the median
// forecast call (all sensors x 12 horizons x 3 values).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPredictor } from '../web/flowcast.js';
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
  const modelBytes = p.saveModel().length;
  p.dispose();
  return [
    { name: `train (${days} days of 5-min history)`, sensors, ...train, model_bytes: modelBytes },
    { name: 'forecast (sensors x 12 horizons x 3)', sensors, ...forecast },
  ];
}
