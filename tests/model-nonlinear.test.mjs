// The model's later stages, the pooled correction (c/src/model_resid.h) and the shared network
// (c/src/model_mlp.h): each learns a structure that the stages before it cannot represent, they
// train deterministically, and a saved and reloaded model forecasts exactly as the trained one
// (format 6 carries both).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor } from 'flowcast';
import { gridNetwork } from './fixtures/networks.mjs';
import { rng } from './fixtures/rng.mjs';
import { networkWeights, pooledCorrectionBytes, withoutCorrection, withoutNetwork } from './fixtures/model-file.mjs';

const INTERVAL_MS = 300_000;
const T0 = Date.parse('2026-09-07T04:00:00Z'); // Monday 00:00 in New York
const DAY = 288;
const FREE = 65, JAM = 30;

/**
 * Free flow at 65 mph broken by drops to 30 mph that start at random. Between 06:00 and 12:00 a
 * drop lasts an hour (a queue); between 12:00 and 18:00 it lasts one slot (a detector blip) and
 * comes six times as often, so both halves of the day spend the same share of time at 30 mph:
 * their time-of-day profiles are alike. At the first slot of a drop a sensor's linear inputs
 * (its last readings 65, 65, 65, now 30; the same profiles; neighbours that drop the same way)
 * are the same morning and afternoon, but 30 minutes later the truth is 30 mph in the morning
 * and 65 in the afternoon: the linear model can only forecast one value for both, the mean.
 * What separates them is the hour together with the speed: the correction's hour x speed and
 * hour x distance-to-profile tables.
 * @returns {{ speed: Float32Array[], start: Uint8Array[] }} start[t][s]: 1 at a morning drop's
 *   first slot, 2 at an afternoon one's
 */
function queuesAndBlips(n, rows, seed) {
  const rand = rng(seed);
  const speed = [], start = [];
  const left = new Int32Array(n); // slots of the current drop still to come
  for (let t = 0; t < rows; t++) {
    const hour = Math.floor((t % DAY) / 12);
    const row = new Float32Array(n), st = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      if (left[s] === 0) {
        if (hour >= 6 && hour < 12 && rand() < 1 / 72) { left[s] = 12; st[s] = 1; }
        else if (hour >= 12 && hour < 18 && rand() < 1 / 6) { left[s] = 1; st[s] = 2; }
      }
      row[s] = (left[s] > 0 ? JAM : FREE) + (rand() - 0.5) * 2;
      if (left[s] > 0) left[s]--;
    }
    speed.push(row);
    start.push(st);
  }
  return { speed, start };
}

/** An engine over gridNetwork(n) with rows [0, upto) ingested. */
async function engineWith(data, n, upto) {
  const p = await createPredictor({ network: gridNetwork(n), config: { historyS: 35 * 86400 } });
  for (let t = 0; t < upto; t++) {
    const r = p.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  return p;
}

test('learns what the linear model cannot: a drop that lasts in the morning and not in the afternoon', async () => {
  const n = 8, train = DAY * 14, rows = DAY * 21;
  const data = queuesAndBlips(n, rows, 5);
  const p = await engineWith(data, n, train);
  p.trainSync();
  // the same model without its correction (a format-3 file of it: the linear model alone)
  const linear = await engineWith(data, n, train);
  assert.deepEqual(linear.loadModel(withoutCorrection(p.saveModel())), { ok: true });
  const h = 6; // 30 minutes
  const sum = { model: [0, 0, 0], linear: [0, 0, 0], truth: [0, 0, 0] }, count = [0, 0, 0];
  const absErr = { model: [0, 0, 0], linear: [0, 0, 0] };
  for (let t = train; t < rows - h; t++) {
    for (const e of [p, linear]) e.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
    // first slots of drops whose previous three readings were free flow, away from the edges of
    // the two halves of the day (where the profile changes)
    const tod = t % DAY;
    if (!(tod >= 7 * 12 && tod < 11 * 12) && !(tod >= 13 * 12 && tod < 17 * 12)) continue;
    const sensors = [];
    for (let s = 0; s < n; s++) {
      const free = [1, 2, 3].every((k) => data.speed[t - k][s] > 50);
      if (data.start[t][s] && free) sensors.push(s);
    }
    if (!sensors.length) continue;
    const f = p.forecast(), fl = linear.forecast();
    for (const s of sensors) {
      const kind = data.start[t][s];
      sum.model[kind] += f.mid[s * 12 + h - 1];
      sum.linear[kind] += fl.mid[s * 12 + h - 1];
      sum.truth[kind] += data.speed[t + h][s];
      absErr.model[kind] += Math.abs(f.mid[s * 12 + h - 1] - data.speed[t + h][s]);
      absErr.linear[kind] += Math.abs(fl.mid[s * 12 + h - 1] - data.speed[t + h][s]);
      count[kind]++;
    }
  }
  assert.ok(count[1] >= 15 && count[2] >= 15, `drops seen: ${count[1]} morning, ${count[2]} afternoon`);
  const gap = (/** @type {number[]} */ v) => v[2] / count[2] - v[1] / count[1];
  const show = (/** @type {number[]} */ v) => `${(v[1] / count[1]).toFixed(1)} / ${(v[2] / count[2]).toFixed(1)}`;
  const what = `30 min after a drop, morning / afternoon: truth ${show(sum.truth)}, linear ${show(sum.linear)}, ` +
    `corrected ${show(sum.model)} mph; MAE linear ${show(absErr.linear)}, corrected ${show(absErr.model)}`;
  // the truths are ~30 and ~60 mph apart; the linear model forecasts nearly the same for both
  assert.ok(gap(sum.truth) > 25, what);
  assert.ok(Math.abs(gap(sum.linear)) < 0.25 * gap(sum.truth), what);
  // the correction separates them (a third of the way: its tables are additive, and the
  // hour x speed cells also hold the middle of the morning's queues), with a lower MAE in both
  assert.ok(gap(sum.model) > 0.3 * gap(sum.truth), what);
  for (const k of [1, 2]) assert.ok(absErr.model[k] < absErr.linear[k], what);
  p.dispose();
  linear.dispose();
});

/**
 * Free flow at 65 mph broken by queues at 30 mph that last exactly 80 minutes (16 slots) and
 * start at random at any time of day (so the time-of-day profile is flat). 30 minutes ahead of
 * an origin inside a queue, the truth is free flow if the queue started 50 minutes ago or more
 * and still the queue if it started 35 minutes ago or less. The last 15 minutes (the linear
 * models' lags) and the tables' 5- and 15-minute trends are the same for both (30 mph all
 * along); only the speeds 40 and 55 minutes back — the network's lags of 8 and 11 slots — tell
 * how long the queue has lasted.
 * @returns {{ speed: Float32Array[], age: Int32Array[] }} age[t][s]: slots since the queue at s
 *   started (0 at its first slot), -1 in free flow
 */
function fixedQueues(n, rows, seed) {
  const rand = rng(seed);
  const speed = [], age = [];
  const since = new Int32Array(n).fill(-1);
  for (let t = 0; t < rows; t++) {
    const row = new Float32Array(n), a = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      if (since[s] >= 0) since[s] = since[s] + 1 < 16 ? since[s] + 1 : -1;
      else if (rand() < 1 / 60) since[s] = 0;
      row[s] = (since[s] >= 0 ? JAM : FREE) + (rand() - 0.5) * 2;
      a[s] = since[s];
    }
    speed.push(row);
    age.push(a);
  }
  return { speed, age };
}

test('the network knows how long a queue has lasted: 30 minutes ahead it forecasts the end of an old queue, not of a young one', async () => {
  const n = 8, train = DAY * 14, rows = DAY * 21, h = 6;
  const data = fixedQueues(n, rows, 11);
  const p = await engineWith(data, n, train);
  p.trainSync();
  const file = p.saveModel();
  assert.ok(networkWeights(file).some((w) => w !== 0), 'a network was trained');
  // the same model without its network (a format-4 file of it)
  const tables = await engineWith(data, n, train);
  assert.deepEqual(tables.loadModel(withoutNetwork(file)), { ok: true });
  const sum = { model: [0, 0], tables: [0, 0], truth: [0, 0] }, count = [0, 0];
  const absErr = { model: [0, 0], tables: [0, 0] };
  for (let t = train; t < rows - h; t++) {
    for (const e of [p, tables]) e.ingestValues(T0 + (t + 1) * INTERVAL_MS, data.speed[t]);
    const young = [], old = [];
    for (let s = 0; s < n; s++) {
      const a = data.age[t][s];
      if (a >= 3 && a <= 7) young.push(s); // ends 45-65 min from now: a queue 30 min ahead
      else if (a >= 11 && a <= 15 && data.age[t + h][s] === -1) old.push(s); // ended within 25 min
    }
    if (!young.length && !old.length) continue;
    const f = p.forecast(), ft = tables.forecast();
    [young, old].forEach((group, kind) => {
      for (const s of group) {
        const at = s * 12 + h - 1, truth = data.speed[t + h][s];
        sum.model[kind] += f.mid[at];
        sum.tables[kind] += ft.mid[at];
        sum.truth[kind] += truth;
        absErr.model[kind] += Math.abs(f.mid[at] - truth);
        absErr.tables[kind] += Math.abs(ft.mid[at] - truth);
        count[kind]++;
      }
    });
  }
  assert.ok(count[0] >= 50 && count[1] >= 50, `origins: ${count[0]} young, ${count[1]} old`);
  const gap = (/** @type {number[]} */ v) => v[1] / count[1] - v[0] / count[0];
  const show = (/** @type {number[]} */ v) => `${(v[0] / count[0]).toFixed(1)} / ${(v[1] / count[1]).toFixed(1)}`;
  const what = `30 min ahead inside a queue, young / old: truth ${show(sum.truth)}, without the network ` +
    `${show(sum.tables)}, with it ${show(sum.model)} mph; MAE without ${show(absErr.tables)}, with ${show(absErr.model)}`;
  assert.ok(gap(sum.truth) > 30, what);
  // without the network both look alike; with it, the old queue's end is forecast (measured:
  // truth 30.0 / 65.0, without 31.7 / 31.5, with 31.8 / 62.7 mph)
  assert.ok(Math.abs(gap(sum.tables)) < 0.2 * gap(sum.truth), what);
  assert.ok(gap(sum.model) > 0.7 * gap(sum.truth), what);
  const total = (/** @type {number[]} */ v) => v[0] + v[1];
  assert.ok(total(absErr.model) < 0.5 * total(absErr.tables), what);
  p.dispose();
  tables.dispose();
});

test('the correction and the network train deterministically and travel in the model file (format 6): save -> load forecasts exactly', async () => {
  const n = 8, rows = DAY * 9;
  const data = queuesAndBlips(n, rows, 9);
  const a = await engineWith(data, n, rows);
  a.trainSync();
  const file = a.saveModel();
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.equal(view.getUint32(8, true), 6);
  // 432 cells per horizon, a byte or more each, after its step byte
  assert.ok(pooledCorrectionBytes(file) >= 4 + 1 + 432 * 12, `correction section ${pooledCorrectionBytes(file)} bytes`);
  // the network: 604 weights for 12 horizons (24 inputs x 16 hidden units, ...), some not 0,
  // among them the weights of format 6's five inputs (W1's rows 19..23)
  const w = networkWeights(file);
  assert.equal(w.length, 604);
  assert.ok(w.some((v) => v !== 0) && w.every((v) => Number.isFinite(v)));
  assert.ok(w.subarray(19 * 16, 24 * 16).some((v) => v !== 0), 'the new inputs weigh nothing');
  const b = await engineWith(data, n, rows);
  b.trainSync();
  assert.deepEqual(b.saveModel(), file, 'two trainings on the same data differ');
  const c = await engineWith(data, n, rows);
  assert.deepEqual(c.loadModel(file), { ok: true });
  const fa = a.forecast(), fc = c.forecast();
  assert.deepEqual(fc, fa);
  assert.ok(fa.mid.every((v) => Number.isFinite(v)));
  // and the file saved by the loading engine is the same bytes
  assert.deepEqual(c.saveModel(), file);
  // a corrupted correction section is refused and the model stays
  const bad = file.slice();
  const at = 112 + [0, 1, 2].reduce((acc) => acc + 4 + new DataView(bad.buffer).getUint32(112 + acc, true), 0);
  bad[at + 4] = 30; // the correction's step: 2^-30 is beyond the 2^-24 a reader accepts
  const r = /** @type {any} */ (c.loadModel(bad));
  assert.equal(r.ok, false);
  assert.equal(r.code, 'E_FIELD'); // the checksum covers it: refused before the step is read
  assert.deepEqual(c.forecast(), fa);
  for (const p of [a, b, c]) p.dispose();
});
