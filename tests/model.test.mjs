// The forecasting model through the wasm API: it recovers a known linear structure, beats
// persistence, saves and loads exactly, survives missing, stuck and dead sensors, refuses bad
// model files, and trains deterministically with progress reports.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor, wasmHeapBytes } from 'flowcast';
import { gridNetwork } from './fixtures/networks.mjs';
import { rng } from './fixtures/rng.mjs';
import { networkBytes, pooledCorrectionBytes } from './fixtures/model-file.mjs';
import { modelFormatVersion } from 'flowcast';
import { EVIDENCE } from '../web/engine/abi.js';

const INTERVAL_MS = 300_000;
const T0 = Date.parse('2026-09-07T04:00:00Z'); // Monday 00:00 in New York

/**
 * Speeds = a daily profile (a PM dip on weekdays) + a deviation that decays geometrically
 * (d[t] = rho * d[t-1] + shocks): the best h-step forecast is profile + rho^h * d.
 * @returns {{ speed: Float32Array[], profile: (t: number, s: number) => number, dev: Float32Array[] }}
 */
function synthetic(n, rows, { rho = 0.9, seed = 7 } = {}) {
  const rand = rng(seed);
  const profile = (t, s) => {
    const tod = (t % 288) / 12; // hours since local midnight
    const weekday = Math.floor(t / 288) % 7 < 5;
    const dip = weekday ? 25 * Math.exp(-(((tod - 17.5) / 1.2) ** 2)) : 0;
    return 62 - (s % 5) - dip;
  };
  const speed = [], dev = [];
  const d = new Float64Array(n);
  for (let t = 0; t < rows; t++) {
    const row = new Float32Array(n), drow = new Float32Array(n);
    for (let s = 0; s < n; s++) {
      d[s] = rho * d[s] + (rand() < 0.02 ? -20 * rand() : 0) + (rand() - 0.5) * 0.4;
      row[s] = Math.max(3, profile(t, s) + d[s]);
      drow[s] = d[s];
    }
    speed.push(row);
    dev.push(drow);
  }
  return { speed, profile, dev };
}

/** Engine over gridNetwork(n) with rows [0, upto) ingested. */
async function engineWith(data, n, upto, config = {}) {
  const p = await createPredictor({ network: gridNetwork(n), config: { historyS: 35 * 86400, ...config } });
  for (let t = 0; t < upto; t++) {
    const r = p.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  return p;
}

test('recovers a known linear structure and beats persistence at every horizon', async () => {
  const n = 10, rows = 288 * 21;
  const data = synthetic(n, rows);
  const train = 288 * 14;
  const p = await engineWith(data, n, train);
  const progress = [];
  await p.train({ onProgress: (f) => progress.push(f) });
  assert.ok(progress.length > 2 && progress.at(-1) === 1 && progress.every((f, i) => i === 0 || f >= progress[i - 1]));
  assert.equal(p.horizons, 12);
  const err = { model: new Float64Array(12), persist: new Float64Array(12), oracle: new Float64Array(12) };
  let count = 0;
  for (let t = train; t < rows - 12; t++) {
    p.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
    if ((t - train) % 7) continue;
    const f = p.forecast();
    for (let s = 0; s < n; s++) {
      for (let h = 1; h <= 12; h++) {
        const truth = data.speed[t + h][s];
        err.model[h - 1] += Math.abs(f.mid[s * 12 + h - 1] - truth);
        err.persist[h - 1] += Math.abs(data.speed[t][s] - truth);
        err.oracle[h - 1] += Math.abs(data.profile(t + h, s) + 0.9 ** h * data.dev[t][s] - truth);
      }
    }
    count += n;
  }
  for (const h of [3, 6, 12]) {
    const m = err.model[h - 1] / count, pe = err.persist[h - 1] / count, o = err.oracle[h - 1] / count;
    // close to the oracle that knows the generating process, far better than persistence
    assert.ok(m < pe * 0.8, `h=${h}: model MAE ${m.toFixed(3)} vs persistence ${pe.toFixed(3)}`);
    assert.ok(m < o * 1.35, `h=${h}: model MAE ${m.toFixed(3)} vs oracle ${o.toFixed(3)}`);
  }
  p.dispose();
});

/**
 * An engine trained on 8 sensors x 8 days of synthetic history, and its model file.
 * @param {number} seed
 */
async function trainedEngine(seed) {
  const n = 8, rows = 288 * 8;
  const data = synthetic(n, rows, { seed });
  const a = await engineWith(data, n, rows);
  a.trainSync();
  return { n, rows, data, a, file: a.saveModel() };
}

test('save -> load gives identical forecasts; training is deterministic', async () => {
  const { n, rows, data, a, file } = await trainedEngine(11);
  const b = await engineWith(data, n, rows);
  assert.equal(b.horizons, 0);
  assert.throws(() => b.forecast(), { code: 'E_STATE' });
  assert.deepEqual(b.loadModel(file), { ok: true });
  assert.deepEqual(b.forecast(), a.forecast());
  b.trainSync();
  assert.deepEqual(b.saveModel(), file, 'two trainings on the same data differ');
  // online: a new slot updates profiles and forecasts without retraining
  const before = a.forecast();
  a.ingestValues(T0 + (rows + 1) * INTERVAL_MS, data.speed[rows - 1].map((v) => v - 10));
  const after = a.forecast();
  assert.equal(after.ts, before.ts + INTERVAL_MS);
  assert.notDeepEqual(after.mid, before.mid);
  a.dispose();
  b.dispose();
});

test('bad model files are refused and leave the current model in place', async () => {
  const n = 6, rows = 288 * 6;
  const data = synthetic(n, rows, { seed: 3 });
  const p = await engineWith(data, n, rows);
  p.trainSync({ horizons: 6 });
  const good = p.saveModel();
  // the server's idea of the current format (it retrains files of another) is the engine's
  assert.equal(new DataView(good.buffer, good.byteOffset).getUint32(8, true), await modelFormatVersion());
  const ref = p.forecast();
  const flipped = good.slice();
  flipped[good.length - 20] ^= 0x40;
  const cases = [
    [new Uint8Array(0), 'E_FIELD', /too short/],
    // formats 3 and 4 are variable-length: a cut file fails its checksum (format 2 named the size)
    [good.slice(0, good.length - 1), 'E_FIELD', /checksum mismatch \(corrupted or truncated\)/],
    [flipped, 'E_FIELD', /checksum/],
    [Uint8Array.from([...good.slice(0, 8).map((b, i) => (i === 0 ? 0x58 : b)), ...good.slice(8)]), 'E_SCHEMA', /magic/],
    [(() => { const v = good.slice(); v[8] = 9; return v; })(), 'E_SCHEMA', /version 9/],
    // a file from before the regime weights (format 1) is named as such, not misread
    [(() => { const v = good.slice(); v[8] = 1; return v; })(), 'E_SCHEMA', /format version 1 \(files of versions 2, 3, 4 and 5 still load\), this engine reads version 6/],
    [(() => { const v = good.slice(); v[92] = 3; return v; })(), 'E_FIELD', /inconsistent dimensions/],
  ];
  for (const [bytes, code, message] of cases) {
    const r = p.loadModel(bytes);
    assert.equal(r.ok, false);
    assert.equal(r.code, code, r.message);
    assert.match(r.message, message);
    assert.deepEqual(p.forecast(), ref, 'a rejected model file changed the forecasts');
  }
  // a model trained for another network
  const other = await engineWith(synthetic(7, rows, { seed: 3 }), 7, rows);
  const r = other.loadModel(good);
  assert.equal(r.code, 'E_NETWORK_ID');
  assert.match(r.message, /another network/);
  other.dispose();
  p.dispose();
});

test('a window file: a page\'s first forecast from the next hour\'s profiles, the same as the full file\'s, and "no profile" after the hour', async () => {
  const n = 6, rows = 288 * 6;
  const data = synthetic(n, rows, { seed: 4 });
  const server = await engineWith(data, n, rows - 30);
  server.trainSync({ horizons: 6 });
  const full = server.saveModel();
  const latest = T0 + (rows - 30) * INTERVAL_MS; // the newest snapshot's time
  const window = server.saveModel({ window: latest });
  assert.equal(new DataView(window.buffer, window.byteOffset).getUint32(8, true), 6);
  // the window holds a small part of the profiles; both hold the pooled correction and the
  // network, a fixed 432 cells and 16 x (19 + 1 + horizons) + horizons weights that outweigh
  // the profiles of a network this small (6 sensors)
  const rc = pooledCorrectionBytes(full) + networkBytes(full);
  assert.equal(pooledCorrectionBytes(window) + networkBytes(window), rc);
  assert.ok(window.length - rc < (full.length - rc) / 2, `window ${window.length} bytes, full ${full.length}, correction and network ${rc}`);
  // the page: the same history, the window file first
  const page = await engineWith(data, n, rows - 30);
  const control = await engineWith(data, n, rows - 30);
  assert.deepEqual(page.loadModel(window), { ok: true });
  assert.deepEqual(control.loadModel(full), { ok: true });
  for (let t = rows - 30; t <= rows - 30 + 12; t++) {
    if (t > rows - 30) for (const p of [page, control]) p.ingestValues(T0 + t * INTERVAL_MS, data.speed[t - 1]);
    assert.deepEqual(page.forecast(), control.forecast(), `snapshot ${t - (rows - 30)} of the hour`);
  }
  // past the hour: refused, not a forecast from empty profiles
  for (const p of [page, control]) p.ingestValues(T0 + (rows - 30 + 13) * INTERVAL_MS, data.speed[rows - 30 + 12]);
  assert.throws(() => page.forecast(), (err) => err.code === 'E_STATE' && /no profile for this time/.test(err.message));
  assert.throws(() => page.saveModel(), { code: 'E_STATE' });
  // the full file, when it arrives, takes over
  assert.deepEqual(page.loadModel(control.saveModel()), { ok: true });
  assert.deepEqual(page.forecast(), control.forecast());
  assert.throws(() => server.saveModel({ window: NaN }), TypeError);
  assert.throws(() => server.saveModel({ window: latest, spanS: 8 * 86400 }), { code: 'E_RANGE' });
  for (const p of [server, page, control]) p.dispose();
});

/**
 * The range (min, max over the last `slots` rows) of the given sensors' readings, ignoring NaN.
 * @param {{ speed: Float32Array[] }} data
 */
function readRange(data, sensors, from, to) {
  let lo = Infinity, hi = -Infinity;
  for (let t = from; t < to; t++) {
    for (const s of sensors) {
      const v = data.speed[t][s];
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  return [lo, hi];
}

test('a detector that never reported, amid free-flowing neighbours: no jam at any horizon, an estimate from the neighbours', async () => {
  const n = 10, rows = 288 * 10;
  const data = synthetic(n, rows, { seed: 5 });
  for (let t = 0; t < rows; t++) data.speed[t][4] = NaN; // dead from the start: no reading, no profile
  const p = await engineWith(data, n, rows - 20);
  p.trainSync();
  for (let t = rows - 20; t < rows; t++) p.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
  const f = p.forecast();
  assert.equal(f.evidence.length, n);
  assert.equal(f.evidence[4], EVIDENCE.neighbours);
  for (const s of [0, 1, 2, 3, 5, 6, 7, 8, 9]) assert.equal(f.evidence[s], EVIDENCE.observed, `sensor ${s}`);
  for (let h = 0; h < 12; h++) {
    // its neighbours on the corridor (two stations each way) frame what it may be
    const nb = [2, 3, 5, 6].map((s) => f.mid[s * 12 + h]);
    const at = 4 * 12 + h;
    assert.ok(f.mid[at] >= Math.min(...nb) && f.mid[at] <= Math.max(...nb),
      `+${5 * (h + 1)} min: ${f.mid[at]} mph outside the neighbours' ${Math.min(...nb)}..${Math.max(...nb)}`);
    assert.ok(f.mid[at] > 40, `+${5 * (h + 1)} min: ${f.mid[at]} mph is a jam nobody saw`);
    // wider than any one neighbour's interval: its own deviation from them is unknown
    const width = f.hi[at] - f.lo[at];
    for (const s of [3, 5]) assert.ok(width >= f.hi[s * 12 + h] - f.lo[s * 12 + h] - 1e-4);
  }
  p.dispose();
});

test('a detector that died an hour ago: every horizon within what its own readings and its neighbours support', async () => {
  const n = 10, rows = 288 * 10;
  const data = synthetic(n, rows, { seed: 5 });
  const rand = rng(99);
  for (let t = 0; t < rows; t++) {
    if (t >= rows - 12) data.speed[t][4] = NaN;              // died an hour ago
    if (t > rows - 40) data.speed[t][1] = 55.55;             // stuck for the last 40 slots
    if (rand() < 0.1) data.speed[t][2] = NaN;                // 10% dropouts
  }
  const p = await engineWith(data, n, rows - 20);
  p.trainSync();
  for (let t = rows - 20; t < rows; t++) p.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
  const f = p.forecast();
  assert.equal(f.evidence[4], EVIDENCE.profile); // its own profile: nine days of readings
  // its own readings over the last two hours and its neighbours' now, with 10 mph of slack
  const [ownLo, ownHi] = readRange(data, [4], rows - 36, rows);
  const [nbLo, nbHi] = readRange(data, [3, 5], rows - 1, rows);
  for (let h = 0; h < 12; h++) {
    const v = f.mid[4 * 12 + h];
    assert.ok(v >= Math.min(ownLo, nbLo) - 10 && v <= Math.max(ownHi, nbHi) + 10,
      `+${5 * (h + 1)} min: ${v} mph, own readings ${ownLo}..${ownHi}, neighbours ${nbLo}..${nbHi}`);
  }
  // every sensor with evidence gets finite, ordered values; the imputed ones wider intervals
  for (let i = 0; i < f.mid.length; i++) {
    assert.ok(Number.isFinite(f.mid[i]) && f.lo[i] <= f.mid[i] && f.mid[i] <= f.hi[i]);
  }
  const width = (s, h) => f.hi[s * 12 + h] - f.lo[s * 12 + h];
  assert.ok(width(4, 5) > width(5, 5), `dead sensor width ${width(4, 5)} vs ${width(5, 5)}`);
  assert.ok(width(1, 5) > width(6, 5), `stuck sensor width ${width(1, 5)} vs ${width(6, 5)}`);
  // the stuck value is not taken at face value: the forecast follows the profile instead
  assert.ok(Math.abs(f.mid[1 * 12 + 11] - 55.55) > 0.5);
  p.dispose();
});

test('an isolated detector that never reported, without reporting neighbours: no forecast (NaN), evidence none', async () => {
  const n = 10, rows = 288 * 4;
  const data = synthetic(n, rows, { seed: 6 });
  // sensors 3..7 never report: 5 is two stations from any reporting one, beyond its neighbours
  for (let t = 0; t < rows; t++) for (const s of [3, 4, 5, 6, 7]) data.speed[t][s] = NaN;
  const p = await engineWith(data, n, rows);
  p.trainSync();
  const f = p.forecast();
  assert.deepEqual([...f.evidence], [0, 0, 0, 3, 3, 4, 3, 3, 0, 0].map((v) => v));
  for (let h = 0; h < 12; h++) {
    for (const arr of [f.mid, f.lo, f.hi]) assert.ok(Number.isNaN(arr[5 * 12 + h]), `+${5 * (h + 1)} min`);
    for (const s of [3, 4, 6, 7]) assert.ok(f.mid[s * 12 + h] > 40, `sensor ${s} +${5 * (h + 1)} min: ${f.mid[s * 12 + h]}`);
  }
  // a travel time across it reports the gap and names the station; one across an estimate says so
  const ids = p.sensorIds;
  assert.throws(() => p.travelTime({ from: ids[2], to: ids[8] }),
    (err) => err.code === 'E_GAP' && err.station === ids[5] && /no data at station/.test(err.message));
  const trip = p.travelTime({ from: ids[1], to: ids[4] });
  assert.equal(trip.estimatedSegments, 2);
  assert.deepEqual(trip.segments.map((s) => s.estimated), [false, true, true]);
  assert.ok(trip.segments.every((s) => s.speedMph > 40), JSON.stringify(trip.segments));
  const clean = p.travelTime({ from: ids[0], to: ids[2] });
  assert.equal(clean.estimatedSegments, 0);
  p.dispose();
});

test('too little data gives a clear error, never NaN forecasts', async () => {
  const data = synthetic(5, 30, { seed: 1 });
  const p = await engineWith(data, 5, 20);
  assert.throws(() => p.trainSync(), (err) => err.code === 'E_RANGE' && /too short/.test(err.message));
  assert.throws(() => p.forecast(), { code: 'E_STATE' });
  const empty = await createPredictor({ network: gridNetwork(5) });
  assert.throws(() => empty.trainSync(), { code: 'E_STATE' });
  // barely enough rows: trains, and every forecast is a number
  const q = await engineWith(synthetic(5, 40, { seed: 2 }), 5, 40);
  q.trainSync();
  assert.ok(q.forecast().mid.every(Number.isFinite));
  for (const x of [p, empty, q]) x.dispose();
});

test('train options are validated', async () => {
  const p = await engineWith(synthetic(4, 300, { seed: 4 }), 4, 300);
  assert.throws(() => p.trainSync({ horizons: 40 }), { code: 'E_RANGE' });
  assert.throws(() => p.trainSync({ irlsIters: 99 }), { code: 'E_RANGE' });
  p.dispose();
});

test('create / ingest / train / forecast / route / dispose cycles leave the wasm heap where it was', async () => {
  const data = synthetic(50, 200, { seed: 9 });
  const cycle = async () => {
    const p = await engineWith(data, 50, 200, { historyS: 2 * 86400 });
    p.trainSync({ maxSamples: 100 });
    p.forecast();
    p.travelTime({ from: 'C0-S0', to: 'C0-S49' });
    p.saveModel();
    p.dispose();
  };
  for (let i = 0; i < 3; i++) await cycle();
  const heap = await wasmHeapBytes();
  for (let i = 0; i < 10; i++) await cycle();
  assert.equal(await wasmHeapBytes(), heap, 'the wasm heap grew across cycles');
});

// A 30-second feed averages ten snapshots into each 5-minute slot, and the engine computes a
// slot's means when it is next read, not at every snapshot (PERFORMANCE.md §19). Whatever
// reads next — latest(), the history, a forecast, training — must see
// exactly the values that one snapshot of those means would have given.
test('several snapshots per slot: every reader sees the slot\'s means', async () => {
  const { n, rows, data, a, file } = await trainedEngine(5);
  const one = await engineWith(data, n, rows - 3);
  const many = await engineWith(data, n, rows - 3);
  for (const p of [one, many]) assert.deepEqual(p.loadModel(file), { ok: true });
  const q = (/** @type {number} */ v) => Math.round(v * 100) / 100; // stored resolution
  for (let t = rows - 3; t < rows; t++) {
    const end = T0 + (t + 1) * INTERVAL_MS;
    const mean = Array.from(data.speed[t], q);
    assert.equal(one.ingestValues(end, Float32Array.from(mean)).ok, true);
    // ten snapshots 30 s apart whose quantised values average exactly to the mean; none of the
    // first nine is the mean itself, so a reader that missed the last fold would see it
    const offsets = [0.25, -0.5, 0.75, -0.25, 0.5, -0.75, 1, -0.5, -0.5, 0];
    offsets.forEach((off, i) => {
      const row = Float32Array.from(mean, (v) => (v > 2 ? v + off : v));
      assert.equal(many.ingestValues(end - (9 - i) * 30_000, row).ok, true);
    });
    assert.deepEqual(many.latest().speedMph, one.latest().speedMph, `slot ${t}: latest()`);
    assert.deepEqual(many.forecast(), one.forecast(), `slot ${t}: forecast`);
  }
  assert.deepEqual(many.speedHistory(3, 12), one.speedHistory(3, 12));
  // training reads the newest slot too: the same model from both histories
  one.trainSync({ maxSamples: 300 });
  many.trainSync({ maxSamples: 300 });
  assert.deepEqual(many.saveModel(), one.saveModel());
  for (const p of [a, one, many]) p.dispose();
});
