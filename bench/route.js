// route.js — travel-time queries in wasm on the Atlanta network (460 stations): the full I-285
// inner loop (about 64 mi, 159 segments), served from the cache, computed afresh, and the first
// query after a new snapshot (which also recomputes the forecast the routes read). Medians in
// microseconds, including the JavaScript wrapper's work (station lookup, segment objects).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPredictor } from '../web/flowcast.js';
import { measure } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const LOOP = { from: 'I285-CW-019.5', to: 'I285-CW-019.1' };

/** The Atlanta network from the simulator (cached in .cache/bench/). */
function atlantaNetwork() {
  const file = `${root}.cache/bench/atlanta-network.json`;
  if (!existsSync(file)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const r = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--network-only', '--out', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`flowcast-sim failed: ${r.stderr}`);
  }
  return readFileSync(file, 'utf8');
}

/** @param {{ quick?: boolean }} opts */
export async function benchRoute({ quick = false } = {}) {
  const p = await createPredictor({ network: atlantaNetwork(), config: { historyS: 3 * 86400 } });
  const n = p.sensorCount, intervalMs = p.intervalS * 1000;
  const t0 = Date.UTC(2026, 8, 7);
  const row = new Float32Array(n);
  // two days with a daily slowdown that differs by station, so the forecast varies along the loop
  const speedAt = (/** @type {number} */ t, /** @type {number} */ s) => 60 - 25 * Math.max(0, Math.sin((2 * Math.PI * (t + s)) / 288));
  let t = 0;
  const ingestRow = () => {
    for (let s = 0; s < n; s++) row[s] = speedAt(t, s);
    const r = p.ingestValues(t0 + ++t * intervalMs, row);
    if (!r.ok) throw new Error(r.message);
  };
  while (t < 2 * 288) ingestRow();
  p.trainSync({ maxSamples: 200 });
  const depart = () => p.forecast().ts + 10 * 60000;
  const q = { ...LOOP, departAt: depart() };
  const first = p.travelTime(q);
  const opts = quick ? { warmup: 5, minIters: 20, minTimeMs: 0 } : { warmup: 200, minIters: 2000, minTimeMs: 1000 };
  const cached = measure(() => p.travelTime(q), opts);
  const uncached = measure(() => p.travelTime({ ...q, cache: false }), opts);
  // a snapshot arrives before each query (untimed): the query recomputes the forecast, then the route
  const afterSnapshot = measure((/** @type {number} */ d) => p.travelTime({ ...LOOP, departAt: d }), {
    ...(quick ? { warmup: 2, minIters: 10, minTimeMs: 0 } : { warmup: 20, minIters: 200, minTimeMs: 1000 }),
    prepare: () => { ingestRow(); return depart(); },
  });
  const best = measure(() => p.bestDeparture({ ...LOOP, stepMin: 5 }), quick ? { warmup: 2, minIters: 10, minTimeMs: 0 } : { warmup: 20, minIters: 200, minTimeMs: 500 });
  const stats = p.cacheStats();
  p.dispose();
  const info = { sensors: n, distance_mi: first.distanceMi, segments: first.segments.length };
  return {
    queries: [
      { name: 'I-285 loop, cached', ...info, ...cached },
      { name: 'I-285 loop, uncached', ...info, ...uncached },
      { name: 'I-285 loop, first after a snapshot (+ forecast)', ...info, ...afterSnapshot },
      { name: 'bestDeparture, 13 departures', ...info, ...best },
    ],
    cache: stats,
  };
}
