// scaling.js — how forecast and ingest cost grow with the network: synthetic networks of 1k, 10k
// and 50k sensors from `flowcast-sim --synthetic N` (cached in .cache/bench/), one engine each
// with one day of history (historyS 86400: the default four weeks is refused above 1 GiB at 50k),
// filled with a day of synthetic 5-minute rows and a model trained with small options (the cost
// of a forecast does not depend on how good the model is). Reports median µs per call and per
// sensor; growth is linear when µs per sensor stays flat (ratio 50k/1k close to 1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPredictor } from '../web/flowcast.js';
import { fullSnapshot, isoZ } from '../tests/fixtures/networks.mjs';
import { measure } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** One day of 5-minute rows: what a 50k engine holds with historyS 86400. */
const ROWS = 288;
const DAY_MS = 86_400_000;
/** Small training options: enough for a valid model in seconds at 50k sensors. */
const TRAIN = { maxSamples: 50, irlsIters: 1, globalSensors: 8 };

/** @param {number} n */
function syntheticNetwork(n) {
  const file = `${root}.cache/bench/synthetic-${n}.json`;
  if (!existsSync(file)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const r = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--synthetic', String(n), '--out', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`flowcast-sim --synthetic failed: ${r.stderr}`);
  }
  return readFileSync(file, 'utf8');
}

/**
 * Benchmarks one network size.
 * @param {number} n
 * @param {{ quick: boolean }} opts
 */
async function benchSize(n, { quick }) {
  const networkText = syntheticNetwork(n);
  const network = JSON.parse(networkText);
  const engine = await createPredictor({ network: networkText, config: { historyS: 86400 } });
  const start = Date.parse('2026-11-23T00:00:00Z');
  const row = new Float32Array(n);
  for (let r = 0; r < ROWS; r++) {
    const peak = Math.exp(-(((r % 288) - 96) ** 2) / 200); // a morning slowdown
    for (let s = 0; s < n; s++) row[s] = 65 - 30 * peak * ((s % 7) / 7) - ((s * 31 + r * 17) % 10) / 5;
    const res = engine.ingestValues(start + (r + 1) * 300_000, row);
    if (!res.ok) throw new Error(res.message);
  }
  const t0 = performance.now();
  engine.trainSync(TRAIN);
  const trainMs = performance.now() - t0;
  const timing = quick ? { warmup: 2, minIters: 5, minTimeMs: 0 } : { warmup: 5, minIters: 20, minTimeMs: n >= 50000 ? 1500 : 1000 };
  const forecast = measure(() => engine.forecast(), timing);

  const template = JSON.stringify(fullSnapshot(network, isoZ(start + DAY_MS)));
  const tsAt = template.indexOf(isoZ(start + DAY_MS));
  let step = 0;
  const ingest = measure((text) => {
    const r = engine.ingest(text);
    if (!r.ok) throw new Error(`${r.code} ${r.message}`);
  }, { ...timing, prepare: () => {
    const t = template.slice(0, tsAt) + isoZ(start + DAY_MS + 30_000 * ++step) + template.slice(tsAt + 20);
    t.charCodeAt(t.length >> 1); // flatten the rope outside the timed region
    return t;
  } });
  const memory = engine.stats().memory;
  engine.dispose();
  return { sensors: n, bytes: template.length, train_ms: trainMs, forecast, ingest, memory };
}

/** @param {{ quick?: boolean }} opts */
export async function benchScaling({ quick = false } = {}) {
  const sizes = quick ? [1000, 5000] : [1000, 10000, 50000];
  const rows = [];
  for (const n of sizes) rows.push(await benchSize(n, { quick }));
  const first = rows[0], last = rows[rows.length - 1];
  const perSensor = (/** @type {typeof first} */ r, /** @type {'forecast' | 'ingest'} */ k) => r[k].median_us / r.sensors;
  return {
    sizes: rows.map((r) => ({
      sensors: r.sensors, snapshot_bytes: r.bytes, train_ms: r.train_ms, memory: r.memory,
      forecast: { ...r.forecast, us_per_sensor: perSensor(r, 'forecast') },
      ingest: { ...r.ingest, us_per_sensor: perSensor(r, 'ingest') },
    })),
    // µs per sensor at the largest size over the smallest: 1 is perfectly linear
    forecast_ratio: perSensor(last, 'forecast') / perSensor(first, 'forecast'),
    ingest_ratio: perSensor(last, 'ingest') / perSensor(first, 'ingest'),
  };
}
