// Travel-time queries through the wasm API (web/flowcast.js): a straight corridor at a constant
// speed, cached == uncached, invalidation by a new snapshot and a new model, every bad-query
// class with its code, "when should I leave?", and the full I-285 loop on the Atlanta network.
// The time-dependent walk itself (a slowdown met at the hand-computed time) is tested in C on
// hand-written forecast arrays: tests/c/test_route.c.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPredictor, FlowcastError } from 'flowcast';

const root = fileURLToPath(new URL('..', import.meta.url));
const INTERVAL_MS = 300_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC

/** Five stations 2 miles apart on one corridor, 60 mph limits. */
const straight = {
  schema: 'flowcast.network/1', id: 'straight', timezone: 'UTC', interval_s: 300,
  sensors: [0, 1, 2, 3, 4].map((k) => ({ id: `S${k}`, lat: 33, lon: -84 - 0.03 * k, road: 'R', direction: 'E',
    milepost: 2 * k, lanes: 3, speed_limit_mph: 60 })),
  corridors: [{ id: 'C', road: 'R', direction: 'E', sensors: ['S0', 'S1', 'S2', 'S3', 'S4'] }],
};

/**
 * An engine on `network` with `days` of 5-minute rows from speedAt(row, sensor), trained.
 * @param {object} network
 * @param {number} days  (fractions of a day end the data at that time of day)
 * @param {(t: number, s: number) => number} speedAt
 */
async function trained(network, days, speedAt) {
  const p = await createPredictor({ network, config: { historyS: 7 * 86400 } });
  const n = p.sensorCount;
  const row = new Float32Array(n);
  for (let t = 0; t < Math.round(days * 288); t++) {
    for (let s = 0; s < n; s++) row[s] = speedAt(t, s);
    const r = p.ingestValues(T0 + (t + 1) * INTERVAL_MS, row);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  p.trainSync({ maxSamples: 200 });
  return p;
}

/**
 * @param {() => unknown} fn
 * @param {string} code
 * @param {RegExp} message
 */
function throwsCode(fn, code, message) {
  assert.throws(fn, (err) => err instanceof FlowcastError && err.code === code && message.test(err.message));
}

test('a straight corridor at a steady speed: distance, time and free flow exactly', async () => {
  // 45 mph with a 0.01 mph flicker: a detector repeating one value for an hour is stuck, and
  // stuck readings are no evidence (the trip would cross a gap: E_GAP)
  const p = await trained(straight, 3, (t) => 45 + (t % 2) * 0.01);
  const f = p.forecast();
  assert.ok(f.mid.every((v) => Math.abs(v - 45) < 0.05), 'the model reproduces a steady speed');
  const r = p.travelTime({ from: 'S0', to: 'S4' });
  assert.equal(r.departAt, f.ts);
  assert.equal(r.distanceMi, 8);
  assert.equal(r.estimatedSegments, 0);
  const sum = r.segments.reduce((m, s) => m + (s.lengthMi / s.speedMph) * 60, 0);
  assert.ok(Math.abs(r.minutes - sum) < 1e-6 && Math.abs(r.minutes - (8 / 45) * 60) < 0.02, `minutes ${r.minutes}`);
  assert.ok(Math.abs(r.freeFlowMinutes - 8) < 1e-9);
  assert.ok(Math.abs(r.delayMinutes - (r.minutes - 8)) < 1e-9);
  assert.ok(r.low <= r.minutes && r.minutes <= r.high, `${r.low} ${r.minutes} ${r.high}`);
  assert.deepEqual(r.segments.map((s) => `${s.from}>${s.to}`), ['S0>S1', 'S1>S2', 'S2>S3', 'S3>S4']);
  r.segments.forEach((s, i) => {
    assert.equal(s.lengthMi, 2);
    assert.ok(Math.abs(s.speedMph - 45) < 0.05 && !s.estimated);
    assert.ok(Math.abs(s.entryMinutes - i * (2 / 45) * 60) < 0.01);
  });
  p.dispose();
});

test('cached answers equal uncached ones; a new snapshot or model invalidates the cache', async () => {
  const p = await trained(straight, 3, (t, s) => 50 + 5 * Math.sin((2 * Math.PI * t) / 288 + s));
  const q = { from: 'S1', to: 'S4', departAt: p.forecast().ts + 10 * 60000 };
  const first = p.travelTime(q);
  let st = p.cacheStats();
  assert.deepEqual([st.hits, st.misses, st.insertions, st.entries], [0, 1, 1, 1]);
  const cached = p.travelTime(q);
  st = p.cacheStats();
  assert.equal(st.hits, 1);
  assert.deepEqual(cached, first);
  assert.deepEqual(p.travelTime({ ...q, cache: false }), first);
  assert.equal(p.cacheStats().hits, 1, 'cache: false neither reads nor fills the cache');
  assert.ok(st.bytesInUse > 0 && st.bytesInUse <= st.maxBytes && st.footprintBytes > st.maxBytes);

  // a new snapshot (a slowdown at every station) bumps the data version: the same query is
  // recomputed on the new forecast, never served stale
  const v0 = p.dataVersion;
  const r = p.ingestValues(p.forecast().ts + INTERVAL_MS, new Float32Array(5).fill(20));
  assert.equal(r.ok, true);
  assert.ok(p.dataVersion !== v0);
  const after = p.travelTime(q);
  st = p.cacheStats();
  assert.equal(st.misses, 2, 'the query after a snapshot is a miss');
  assert.ok(after.minutes > first.minutes + 0.5, `${after.minutes} vs ${first.minutes}`);
  assert.deepEqual(after, p.travelTime({ ...q, cache: false }));
  assert.deepEqual(p.travelTime(q), after);
  // a rejected snapshot changes nothing, so the cache stays valid
  const v1 = p.dataVersion;
  assert.equal(p.ingestValues(0, new Float32Array(5).fill(30)).ok, false);
  assert.equal(p.dataVersion, v1);
  // retraining changes the forecast: another version
  p.trainSync({ maxSamples: 200 });
  assert.ok(p.dataVersion !== v1);
  const misses = p.cacheStats().misses;
  p.travelTime(q);
  assert.equal(p.cacheStats().misses, misses + 1);
  p.dispose();
});

test('bad queries throw FlowcastError with the right code and a clear message', async () => {
  const bare = await createPredictor({ network: straight });
  throwsCode(() => bare.travelTime({ from: 'S0', to: 'S1' }), 'E_STATE', /no data/);
  bare.ingestValues(T0, new Float32Array(5).fill(50));
  throwsCode(() => bare.travelTime({ from: 'S0', to: 'S1' }), 'E_STATE', /no model/);
  bare.dispose();

  const p = await trained(straight, 3, (t) => 55 + (t % 2));
  const ts = p.forecast().ts;
  throwsCode(() => p.travelTime({ from: 'S0', to: 'nope' }), 'E_NOT_FOUND', /to: unknown station "nope"/);
  throwsCode(() => p.travelTime({ from: 7, to: 'S1' }), 'E_NOT_FOUND', /unknown station 7/);
  throwsCode(() => p.travelTime({ from: 'S3', to: 'S1' }), 'E_NOT_FOUND', /no path from "S3" to "S1"/);
  throwsCode(() => p.travelTime({ from: 'S2', to: 'S2' }), 'E_ARG', /same station "S2"/);
  throwsCode(() => p.travelTime({ from: 'S0', to: 'S1', departAt: ts - 60000 }), 'E_RANGE', /1\.000 min before the newest data/);
  throwsCode(() => p.travelTime({ from: 'S0', to: 'S1', departAt: ts + 61 * 60000 }), 'E_RANGE', /after the newest data.*0 to 60 min/);
  throwsCode(() => p.travelTime({ from: 'S0', to: 'S1', departAt: Number('x') }), 'E_ARG', /departAt/);
  // the edges of the range are fine
  p.travelTime({ from: 'S0', to: 'S1', departAt: ts });
  p.travelTime({ from: 'S0', to: 'S1', departAt: ts + 60 * 60000 });
  throwsCode(() => p.bestDeparture({ from: 'S0', to: 'S4', earliest: ts, latest: ts + 90 * 60000 }), 'E_RANGE', /inside the forecast/);
  throwsCode(() => p.bestDeparture({ from: 'S0', to: 'S4', earliest: ts + 30 * 60000, latest: ts }), 'E_RANGE', /ordered/);
  throwsCode(() => p.bestDeparture({ from: 'S0', to: 'S4', stepMin: 0 }), 'E_ARG', /stepMin/);
  throwsCode(() => p.bestDeparture({ from: 'S4', to: 'S0' }), 'E_NOT_FOUND', /no path/);
  p.dispose();
  throwsCode(() => p.travelTime({ from: 'S0', to: 'S1' }), 'E_DISPOSED', /disposed/);
});

test('bestDeparture: every departure in the window, the fastest, and the minutes it saves', async () => {
  // a morning peak: speeds fall from 60 to 20 mph over the hour after 08:00 and recover over
  // the hour after 09:00, every day. The data ends at 09:00, in the worst of it: the forecast
  // sees the recovery coming, so leaving later is faster
  const speed = (/** @type {number} */ t) => {
    const m = (t % 288) * 5;
    return m >= 480 && m < 540 ? 60 - (40 * (m - 480)) / 60 : m >= 540 && m < 600 ? 20 + (40 * (m - 540)) / 60 : 60;
  };
  const p = await trained(straight, 4 + 9 / 24, (t) => speed(t));
  const ts = p.forecast().ts;
  const earliest = ts;
  const res = p.bestDeparture({ from: 'S0', to: 'S4', earliest, latest: earliest + 30 * 60000, stepMin: 5 });
  assert.equal(res.departures.length, 7);
  res.departures.forEach((d, i) => {
    assert.equal(d.departAt, earliest + i * 5 * 60000);
    const single = p.travelTime({ from: 'S0', to: 'S4', departAt: d.departAt });
    assert.equal(d.minutes, single.minutes);
    assert.equal(d.low, single.low);
    assert.equal(d.high, single.high);
  });
  const fastest = Math.min(...res.departures.map((d) => d.minutes));
  assert.equal(res.best.minutes, fastest);
  assert.equal(res.best, res.departures.find((d) => d.minutes === fastest));
  assert.equal(res.savesMinutes, res.departures[0].minutes - fastest);
  assert.ok(res.savesMinutes > 1, `saves ${res.savesMinutes} min`);
  assert.ok(res.departures[0].minutes > res.departures[6].minutes, 'the recovery is forecast');
  // defaults: from the newest data to the end of the forecast, every 5 minutes
  assert.equal(p.bestDeparture({ from: 'S0', to: 'S4' }).departures.length, 13);
  p.dispose();
});

test('Atlanta: the full I-285 loop (about 64 mi) along the inner loop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-route-'));
  try {
    const file = join(dir, 'network.json');
    const sim = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--network-only', '--out', file], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const network = JSON.parse(readFileSync(file, 'utf8'));
    const p = await trained(network, 2, (t, s) => 50 + (s % 13) + (t % 2) * 0.5);
    // from just after the Cumberland interchange all the way round to the station before it:
    // no interchange offers a shortcut, so the path is the whole clockwise loop
    const r = p.travelTime({ from: 'I285-CW-019.5', to: 'I285-CW-019.1' });
    assert.ok(r.distanceMi > 63 && r.distanceMi < 64.5, `distance ${r.distanceMi}`);
    assert.equal(r.segments.length, 159);
    assert.ok(r.segments.every((s) => s.from.startsWith('I285-CW') && s.to.startsWith('I285-CW')));
    assert.ok(r.minutes > (r.distanceMi / 63) * 60 && r.minutes < (r.distanceMi / 49) * 60, `minutes ${r.minutes}`);
    assert.deepEqual(p.travelTime({ from: 'I285-CW-019.5', to: 'I285-CW-019.1' }), r);
    assert.deepEqual(p.travelTime({ from: 'I285-CW-019.5', to: 'I285-CW-019.1', cache: false }), r);
    // across an interchange: I-75 northbound onto I-285 clockwise at Cumberland
    const x = p.travelTime({ from: 'I75-NB-255.3', to: 'I285-CW-021.1' });
    assert.ok(x.segments.some((s) => s.from === 'I75-NB-258.5' && s.to === 'I285-CW-019.5' && Math.abs(s.lengthMi - 0.6) < 1e-6));
    p.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
