// Tests of flowcast-sim (c/sim/): the Atlanta network file, the cell transmission model's
// physics (conservation, fundamental diagram, peaks and nights, incident queues), the sensor
// faults, determinism, snapshots, the synthetic generator and the command line.
// Runs are short (1-3 simulated days, well under a second each) so the suite stays quick.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIM = fileURLToPath(new URL('../build/native/bin/flowcast-sim', import.meta.url));
const REFERENCE = '/work/shared/data/atlanta/interchanges.json';
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-sim-'));
const ID_RE = /^[A-Za-z0-9._:-]{1,63}$/;
// A Tuesday: the default start (2026-09-07) is Labor Day, which runs like a Sunday.
const TUESDAY = '2026-09-08T00:00:00-04:00';
const ROWS_PER_DAY = 288;

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));

function run(args) {
  const r = spawnSync(SIM, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

function runOk(args) {
  const r = run(args);
  assert.equal(r.status, 0, `flowcast-sim ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
}

function readMatrix(file) {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const ids = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map((v) => (v === '' ? null : Number(v))));
  return { ids, rows };
}

function loadDataset(dir) {
  return {
    meta: JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')),
    net: JSON.parse(fs.readFileSync(path.join(dir, 'network.json'), 'utf8')),
    speed: readMatrix(path.join(dir, 'speed.csv')),
    volume: readMatrix(path.join(dir, 'volume.csv')),
    occupancy: readMatrix(path.join(dir, 'occupancy.csv')),
    quality: readMatrix(path.join(dir, 'quality.csv')),
    events: fs.readFileSync(path.join(dir, 'events.csv'), 'utf8').trimEnd().split('\n'),
  };
}

const datasets = new Map();
/** Runs the simulator once per distinct argument list and caches the parsed output. */
function dataset(name, args) {
  if (!datasets.has(name)) {
    const dir = path.join(TMP, name);
    const r = runOk(['--out', dir, '--quiet', ...args]);
    datasets.set(name, { dir, stdout: r.stdout, ...loadDataset(dir) });
  }
  return datasets.get(name);
}

// Ideal sensors, no random disturbances: the model's own behaviour, three weekdays.
const clean = () =>
  dataset('clean', ['--days', '3', '--start', TUESDAY, '--no-random-incidents', '--no-weather',
    '--ideal-sensors', '--check-conservation']);

const mp = (id) => Number(id.split('-').at(-1));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rowOf = (day, hh, mm) => day * ROWS_PER_DAY + hh * 12 + Math.floor(mm / 5);

function networkFile() {
  const file = path.join(TMP, 'network.json');
  if (!fs.existsSync(file)) runOk(['--network-only', '--out', file]);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function haversineKm([la1, lo1], [la2, lo2]) {
  const r = Math.PI / 180;
  const a = Math.sin(((la2 - la1) * r) / 2) ** 2 +
    Math.cos(la1 * r) * Math.cos(la2 * r) * Math.sin(((lo2 - lo1) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

// ---- the network ---------------------------------------------------------------------------

test('network: valid flowcast.network/1 with 400-500 unique, twinned sensors', () => {
  const net = networkFile();
  assert.equal(net.schema, 'flowcast.network/1');
  assert.equal(net.id, 'atlanta-i75-i285');
  assert.equal(net.timezone, 'America/New_York');
  assert.equal(net.interval_s, 300);
  const n = net.sensors.length;
  assert.ok(n >= 400 && n <= 500, `${n} sensors`);
  const byId = new Map();
  for (const s of net.sensors) {
    assert.match(s.id, ID_RE);
    assert.ok(!byId.has(s.id), `duplicate id ${s.id}`);
    byId.set(s.id, s);
    assert.ok(s.lat > 33.5 && s.lat < 34.0 && s.lon > -84.6 && s.lon < -84.2, `${s.id} outside Atlanta`);
    assert.ok(['I-285', 'I-75'].includes(s.road));
    assert.ok(Number.isInteger(s.lanes) && s.lanes >= 4 && s.lanes <= 8, `${s.id} lanes ${s.lanes}`);
    assert.ok(s.speed_limit_mph >= 50 && s.speed_limit_mph <= 65);
    assert.equal(typeof s.label, 'string');
  }
  for (const s of net.sensors) {
    const t = byId.get(s.twin);
    assert.ok(t, `${s.id}: twin ${s.twin} missing`);
    assert.equal(t.twin, s.id, `twin of ${s.id} is not symmetric`);
    assert.equal(t.road, s.road);
    assert.notEqual(t.direction, s.direction);
    assert.equal(t.milepost, s.milepost);
  }
  // Downtown Connector: 6-8 lanes, 50-55 mph
  for (const s of net.sensors.filter((x) => x.road === 'I-75' && x.milepost > 242 && x.milepost < 250)) {
    assert.ok(s.lanes >= 6 && s.speed_limit_mph <= 55, `${s.id}`);
  }
});

test('network: corridors cover every sensor once, in downstream order, loops for I-285', () => {
  const net = networkFile();
  const seen = new Set();
  assert.deepEqual(net.corridors.map((c) => c.id).sort(), ['I285-CCW', 'I285-CW', 'I75-NB', 'I75-SB']);
  const byId = new Map(net.sensors.map((s) => [s.id, s]));
  for (const c of net.corridors) {
    assert.equal(c.loop === true, c.road === 'I-285', `${c.id} loop flag`);
    const increasing = c.direction === 'CW' || c.direction === 'NB';
    for (let i = 0; i < c.sensors.length; i++) {
      const s = byId.get(c.sensors[i]);
      assert.ok(s, `${c.id}: unknown sensor ${c.sensors[i]}`);
      assert.ok(!seen.has(s.id), `${s.id} in two corridors`);
      seen.add(s.id);
      assert.equal(s.direction, c.direction);
      if (i > 0) {
        const d = s.milepost - byId.get(c.sensors[i - 1]).milepost;
        assert.ok(increasing ? d > 0 : d < 0, `${c.id}: ${c.sensors[i - 1]} -> ${s.id} not downstream`);
        assert.ok(Math.abs(d) >= 0.3 && Math.abs(d) <= 0.5, `${c.id}: spacing ${d}`);
      }
    }
    assert.ok(c.geometry.length >= 20, `${c.id} geometry`);
    for (const [la, lo] of c.geometry) assert.ok(Math.abs(la - 33.77) < 0.3 && Math.abs(lo + 84.39) < 0.3);
  }
  assert.equal(seen.size, net.sensors.length);
});

test('network: connections for every movement at both I-75/I-285 interchanges', () => {
  const net = networkFile();
  const byId = new Map(net.sensors.map((s) => [s.id, s]));
  const key = (s) => `${s.road} ${s.direction}`;
  const moves = { north: new Set(), south: new Set() };
  for (const c of net.connections) {
    const a = byId.get(c.from), b = byId.get(c.to);
    assert.ok(a && b, `connection ${c.from} -> ${c.to}: unknown sensor`);
    assert.notEqual(a.road, b.road);
    assert.ok(c.length_mi > 0 && c.length_mi < 2);
    const i285 = a.road === 'I-285' ? a : b, i75 = a.road === 'I-75' ? a : b;
    // within a mile of the crossing, on both roads, and close on the map
    const north = Math.abs(i285.milepost - 19) < 1 && Math.abs(i75.milepost - 259) < 1;
    const south = Math.abs(i285.milepost - 58) < 1 && Math.abs(i75.milepost - 238) < 1;
    assert.ok(north || south, `${c.from} -> ${c.to} is not at an interchange`);
    assert.ok(haversineKm([a.lat, a.lon], [b.lat, b.lon]) < 2, `${c.from} -> ${c.to} far apart`);
    moves[north ? 'north' : 'south'].add(`${key(a)} > ${key(b)}`);
  }
  const expected = [];
  for (const a of ['I-75 NB', 'I-75 SB']) for (const b of ['I-285 CW', 'I-285 CCW']) expected.push(`${a} > ${b}`, `${b} > ${a}`);
  assert.deepEqual([...moves.north].sort(), expected.sort());
  assert.deepEqual([...moves.south].sort(), expected.sort());
});

test('network: reference interchanges lie within 1.5 km of the road at their milepost',
  { skip: fs.existsSync(REFERENCE) ? false : `${REFERENCE} not present (reference data lives outside the repo)` },
  () => {
    const ref = JSON.parse(fs.readFileSync(REFERENCE, 'utf8'));
    const net = networkFile();
    const roads = { 'I-285': 'CW', 'I-75': 'NB' };
    const loopLen = 63.98;
    for (const [road, dir] of Object.entries(roads)) {
      const sensors = net.sensors.filter((s) => s.road === road && s.direction === dir);
      for (const p of ref[road]) {
        // the road at p.mp: interpolated (or extrapolated at I-75's ends) between the two
        // stations nearest in milepost, unwrapping the loop's mile 0 / 63.98
        const unwrap = (m) => (road === 'I-285' ? m + loopLen * Math.round((p.mp - m) / loopLen) : m);
        const [a, b] = sensors
          .map((s) => ({ s, m: unwrap(s.milepost) }))
          .sort((x, y) => Math.abs(x.m - p.mp) - Math.abs(y.m - p.mp))
          .slice(0, 2);
        assert.ok(Math.abs(a.m - p.mp) <= 0.4, `${road} mp ${p.mp}: no station within 0.4 mi`);
        const t = (p.mp - a.m) / (b.m - a.m);
        const at = [a.s.lat + t * (b.s.lat - a.s.lat), a.s.lon + t * (b.s.lon - a.s.lon)];
        const km = haversineKm(at, p.at);
        assert.ok(km <= 1.5, `${road} mp ${p.mp} (${p.name}): ${km.toFixed(2)} km from the road`);
      }
    }
  });

// ---- the model -----------------------------------------------------------------------------

test('dataset: meta.json and matrices follow docs/FORMATS.md', () => {
  const d = clean();
  assert.equal(d.meta.schema, 'flowcast.dataset/1');
  assert.equal(d.meta.network, 'atlanta-i75-i285');
  assert.equal(d.meta.start, TUESDAY);
  assert.equal(d.meta.interval_s, 300);
  assert.equal(d.meta.rows, 3 * ROWS_PER_DAY);
  assert.equal(d.meta.timezone, 'America/New_York');
  const ids = d.net.sensors.map((s) => s.id);
  for (const m of [d.speed, d.volume, d.occupancy, d.quality]) {
    assert.deepEqual(m.ids, ids);
    assert.equal(m.rows.length, d.meta.rows);
    for (const r of m.rows) assert.equal(r.length, ids.length);
  }
  assert.equal(d.events[0], 'kind,start,end,sensor,lanes_blocked,detail');
});

test('model: vehicles are conserved between sources and sinks', () => {
  const d = clean();
  const m = /entered ([\d.]+) exited ([\d.]+) stored ([\d.]+) residual (-?[\d.e+-]+)/.exec(d.stdout);
  assert.ok(m, `no conservation line in: ${d.stdout}`);
  const [entered, exited, stored] = m.slice(1, 4).map(Number);
  assert.ok(entered > 1e6, `only ${entered} vehicles entered`);
  assert.ok(Math.abs(entered - exited - stored) < 1e-6 * entered, `${entered} - ${exited} - ${stored}`);
  const c = d.meta.conservation;
  assert.ok(Math.abs(c.entered_veh - c.exited_veh - c.stored_veh) < 1, JSON.stringify(c));
});

test('model: output follows the triangular fundamental diagram', () => {
  const d = clean();
  const sensors = d.net.sensors;
  let lowDensity = 0, offFreeFlow = 0;
  for (let r = 0; r < d.speed.rows.length; r++) {
    for (let i = 0; i < sensors.length; i++) {
      const s = sensors[i];
      const vFree = s.speed_limit_mph + d.meta.model.free_flow_over_limit_mph;
      const qLane = d.volume.rows[r][i] / s.lanes;                 // veh/h/lane
      const kLane = (d.occupancy.rows[r][i] * 5280) / 20;          // veh/mi/lane
      const v = d.speed.rows[r][i];
      assert.ok(qLane <= d.meta.model.capacity_vphpl + 1e-6, `${s.id} row ${r}: ${qLane} veh/h/lane above capacity`);
      assert.ok(v <= vFree + 0.05, `${s.id} row ${r}: ${v} mph above free flow`);
      // q = v k, and no point above the free-flow branch (slack for the written precision)
      assert.ok(qLane <= vFree * kLane * 1.03 + 10, `${s.id} row ${r}: q ${qLane} above v_free k ${vFree * kLane}`);
      if (kLane > 0.5) assert.ok(Math.abs(qLane - v * kLane) <= 0.03 * qLane + 10, `${s.id} row ${r}: q != v k`);
      if (kLane < 0.5 * (2100 / vFree)) {
        lowDensity++;
        if (Math.abs(v - vFree) > 2) offFreeFlow++;
      }
    }
  }
  assert.ok(lowDensity > 100000);
  // Below half the critical density the road runs at free-flow speed (a handful of
  // 5-minute periods straddle a queue's arrival or departure).
  assert.ok(offFreeFlow < 0.001 * lowDensity, `${offFreeFlow} of ${lowDensity} low-density readings off free flow`);
});

test('model: weekday peaks slow the top end and the Downtown Connector; nights run free', () => {
  const d = clean();
  const sensors = d.net.sensors;
  const groups = {
    'I-285 top end': sensors.map((s, i) => [s, i]).filter(([s]) => s.road === 'I-285' && s.milepost >= 19 && s.milepost <= 33),
    'Downtown Connector': sensors.map((s, i) => [s, i]).filter(([s]) => s.road === 'I-75' && s.milepost >= 242 && s.milepost <= 250),
  };
  const groupMean = (idx, from, to) => {
    const v = [];
    for (let r = from; r < to; r++) for (const [, i] of idx) v.push(d.speed.rows[r][i]);
    return mean(v);
  };
  const figures = [];
  for (let day = 0; day < 3; day++) {
    for (const [name, idx] of Object.entries(groups)) {
      // slowest 30 minutes of each peak (6:30-9:30, 15:30-19:00)
      const slowest = (h0, m0, h1, m1) => {
        let best = Infinity;
        for (let r = rowOf(day, h0, m0); r + 6 <= rowOf(day, h1, m1); r++) best = Math.min(best, groupMean(idx, r, r + 6));
        return best;
      };
      const am = slowest(6, 30, 9, 30), pm = slowest(15, 30, 19, 0);
      const night = groupMean(idx, rowOf(day, 2, 0), rowOf(day, 4, 0));
      const vFree = mean(idx.map(([s]) => s.speed_limit_mph + 5));
      figures.push(`day ${day} ${name}: am ${am.toFixed(1)} pm ${pm.toFixed(1)} night ${night.toFixed(1)} mph`);
      assert.ok(am >= 15 && am <= 42, `${name} day ${day} AM peak ${am.toFixed(1)} mph`);
      assert.ok(pm >= 15 && pm <= 42, `${name} day ${day} PM peak ${pm.toFixed(1)} mph`);
      assert.ok(night >= 0.97 * vFree, `${name} day ${day} night ${night.toFixed(1)} vs free ${vFree}`);
      for (let r = rowOf(day, 2, 0); r < rowOf(day, 4, 0); r++) {
        for (const [s, i] of idx) assert.ok(d.speed.rows[r][i] >= 0.9 * (s.speed_limit_mph + 5), `${s.id} at night`);
      }
    }
  }
  console.log(figures.join('\n'));
});

test('model: an incident builds a queue upstream that clears after the blockage ends', () => {
  const site = 'I285-CW-010.3';
  const d = dataset('incident', ['--days', '1', '--start', TUESDAY, '--no-random-incidents',
    '--no-weather', '--ideal-sensors', '--incident', `${site},2026-09-08T11:00:00-04:00,45,3`]);
  const line = d.events.find((l) => l.startsWith('incident,'));
  assert.equal(line, `incident,2026-09-08T11:00:00-04:00,2026-09-08T11:45:00-04:00,${site},3,forced: 3 of 4 lanes blocked`);
  const cw = d.net.sensors.map((s, i) => [s, i]).filter(([s]) => s.direction === 'CW');
  const upstream = cw.filter(([s]) => s.milepost >= 5 && s.milepost <= mp(site));
  const speedAt = (hh, mm, i) => d.speed.rows[rowOf(0, hh, mm)][i];
  // the queue: slow stations upstream of the site, and how far back it reaches
  const queue = (hh, mm) => {
    const slow = upstream.filter(([, i]) => speedAt(hh, mm, i) < 30).map(([s]) => s.milepost);
    return { count: slow.length, tail: slow.length ? Math.min(...slow) : Infinity };
  };
  assert.equal(queue(10, 50).count, 0, 'queue before the incident');
  const q1 = queue(11, 10), q2 = queue(11, 25), q3 = queue(11, 40);
  assert.ok(q1.count >= 1, 'no queue 10 minutes in');
  assert.ok(q2.count >= q1.count && q3.count > q1.count, `queue not growing: ${q1.count} ${q2.count} ${q3.count}`);
  assert.ok(q3.tail < q1.tail, `tail not moving upstream: ${q1.tail} -> ${q3.tail}`);
  // downstream of the blockage flow is held to the open lane's capacity
  const below = cw.find(([s]) => s.milepost > mp(site))[1];
  assert.ok(d.volume.rows[rowOf(0, 11, 25)][below] < 0.7 * d.volume.rows[rowOf(0, 10, 50)][below]);
  // cleared within an hour of the end
  for (const [s, i] of upstream) assert.ok(speedAt(12, 45, i) > 60, `${s.id} still slow after clearance`);
  for (const [s, i] of cw) assert.ok(speedAt(12, 45, i) > 0.9 * (s.speed_limit_mph + 5), `${s.id} at 12:45`);
});

test('model: a queue on I-285 spills back up the interchange ramp onto I-75', () => {
  // Four of five lanes blocked on I-285 CW just past the merge of the ramp from I-75 NB at
  // Cumberland, for two hours. The ramp fills, then I-75 NB backs up at the diverge and
  // carries less traffic past it than on the same day without the incident.
  const d = dataset('spillback', ['--days', '1', '--start', TUESDAY, '--no-random-incidents',
    '--no-weather', '--ideal-sensors', '--incident', 'I285-CW-019.9,2026-09-08T13:00:00-04:00,120,4']);
  const base = clean();
  const ramp = d.net.connections.find((c) => c.name === 'I-75 NB to I-285 CW (Cumberland)');
  const nb = d.net.corridors.find((c) => c.id === 'I75-NB').sensors;
  const at = d.speed.ids.indexOf(ramp.from);
  const past = d.speed.ids.indexOf(nb[nb.indexOf(ramp.from) + 1]);
  const window = (m, i, from, to) => mean(m.rows.slice(from, to).map((r) => r[i]));
  const [a, b] = [rowOf(0, 14, 30), rowOf(0, 15, 0)];
  assert.ok(window(base.speed, at, a, b) > 55, 'baseline should flow freely');
  assert.ok(window(d.speed, at, a, b) < 20, `I-75 NB at the diverge: ${window(d.speed, at, a, b)} mph`);
  const flowCut = window(d.volume, past, a, b) / window(base.volume, past, a, b);
  assert.ok(flowCut < 0.97, `flow past the diverge only ${(100 * (1 - flowCut)).toFixed(1)} % lower`);
  // and it is gone an hour and a half after the blockage ends
  assert.ok(window(d.speed, at, rowOf(0, 16, 30), rowOf(0, 17, 0)) > 55);
});

// ---- sensors, determinism, snapshots -------------------------------------------------------

test('sensors: noise, dropouts, outages, stuck and dead detectors are in the values', () => {
  const d = dataset('faulty', ['--days', '2', '--seed', '7']);
  const n = d.speed.ids.length;
  const columns = (m, i) => m.rows.map((r) => r[i]);
  let dead = 0, stuck = 0, missing = 0;
  for (let i = 0; i < n; i++) {
    const col = columns(d.speed, i);
    missing += col.filter((v) => v === null).length;
    if (col.every((v) => v === null)) dead++;
    // a run of 2 hours of identical readings (volume and occupancy too) is a stuck detector
    let run = 1;
    for (let r = 1; r < col.length; r++) {
      const same = col[r] !== null && col[r] === col[r - 1] &&
        d.volume.rows[r][i] === d.volume.rows[r - 1][i] && d.occupancy.rows[r][i] === d.occupancy.rows[r - 1][i];
      run = same ? run + 1 : 1;
      if (run === 24) { stuck++; break; }
    }
  }
  assert.ok(dead >= 2 && dead <= 10, `${dead} dead detectors`);
  assert.ok(stuck >= 3, `${stuck} stuck detectors`);
  assert.ok(missing > 0.005 * n * d.speed.rows.length, `${missing} missing readings`);
  const kinds = new Set(d.events.slice(1).map((l) => l.split(',')[0]));
  for (const k of ['sensor_dead', 'sensor_outage', 'sensor_stuck', 'incident']) assert.ok(kinds.has(k), `no ${k} event`);
  // quality flags mark faults, but not all of them (unflagged stuck spells look valid)
  const flags = new Set(d.quality.rows.flat());
  assert.ok(flags.has(0) && flags.has(4) && flags.has(2), [...flags].join(','));
  for (const m of [d.speed, d.volume, d.occupancy]) {
    for (const r of m.rows) for (const v of r) assert.ok(v === null || (Number.isFinite(v) && v >= 0));
  }
});

function digest(dir) {
  const h = createHash('sha256');
  for (const f of ['meta.json', 'network.json', 'speed.csv', 'volume.csv', 'occupancy.csv', 'quality.csv', 'events.csv']) {
    h.update(f).update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex');
}

test('determinism: the same seed gives identical files, another seed different ones', () => {
  const args = ['--days', '1', '--quiet'];
  const a = path.join(TMP, 'det-a'), b = path.join(TMP, 'det-b'), c = path.join(TMP, 'det-c');
  runOk(['--out', a, '--seed', '42', ...args]);
  runOk(['--out', b, '--seed', '42', ...args]);
  runOk(['--out', c, '--seed', '43', ...args]);
  assert.equal(digest(a), digest(b));
  assert.notEqual(digest(a), digest(c));
  assert.notEqual(fs.readFileSync(path.join(a, 'speed.csv'), 'utf8'), fs.readFileSync(path.join(c, 'speed.csv'), 'utf8'));
});

test('snapshots: 300-s snapshots repeat the matrix rows; 30-s ones come every 30 s', () => {
  const out = path.join(TMP, 'snap-data'), snaps = path.join(TMP, 'snap-300'), snaps30 = path.join(TMP, 'snap-30');
  runOk(['--out', out, '--days', '1', '--quiet', '--snapshots-dir', snaps, '--snapshot-interval', '300', '--snapshot-hours', '1']);
  const files = fs.readdirSync(snaps).sort();
  assert.equal(files.length, 12);
  assert.equal(files[0], '2026-09-07T00:05:00-04:00.json');
  const speed = readMatrix(path.join(out, 'speed.csv'));
  for (let k = 0; k < files.length; k++) {
    const snap = JSON.parse(fs.readFileSync(path.join(snaps, files[k]), 'utf8'));
    assert.equal(snap.schema, 'flowcast.snapshot/1');
    assert.equal(snap.network, 'atlanta-i75-i285');
    assert.equal(snap.interval_s, 300);
    assert.equal(`${snap.ts}.json`, files[k]);
    assert.deepEqual(snap.readings.map((r) => r.id), speed.ids);
    assert.deepEqual(snap.readings.map((r) => r.speed_mph), speed.rows[k]);
  }
  runOk(['--out', path.join(TMP, 'snap-data-30'), '--days', '1', '--quiet', '--snapshots-dir', snaps30,
    '--snapshot-interval', '30', '--snapshot-hours', '0.5']);
  const f30 = fs.readdirSync(snaps30).sort();
  assert.equal(f30.length, 60);
  assert.equal(f30[0], '2026-09-07T00:00:30-04:00.json');
  const s30 = JSON.parse(fs.readFileSync(path.join(snaps30, f30[10]), 'utf8'));
  assert.equal(s30.interval_s, 30);
  const speeds = s30.readings.map((r) => r.speed_mph).filter((v) => v !== null);
  assert.ok(mean(speeds) > 55, 'night snapshot should be near free flow');
  // the matrices do not depend on whether snapshots were written
  assert.equal(fs.readFileSync(path.join(out, 'speed.csv'), 'utf8'),
    fs.readFileSync(path.join(TMP, 'snap-data-30', 'speed.csv'), 'utf8'));
});

test('synthetic: N sensors on a grid with corridors, twins and connections', () => {
  for (const n of [1000, 1001]) {
    const file = path.join(TMP, `synthetic-${n}.json`);
    runOk(['--synthetic', String(n), '--out', file, '--seed', '3']);
    const net = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(net.schema, 'flowcast.network/1');
    assert.equal(net.sensors.length, n);
    const ids = new Set(net.sensors.map((s) => s.id));
    assert.equal(ids.size, n);
    for (const s of net.sensors) {
      assert.match(s.id, ID_RE);
      if (s.twin !== undefined) assert.equal(net.sensors.find((t) => t.id === s.twin).twin, s.id);
    }
    const covered = net.corridors.flatMap((c) => c.sensors);
    assert.equal(covered.length, n);
    assert.equal(new Set(covered).size, n);
    assert.ok(net.connections.length >= 8 * 4, `${net.connections.length} connections`);
    for (const c of net.connections) assert.ok(ids.has(c.from) && ids.has(c.to));
  }
});

// ---- command line --------------------------------------------------------------------------

test('cli: --help exits 0, bad arguments exit 2 with a message', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--snapshot-interval/);
  const out = path.join(TMP, 'never');
  const bad = [
    [],
    ['--out'],
    ['--out', out, '--bogus'],
    ['--out', out, '--days', 'abc'],
    ['--out', out, '--days', '0'],
    ['--out', out, '--seed', '-1'],
    ['--out', out, '--start', 'yesterday'],
    ['--out', out, '--start', '2026-09-07T00:01:00-04:00'],
    ['--out', out, '--snapshots-dir', out, '--snapshot-interval', '60'],
    ['--out', out, '--snapshot-hours', '2'],
    ['--out', out, '--incident', 'I285-CW-010.3,2026-09-08T11:00:00-04:00,45'],
    ['--out', out, '--incident', 'NOPE,2026-09-08T11:00:00-04:00,45,1'],
    ['--out', out, '--incident', 'I285-CW-010.3,2026-09-08T11:00:00-04:00,45,4'],
    ['--synthetic', '3', '--out', out],
    ['--network-only', '--synthetic', '1000', '--out', out],
  ];
  for (const args of bad) {
    const r = run(args);
    assert.equal(r.status, 2, `flowcast-sim ${args.join(' ')} exited ${r.status}`);
    assert.match(r.stderr, /flowcast-sim: /, `no message for ${args.join(' ')}`);
  }
  assert.ok(!fs.existsSync(out), 'a failed run must not create its output directory');
});
