// flowcast-pems (Caltrans PeMS clearinghouse import), as a user would judge it: station metadata
// and station 5-minute files in exactly the published layouts (docs/FORMATS.md, "PeMS import")
// become a network whose corridors are the freeways by direction in postmile order, and a
// dataset the feed server replays and flowcast-eval reads, with the ugly parts of real files
// (empty speeds, % observed 0, stations missing from the metadata, duplicates, rows out of
// order, clock changes) reported rather than crashing or turning into made-up values; malformed
// files are refused with the file and line, and nothing is written.
//
// tests/fixtures/pems/ holds the metadata and the hand-written ugly rows; the bulk of the
// 5-minute rows (32 hours of 11 stations) is generated here in the same layout.
// FLOWCAST_PEMS=path runs the tests against another build of the tool.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPredictor } from 'flowcast';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'build/native/bin');
const PEMS = process.env.FLOWCAST_PEMS ?? join(BIN, 'flowcast-pems');
const EVAL = join(BIN, 'flowcast-eval');
const FIX = join(ROOT, 'tests/fixtures/pems');
const META = join(FIX, 'd07_text_meta_2012_03_05.txt');
const UGLY = join(FIX, 'd07_text_station_5min_2012_03_06_ugly.txt');

const tmp = mkdtempSync(join(tmpdir(), 'fc-pems-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** @param {string[]} args */
const pems = (args) => spawnSync(PEMS, args, { encoding: 'utf8' });

/** Mainline stations with data in the generated rows: [id, freeway, direction, lanes]. */
const STATIONS = [
  ['715001', 5, 'N', 4], ['715002', 5, 'N', 4], ['715003', 5, 'N', 5],
  ['715011', 5, 'S', 4], ['715012', 5, 'S', 4], ['715013', 5, 'S', 4],
  ['717001', 101, 'N', 4], ['717002', 101, 'N', 4], ['713001', 134, 'E', 4], ['713002', 134, 'E', 4],
];
const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
/** "MM/DD/YYYY HH24:MI:SS" of 2012-03-05 00:00 + k periods (local; no clock change that week). */
function stamp(/** @type {number} */ k) {
  const d = new Date(Date.UTC(2012, 2, 5) + k * 300_000);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`;
}
/** The generated speed of station s in period k: free flow with a morning dip, deterministic. */
const speedOf = (/** @type {number} */ s, /** @type {number} */ k) => {
  const h = (k % 288) / 12;
  const dip = Math.max(0, 1 - Math.abs(h - 8) / 1.5) * (20 + 3 * s);
  return Math.round((64 - s * 0.7 - dip + 2 * Math.sin(k * 0.7 + s)) * 10) / 10;
};
const flowOf = (/** @type {number} */ s, /** @type {number} */ k) => 250 + ((k * 37 + s * 11) % 150);
/** One station 5-minute row in the published layout: 12 fields, then 5 per lane. */
function row(/** @type {string} */ ts, /** @type {string} */ id, /** @type {number} */ fwy, /** @type {string} */ dir,
  /** @type {string} */ type, /** @type {number} */ lanes, /** @type {number|string} */ pct, /** @type {number} */ flow,
  /** @type {number} */ occ, /** @type {number|string} */ speed) {
  const lane = [];
  for (let l = 0; l < lanes; l++) lane.push(10, Math.floor(flow / lanes), occ.toFixed(4), speed, pct === 0 ? 0 : 1);
  return [ts, id, 7, fwy, dir, type, '.5', 10 * lanes, pct, flow, occ.toFixed(4), speed, ...lane].join(',');
}
/** 2012-03-05 00:00 to 2012-03-06 07:55 for every station, plus on-ramp rows (skipped). */
function bulk() {
  const lines = [];
  for (let k = 0; k < 384; k++) {
    STATIONS.forEach(([id, fwy, dir, lanes], s) => {
      lines.push(row(stamp(k), /** @type {string} */ (id), /** @type {number} */ (fwy), /** @type {string} */ (dir), 'ML',
        /** @type {number} */ (lanes), 100, flowOf(s, k), 0.05 + s / 200, speedOf(s, k)));
    });
    lines.push(row(stamp(k), '715004', 5, 'N', 'OR', 1, 100, 60, 0.04, ''));
  }
  return lines.join('\n') + '\n';
}
const BULK = join(tmp, 'd07_text_station_5min_2012_03_05.txt');
writeFileSync(BULK, bulk());

/** Runs the import of the fixtures into a fresh folder; returns paths and the parsed outputs. */
function importFixtures(/** @type {string} */ name, /** @type {string[]} */ extra = []) {
  const out = join(tmp, name);
  const report = `${out}.report.json`;
  const r = pems(['--meta', META, '--data', BULK, '--data', UGLY, '--out', out, '--report', report, '--id', 'la-pems',
    '--name', 'Los Angeles (PeMS D7): replay of March 2012', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const net = JSON.parse(readFileSync(join(out, 'network.json'), 'utf8'));
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
  return { out, net, rep, meta, stderr: r.stderr };
}

/** Float32 cells: equal to a decimal to 1e-4, or both missing. */
const near = (/** @type {number|null} */ got, /** @type {number|null} */ want, /** @type {string} */ what) =>
  assert.ok(want === null ? got === null : got !== null && Math.abs(got - want) < 1e-4, `${what}: ${got} vs ${want}`);

/** A matrix CSV of the dataset as {ids, rows}: numbers, null for a missing cell (empty or NaN). */
function matrix(/** @type {string} */ path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return { ids: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map((v) => (v === '' || v === 'NaN' ? null : Number(v)))) };
}

let whole; // the --whole-weeks import, shared by the tests that read it
test.before(() => { whole = importFixtures('la-pems', ['--whole-weeks']); });

test('corridors are the freeways by direction in postmile order, mainline stations only', async () => {
  const { net, rep } = whole;
  const corridors = Object.fromEntries(net.corridors.map((/** @type {any} */ c) => [c.id, { road: c.road, direction: c.direction, sensors: c.sensors }]));
  assert.deepEqual(corridors, {
    'I5-N': { road: 'I-5', direction: 'N', sensors: ['715002', '715001', '715003'] }, // postmile 119.2, 120.5, 121.9
    'I5-S': { road: 'I-5', direction: 'S', sensors: ['715012', '715011', '715013'] }, // southbound: postmiles fall
    'US101-N': { road: 'US-101', direction: 'N', sensors: ['717001', '717002'] },
    'SR134-E': { road: 'SR-134', direction: 'E', sensors: ['713001', '713002'] },
  });
  const byId = new Map(net.sensors.map((/** @type {any} */ s) => [s.id, s]));
  assert.deepEqual([...byId.keys()].sort(), STATIONS.map(([id]) => id).sort(), 'mainline stations with data, no ramp or HOV station');
  assert.equal(byId.get('715001').label, 'Burbank Blvd');
  assert.equal(byId.get('715001').milepost, 120.5);
  assert.equal(byId.get('715003').lanes, 5);
  assert.equal(byId.get('717001').lanes, 4, 'an empty Lanes field: the default, reported as assumed');
  assert.equal(byId.get('713001').place, 'Glendale', 'a City written out is the place');
  assert.equal(byId.get('715001').place, undefined, 'a City code is not a place name');
  assert.equal(byId.get('715001').twin, '715011', 'opposite carriageways at one spot are twins');
  assert.equal(net.timezone, 'America/Los_Angeles');
  assert.notEqual(net.simulated, true);
  // the stations that are not in it are reported, and why
  assert.deepEqual(rep.metadata.no_data_ids, ['717099']);
  assert.deepEqual(rep.metadata.no_position_ids, ['717098']);
  assert.equal(rep.metadata.not_mainline, 2);
  assert.ok(rep.network.assumed.some((/** @type {string} */ a) => /lanes: 4 at 1 station/.test(a)), JSON.stringify(rep.network.assumed));
  const engine = await createPredictor({ network: JSON.stringify(net) });
  assert.equal(engine.sensorCount, 10);
});

test('the dataset holds what PeMS measured: empty speeds and % observed 0 are missing, duplicates and late rows placed once', () => {
  const { out, rep, meta } = whole;
  assert.equal(meta.start, '2012-03-05T00:00:00-08:00', 'the first period, Pacific standard time');
  assert.equal(meta.interval_s, 300);
  assert.equal(meta.recorded_rows, 387);
  assert.equal(meta.rows, 2016, 'padded to a whole week');
  assert.equal(meta.simulated, false);
  const speed = matrix(join(out, 'speed.csv'));
  const volume = matrix(join(out, 'volume.csv'));
  const occ = matrix(join(out, 'occupancy.csv'));
  const col = (/** @type {string} */ id) => speed.ids.indexOf(id);
  // the generated rows: row k is period k, flow per 5 minutes becomes vehicles per hour
  STATIONS.forEach(([id], s) => {
    for (const k of [0, 95, 200, 383]) {
      near(speed.rows[k][col(/** @type {string} */ (id))], speedOf(s, k), `${id} speed, row ${k}`);
      near(volume.rows[k][col(/** @type {string} */ (id))], 12 * flowOf(s, k), `${id} veh/h, row ${k}`);
    }
  });
  near(occ.rows[0][col('715002')], 0.055, 'occupancy');
  const r800 = 384, r805 = 385, r810 = 386; // 2012-03-06 08:00, 08:05, 08:10
  near(speed.rows[r800][col('715001')], null, 'an empty speed is missing');
  near(volume.rows[r800][col('715001')], 410 * 12, '... the flow of the row is kept');
  near(speed.rows[r800][col('715002')], null, '% observed 0: the imputed 61.2 mph is not data');
  near(volume.rows[r800][col('715002')], null, '% observed 0: nor its flow');
  near(speed.rows[r805][col('715003')], 47.5, 'a duplicate row');
  near(speed.rows[r805][col('715011')], 58.1, 'a conflicting duplicate: the first row is kept');
  near(speed.rows[r805][col('715012')], 59.4, 'a row out of order lands on its own period');
  near(speed.rows[r810][col('715012')], 59.9, 'the row before it');
  near(speed.rows[r810][col('715001')], null, 'no row: missing');
  near(speed.rows[1000][col('715001')], null, 'padding: missing');
  const d = rep.data;
  assert.equal(d.rows, 384 * 11 + 12);
  assert.equal(d.not_mainline_rows, 384 + 1);
  assert.deepEqual([d.not_in_metadata_rows, d.not_in_metadata_stations, d.not_in_metadata_ids], [2, 1, ['799999']]);
  assert.deepEqual([d.imputed_rows, d.no_speed_rows, d.duplicate_rows, d.conflicting_duplicate_rows, d.out_of_order_rows, d.no_position_rows],
    [1, 1, 1, 1, 1, 1]);
  assert.match(d.first_of_each.not_in_metadata, /_ugly\.txt:3$/);
  assert.match(d.first_of_each.conflicting_duplicate, /_ugly\.txt:10$/);
  assert.match(whole.stderr, /2 of 1 stations not in the metadata \(skipped\), 1 with % observed 0 \(missing\)/);
});

test('the feed server replays it: the stations, and the speeds of the same local time of week', async () => {
  const { buildServer } = await import('../web/server/server.js');
  // Monday 2026-12-07 10:00 in Los Angeles shows the row of Monday 2012-03-05 09:55-10:00 (row 119)
  const app = await buildServer({ dataset: whole.out, public: null, start_ms: Date.parse('2026-12-07T10:00:00-08:00') });
  try {
    const net = (await app.inject({ url: '/api/v1/network' })).json();
    assert.equal(net.sensors.length, 10);
    assert.equal(net.timezone, 'America/Los_Angeles');
    assert.equal(net.corridors.length, 4);
    const snap = (await app.inject({ url: '/api/v1/snapshot/latest' })).json();
    assert.equal(snap.ts, '2026-12-07T10:00:00-08:00');
    const got = new Map(snap.readings.map((/** @type {any} */ x) => [x.id, x.speed_mph]));
    STATIONS.forEach(([id], s) => assert.ok(Math.abs(got.get(id) - speedOf(s, 119)) < 0.051, `${id}: ${got.get(id)} vs ${speedOf(s, 119)}`));
  } finally {
    await app.close();
  }
});

test('flowcast-eval reads the dataset (speeds and network as written)', () => {
  const { out, meta } = importFixtures('la-pems-eval');
  assert.equal(meta.rows, 387, 'without --whole-weeks: the recorded rows only');
  const r = spawnSync(EVAL, ['--speeds', join(out, 'speed.csv'), '--network', join(out, 'network.json'), '--interval-min', '5',
    '--start', meta.start.slice(0, 16), '--timezone', meta.timezone, '--horizons', '1,3', '--json', join(tmp, 'eval.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /10 sensors, 387 rows \(309 train, 78 test\)/);
  const res = JSON.parse(readFileSync(join(tmp, 'eval.json'), 'utf8'));
  for (const h of res.horizons) assert.ok(Number.isFinite(h.flowcast.mae) && Number.isFinite(h.persistence.mae), JSON.stringify(h));
});

test('clock changes: the hour that does not exist is skipped, the repeated hour is placed twice in order', () => {
  const meta = join(tmp, 'dst-meta.txt');
  writeFileSync(meta, `${readFileSync(META, 'utf8').split('\n').slice(0, 3).join('\n')}\n`); // 715001 (ML) and 715004 (OR)
  const lines = [];
  const at = (/** @type {string} */ day, /** @type {string} */ hm, /** @type {number} */ v) => lines.push(row(`${day} ${hm}:00`, '715001', 5, 'N', 'ML', 4, 100, 300, 0.05, v));
  // spring forward, 2012-03-11: 01:55 PST is followed by 03:00 PDT; a row stamped 02:30 names no instant
  at('03/11/2012', '01:55', 50); at('03/11/2012', '02:30', 51); at('03/11/2012', '03:00', 52);
  const spring = join(tmp, 'dst-spring.txt');
  writeFileSync(spring, `${lines.splice(0).join('\n')}\n`);
  const r = pems(['--meta', meta, '--data', spring, '--out', join(tmp, 'dst-spring'), '--report', join(tmp, 'dst-spring.json')]);
  assert.equal(r.status, 0, r.stderr);
  const s = matrix(join(tmp, 'dst-spring', 'speed.csv'));
  assert.deepEqual(s.rows.map((x) => x[0]), [50, 52], '01:55 PST and 03:00 PDT are consecutive periods');
  assert.equal(JSON.parse(readFileSync(join(tmp, 'dst-spring.json'), 'utf8')).data.dst_gap_rows, 1);
  // fall back, 2012-11-04: 01:00-01:55 happens twice (PDT, then PST)
  at('11/04/2012', '00:55', 60); at('11/04/2012', '01:00', 61); at('11/04/2012', '01:55', 62);
  at('11/04/2012', '01:00', 63); at('11/04/2012', '01:55', 64); at('11/04/2012', '02:00', 65);
  const fall = join(tmp, 'dst-fall.txt');
  writeFileSync(fall, `${lines.join('\n')}\n`);
  const r2 = pems(['--meta', meta, '--data', fall, '--out', join(tmp, 'dst-fall')]);
  assert.equal(r2.status, 0, r2.stderr);
  const f = matrix(join(tmp, 'dst-fall', 'speed.csv'));
  const m = JSON.parse(readFileSync(join(tmp, 'dst-fall', 'meta.json'), 'utf8'));
  assert.equal(m.start, '2012-11-04T00:55:00-07:00');
  // 00:55 PDT, 01:00 PDT ... 01:55 PDT (row 12), 01:00 PST (row 13) ... 01:55 PST (row 24), 02:00 PST (row 25)
  assert.equal(f.rows.length, 26);
  assert.deepEqual([f.rows[0][0], f.rows[1][0], f.rows[12][0], f.rows[13][0], f.rows[24][0], f.rows[25][0]], [60, 61, 62, 63, 64, 65]);
});

test('malformed files are refused with the file and line, and nothing is written', () => {
  const metaText = readFileSync(META, 'utf8');
  const good = `${row('03/05/2012 00:00:00', '715001', 5, 'N', 'ML', 4, 100, 300, 0.05, 60)}\n`;
  /** @type {[string, string, string, RegExp][]} */
  const cases = [
    ['bad speed', metaText, `${good}${row('03/05/2012 00:05:00', '715001', 5, 'N', 'ML', 4, 100, 300, 0.05, '6x.5')}\n`,
      /data\.txt:2: field 12 \(Avg Speed\) "6x\.5": must be a number/],
    ['negative flow', metaText, `${good}${good}${row('03/05/2012 00:05:00', '715002', 5, 'N', 'ML', 4, 100, -3, 0.05, 60)}\n`,
      /data\.txt:3: field 10 \(Total Flow\) "-3"/],
    ['occupancy as a percentage', metaText, `${row('03/05/2012 00:05:00', '715002', 5, 'N', 'ML', 4, 100, 300, 7.1, 60)}\n`,
      /data\.txt:1: field 11 \(Avg Occupancy\) "7\.1000": must be a number in \[0, 1\]/],
    ['bad timestamp', metaText, `${good}2012-03-05 00:05:00,715001,7,5,N,ML,.5,40,100,300,.05,60\n`,
      /data\.txt:2: timestamp "2012-03-05 00:05:00": expected MM\/DD\/YYYY HH24:MI:SS/],
    ['not a 5-minute period', metaText, `${row('03/05/2012 00:03:00', '715001', 5, 'N', 'ML', 4, 100, 300, 0.05, 60)}\n`,
      /data\.txt:1: timestamp "03\/05\/2012 00:03:00": not the start of a 5-minute period/],
    ['too few fields', metaText, `${good}03/05/2012 00:05:00,715001,7,5,N,ML,.5,40,100\n`, /data\.txt:2: 9 fields; a station 5-minute row has 12/],
    ['comma-separated metadata', metaText.replaceAll('\t', ','), good, /meta\.txt:1: missing column "ID"/],
    ['bad latitude', metaText.replace('34.1960', '34.19.60'), good, /meta\.txt:6: Latitude "34\.19\.60": must be a number in \[-90, 90\]/],
    ['bad direction', metaText.replace('\t5\tN\t7\t37\t8954\tR29.2', '\t5\tNB\t7\t37\t8954\tR29.2'), good, /meta\.txt:5: Dir "NB": must be N, S, E or W/],
    ['duplicate station', `${metaText}${metaText.split('\n')[1]}\n`, good, /meta\.txt:16: duplicate station ID "715001" \(also on line 2\)/],
  ];
  for (const [what, metaBody, dataBody, message] of cases) {
    const dir = mkdtempSync(join(tmp, 'bad-'));
    writeFileSync(join(dir, 'meta.txt'), metaBody);
    writeFileSync(join(dir, 'data.txt'), dataBody);
    const out = join(dir, 'out');
    const r = pems(['--meta', join(dir, 'meta.txt'), '--data', join(dir, 'data.txt'), '--out', out, '--report', join(dir, 'report.json')]);
    assert.equal(r.status, 2, `${what}: exit status (stderr: ${r.stderr})`);
    assert.match(r.stderr, message, what);
    assert.ok(!existsSync(out) && !existsSync(`${out}.tmp`) && !existsSync(join(dir, 'report.json')), `${what}: nothing written`);
  }
});
