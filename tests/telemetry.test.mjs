// Performance telemetry (web/server/telemetry.js, web/shared/telemetry.js): beacons that break the
// schema, are too large or of the wrong type are refused with their codes and counted; the
// aggregator's percentiles match those computed from the known values within one bucket; a
// flood of 100,000 beacons neither grows its structure nor the heap; the summary endpoint; the
// client's sampling and interval in Node; and in Chromium, the page sending a beacon only once
// its user ticks the box (remembered over a reload), embeds sending nothing unless the host
// opts in, the telemetry page under the server's CSP.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ROOT, SIM, SPEED, START, browserSkip, launchChromium } from './fixtures/browser.mjs';
import { rng } from './fixtures/rng.mjs';
import { until } from './fixtures/wait.mjs';
import { buildServer } from '../web/server/server.js';
import {
  BUCKETS_PER_DECADE, ENGINE_STAGES, FAMILIES, MAX_BEACON_BYTES, METRICS, TelemetryAggregator, browserFamily, bucketOf, validateBeacon,
} from '../web/server/telemetry.js';
import { DEFAULT_INTERVAL_MS, TelemetryClient, buildBeacon } from '../web/shared/telemetry.js';

const UA = {
  chromium: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  node: 'node',
  other: 'curl/8.5.0',
};

/** A full, valid beacon; `stage` values in µs. */
const beacon = (/** @type {Record<string, number>} */ medians = { forecast: 400 }) => ({
  v: 1,
  stages: Object.fromEntries(Object.entries(medians).map(([k, us]) => [k, { calls: 10, medianUs: us, p95Us: us * 2 }])),
  page: { loadMs: 850, firstForecastMs: 3200 },
  counters: { fastParses: 12, fallbackParses: 1 },
  memory: { wasmHeapBytes: 16 * 1048576 },
  embed: false,
});

/** @param {Partial<import('../web/server/server.js').ServerOptions>} [opts] */
async function server(opts = {}) {
  const app = await buildServer({ dir: join(ROOT, 'tests/fixtures/sample'), log_dir: null, public: null, ...opts });
  await app.ready();
  return app;
}

/**
 * @param {any} app
 * @param {string | Buffer} payload
 * @param {Record<string, string>} [headers]
 */
const post = (app, payload, headers = {}) => app.inject({
  method: 'POST', url: '/api/v1/telemetry', payload, headers: { 'content-type': 'application/json', 'user-agent': UA.chromium, ...headers },
});

test('browser families: a small fixed set from the User-Agent', () => {
  for (const [family, ua] of Object.entries(UA)) assert.equal(browserFamily(ua), family, ua);
  assert.equal(browserFamily('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1'), 'safari');
  assert.equal(browserFamily('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0'), 'chromium');
  assert.equal(browserFamily(undefined), 'other');
  assert.equal(browserFamily(''), 'other');
});

test('validation: wrong types, NaN, infinities, negatives, unknown stages and fields are refused with their codes', () => {
  assert.doesNotThrow(() => validateBeacon(beacon({ parse: 300, commit: 2, forecast: 400, train: 9e5, route: 50 })));
  assert.doesNotThrow(() => validateBeacon({ v: 1 })); // every part is optional
  /** @type {[unknown, string, RegExp][]} */
  const bad = [
    [null, 'BAD_BEACON', /beacon: must be an object/],
    [[beacon()], 'BAD_BEACON', /beacon: must be an object/],
    ['text', 'BAD_BEACON', /beacon: must be an object/],
    [{ ...beacon(), v: 2 }, 'BAD_VERSION', /v: must be 1/],
    [{ stages: {} }, 'BAD_VERSION', /v: must be 1/],
    [{ ...beacon(), url: 'https://example.com/?q=1' }, 'UNKNOWN_FIELD', /beacon: unknown field "url"/],
    [{ v: 1, stages: { paint: { calls: 1, medianUs: 1, p95Us: 1 } } }, 'UNKNOWN_STAGE', /stages: unknown stage "paint"/],
    [{ v: 1, stages: { parse: { calls: 1, medianUs: 1, p95Us: 1, where: 'x' } } }, 'UNKNOWN_FIELD', /stages.parse: unknown field "where"/],
    [{ v: 1, stages: { parse: { calls: '1', medianUs: 1, p95Us: 1 } } }, 'BAD_BEACON', /stages.parse.calls: must be a finite number/],
    [{ v: 1, stages: { parse: { calls: 1.5, medianUs: 1, p95Us: 1 } } }, 'BAD_BEACON', /stages.parse.calls: must be an integer/],
    [{ v: 1, stages: { parse: { calls: 1, medianUs: NaN, p95Us: 1 } } }, 'BAD_BEACON', /stages.parse.medianUs: must be a finite number/],
    [{ v: 1, stages: { parse: { calls: 1, medianUs: 1, p95Us: Infinity } } }, 'BAD_BEACON', /stages.parse.p95Us: must be a finite number/],
    [{ v: 1, stages: { parse: { calls: 1, medianUs: -3, p95Us: 1 } } }, 'BAD_BEACON', /stages.parse.medianUs: must be in 0\.\./],
    [{ v: 1, stages: { parse: { calls: 1, medianUs: 2e9, p95Us: 1 } } }, 'BAD_BEACON', /stages.parse.medianUs: must be in 0\.\./],
    [{ v: 1, stages: { parse: null } }, 'BAD_BEACON', /stages.parse: must be an object/],
    [{ v: 1, stages: [] }, 'BAD_BEACON', /stages: must be an object/],
    [{ v: 1, page: { loadMs: -1 } }, 'BAD_BEACON', /page.loadMs: must be in/],
    [{ v: 1, page: { href: '/x' } }, 'UNKNOWN_FIELD', /page: unknown field "href"/],
    [{ v: 1, counters: { fastParses: 1 } }, 'BAD_BEACON', /counters.fallbackParses: must be a finite number/],
    [{ v: 1, memory: { wasmHeapBytes: 2 ** 33 } }, 'BAD_BEACON', /memory.wasmHeapBytes: must be in/],
    [{ v: 1, embed: 'yes' }, 'BAD_BEACON', /embed: must be true or false/],
  ];
  for (const [b, code, message] of bad) {
    assert.throws(() => validateBeacon(b), (/** @type {any} */ e) => e.code === code && message.test(e.message), JSON.stringify(b));
  }
});

test('POST /api/v1/telemetry: 204 for a good beacon, 400/413/415 with {code, message} otherwise, all counted', async () => {
  const app = await server({ rate_limit: 0 });
  try {
    const ok = await post(app, JSON.stringify(beacon()));
    assert.equal(ok.statusCode, 204, ok.body);
    const plain = await post(app, JSON.stringify(beacon()), { 'content-type': 'text/plain;charset=UTF-8' }); // what sendBeacon sends for a string
    assert.equal(plain.statusCode, 204, plain.body);
    /** @type {[string | Buffer, Record<string, string>, number, string][]} */
    const cases = [
      ['{"v":1,', {}, 400, 'BAD_JSON'],
      ['{"v":1,"stages":{"parse":{"calls":1,"medianUs":NaN,"p95Us":1}}}', {}, 400, 'BAD_JSON'], // NaN is not JSON
      ['', {}, 400, 'BAD_JSON'],
      [JSON.stringify({ v: 1, stages: { parse: { calls: 1, medianUs: -1, p95Us: 1 } } }), {}, 400, 'BAD_BEACON'],
      [JSON.stringify({ v: 1, stages: { parse: { calls: 'many', medianUs: 1, p95Us: 1 } } }), {}, 400, 'BAD_BEACON'],
      [JSON.stringify({ v: 1, stages: { gc: { calls: 1, medianUs: 1, p95Us: 1 } } }), {}, 400, 'UNKNOWN_STAGE'],
      [JSON.stringify({ ...beacon(), lat: 33.7 }), {}, 400, 'UNKNOWN_FIELD'],
      [JSON.stringify({ ...beacon(), pad: 'x'.repeat(MAX_BEACON_BYTES) }), {}, 413, 'BODY_TOO_LARGE'],
      [JSON.stringify(beacon()), { 'content-type': 'application/xml' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [Buffer.from(JSON.stringify(beacon())), { 'content-type': 'application/octet-stream' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [payload, headers, status, code] of cases) {
      const r = await post(app, payload, headers);
      assert.equal(r.statusCode, status, `${String(payload).slice(0, 60)}: ${r.body}`);
      const body = r.json();
      assert.equal(body.error.code, code, r.body);
      assert.equal(typeof body.error.message, 'string');
      assert.ok(body.error.message.length > 0);
    }
    const s = (await app.inject('/api/v1/telemetry/summary')).json();
    assert.equal(s.accepted, 2);
    assert.deepEqual(s.rejected, { 400: 7, 413: 1, 415: 2 });
    assert.equal(s.beacons.chromium, 2);
  } finally {
    await app.close();
  }
});

test('rate limit: beacons are limited per client address like the rest of the API', async () => {
  const app = await server({ rate_limit: 4 });
  try {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await post(app, JSON.stringify(beacon()))).statusCode);
    assert.deepEqual(codes, [204, 204, 204, 204, 429, 429]);
    const r = await post(app, JSON.stringify(beacon()));
    assert.equal(r.json().error.code, 'RATE_LIMITED');
    // another address is not affected
    const other = await app.inject({ method: 'POST', url: '/api/v1/telemetry', payload: JSON.stringify(beacon()), remoteAddress: '10.0.0.9', headers: { 'content-type': 'application/json' } });
    assert.equal(other.statusCode, 204, other.body);
  } finally {
    await app.close();
  }
});

/**
 * Nearest-rank percentile of known values.
 * @param {number[]} values @param {number} p
 */
function exactPercentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

test('aggregation: p50/p95 per stage and family match the known values within one histogram bucket', () => {
  let now = Date.parse('2026-11-25T08:00:00Z');
  const agg = new TelemetryAggregator({ now: () => now });
  const rand = rng(7);
  /** @type {Record<string, Record<string, number[]>>} known ms values by stage and family */
  const known = {};
  const note = (/** @type {string} */ stage, /** @type {string} */ family, /** @type {number} */ ms) => {
    ((known[stage] ??= {})[family] ??= []).push(ms);
    ((known[stage].all ??= [])).push(ms);
  };
  for (let i = 0; i < 3000; i++) {
    now += 1000; // 50 minutes of beacons: all inside the hour
    const family = FAMILIES[i % 3]; // chromium, firefox, safari
    const slow = family === 'firefox' ? 3 : 1;
    // log-normal-ish medians: forecast around 0.4 ms, parse around 2 ms, spread over a decade
    const forecastUs = 400 * slow * Math.exp(2 * (rand() - 0.5) * Math.log(10) / 2);
    const parseUs = 2000 * slow * Math.exp(2 * (rand() - 0.5) * Math.log(10) / 2);
    const firstMs = 1500 + 6000 * rand() ** 3;
    const b = { v: 1, stages: { forecast: { calls: 5, medianUs: forecastUs, p95Us: 2 * forecastUs }, parse: { calls: 5, medianUs: parseUs, p95Us: parseUs }, train: { calls: 0, medianUs: 0, p95Us: 0 } }, page: { firstForecastMs: firstMs } };
    agg.add(validateBeacon(b), family);
    note('forecast', family, forecastUs / 1000);
    note('parse', family, parseUs / 1000);
    note('first_forecast', family, firstMs);
  }
  const s = agg.summary();
  assert.equal(s.accepted, 3000);
  assert.deepEqual(s.beacons, { chromium: 1000, firefox: 1000, safari: 1000, node: 0, other: 0 });
  assert.equal(s.bucketsPerDecade, BUCKETS_PER_DECADE);
  assert.equal(s.resolutionPct, 15.5);
  // a stage that never ran (train: 0 calls) and metrics no beacon carried have no rows
  assert.deepEqual([...new Set(s.rows.map((r) => r.stage))].sort(), ['first_forecast', 'forecast', 'parse']);
  for (const [stage, byFamily] of Object.entries(known)) {
    for (const [family, values] of Object.entries(byFamily)) {
      const row = s.rows.find((r) => r.stage === stage && r.family === family);
      assert.ok(row, `${stage}/${family}`);
      assert.equal(row.samples, values.length);
      for (const [p, got] of [[0.5, row.p50], [0.95, row.p95]]) {
        const want = exactPercentile(values, p);
        assert.equal(bucketOf(got), bucketOf(want), `${stage}/${family} p${p * 100}: ${got} vs exact ${want}`);
        assert.ok(Math.abs(Math.log10(got / want)) <= 1 / BUCKETS_PER_DECADE, `${stage}/${family} p${p * 100}: ${got} vs ${want}`);
      }
    }
  }
  // firefox was made 3x slower: its medians show it
  const p50 = (/** @type {string} */ f) => /** @type {any} */ (s.rows.find((r) => r.stage === 'forecast' && r.family === f)).p50;
  assert.ok(p50('firefox') > 2 * p50('chromium'));

  // the window is the current minute and the 59 before it: at 09:20:00 it holds 08:21:00 to
  // 09:20:59, so of the beacons sent each second from 08:00:01 to 08:50:00, 1741 remain
  now += 30 * 60000;
  const later = agg.summary();
  assert.equal(/** @type {any} */ (later.rows.find((r) => r.stage === 'forecast' && r.family === 'all')).samples, 1741);
  now += 120 * 60000;
  assert.deepEqual(agg.summary().rows, []);
  assert.equal(agg.summary().accepted, 3000); // the since-start count stays
});

test('bounded memory: 100,000 beacons with random families and stages grow neither the structure nor the heap', async () => {
  setFlagsFromString('--expose-gc');
  const gc = /** @type {() => void} */ (runInNewContext('gc'));
  let now = Date.parse('2026-11-25T08:00:00Z');
  const agg = new TelemetryAggregator({ now: () => now });
  const size0 = agg.size;
  const rand = rng(11);
  const uas = Object.values(UA);
  /** One random beacon as it would arrive: JSON text and a User-Agent. */
  const make = () => {
    /** @type {Record<string, any>} */
    const stages = {};
    for (const st of ENGINE_STAGES) {
      if (rand() < 0.6) stages[st] = { calls: Math.floor(rand() * 1000), medianUs: 10 ** (rand() * 8), p95Us: 10 ** (rand() * 8) };
    }
    return { json: JSON.stringify({ v: 1, stages, page: { loadMs: rand() * 1e4, firstForecastMs: rand() * 1e5 }, memory: { wasmHeapBytes: Math.floor(rand() * 2 ** 31) } }), ua: uas[Math.floor(rand() * uas.length)] };
  };
  const flood = (/** @type {number} */ n) => {
    for (let i = 0; i < n; i++) {
      const b = make();
      agg.add(validateBeacon(JSON.parse(b.json)), browserFamily(b.ua));
      now += 150; // 100,000 beacons span ~4 hours: the ring wraps four times
      if (i % 97 === 0) agg.reject([400, 413, 415, 429][i % 4]);
    }
  };
  flood(2000); // warm up (JIT, slots touched)
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  flood(100000);
  gc();
  const grown = process.memoryUsage().heapUsed - heap0;
  assert.equal(agg.size, size0 + 4, 'the four rejection statuses are the only new entries');
  assert.equal(agg.accepted, 102000);
  assert.ok(grown < 1024 * 1024, `heap grew by ${(grown / 1024).toFixed(0)} KiB`);
  const s = agg.summary();
  const all = s.rows.filter((r) => r.family === 'all');
  assert.equal(all.length, METRICS.length);
  // the last hour holds ~24,000 beacons (one per 150 ms), not all 102,000
  const inHour = Object.values(s.beacons).reduce((a, n) => a + n, 0);
  assert.ok(inHour > 23000 && inHour <= 24001, `${inHour} beacons in the last hour`);
  console.log(`# 100,000 beacons: structure ${agg.size} elements (unchanged), heap ${grown >= 0 ? '+' : ''}${(grown / 1024).toFixed(0)} KiB after GC`);
});

test('GET /api/v1/telemetry/summary: through the server, with CORS; a flood of requests keeps its size', async () => {
  const agg = new TelemetryAggregator();
  const app = await server({ rate_limit: 0, telemetry: agg });
  try {
    const size0 = agg.size;
    const families = Object.keys(UA);
    for (let i = 0; i < 2000; i++) {
      const family = families[i % families.length];
      const r = await post(app, JSON.stringify(beacon({ forecast: 100 * (1 + (i % 10)), route: 50 })), { 'user-agent': UA[/** @type {keyof UA} */ (family)] });
      assert.equal(r.statusCode, 204);
    }
    assert.equal(agg.size, size0);
    const r = await app.inject({ url: '/api/v1/telemetry/summary', headers: { origin: 'https://partner.example' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.match(String(r.headers['content-type']), /application\/json/);
    const s = r.json();
    assert.equal(s.windowMinutes, 60);
    assert.equal(s.accepted, 2000);
    for (const f of families) assert.equal(s.beacons[f], 400);
    const row = s.rows.find((/** @type {any} */ x) => x.stage === 'forecast' && x.family === 'all');
    // medians 0.1, 0.2, … 1.0 ms, 200 each: p50 is 0.5 ms, p95 1.0 ms (within a bucket)
    assert.equal(row.samples, 2000);
    assert.equal(bucketOf(row.p50), bucketOf(0.5));
    assert.equal(bucketOf(row.p95), bucketOf(1.0));
    assert.equal(row.unit, 'ms');
    const heap = s.rows.find((/** @type {any} */ x) => x.stage === 'wasm_heap' && x.family === 'node');
    assert.equal(bucketOf(heap.p50), bucketOf(16));
    assert.equal(heap.unit, 'MiB');
    const head = await app.inject({ method: 'GET', url: '/api/v1/telemetry' });
    assert.equal(head.statusCode, 404);
  } finally {
    await app.close();
  }
  const off = await server({ telemetry: false });
  try {
    assert.equal((await post(off, JSON.stringify(beacon()))).statusCode, 404);
  } finally {
    await off.close();
  }
});

/** Engine stats as Predictor.stats() returns them. */
const STATS = {
  stages: { parse: { calls: 7, totalUs: 9000, medianUs: 1234.5678, p95Us: 2000 }, commit: { calls: 7, totalUs: 70, medianUs: 9.99, p95Us: 12 },
    forecast: { calls: 3, totalUs: 1500, medianUs: 480.04, p95Us: 610 }, train: { calls: 0, totalUs: 0, medianUs: 0, p95Us: 0 }, route: { calls: 0, totalUs: 0, medianUs: 0, p95Us: 0 } },
  counters: { fastParses: 7, fallbackParses: 0 },
  memory: { wasmHeapBytes: 18874368, historyBytes: 1000, modelBytes: 2000, routeBytes: 0 },
};

test('client: the beacon is the schema (stages that ran, no URL, no ids) and the server accepts it', () => {
  const b = buildBeacon(STATS, { loadMs: 812.4, firstForecastMs: 3021.7 }, false);
  assert.deepEqual(b, {
    v: 1,
    stages: { parse: { calls: 7, medianUs: 1234.6, p95Us: 2000 }, commit: { calls: 7, medianUs: 10, p95Us: 12 }, forecast: { calls: 3, medianUs: 480, p95Us: 610 } },
    page: { loadMs: 812, firstForecastMs: 3022 }, counters: { fastParses: 7, fallbackParses: 0 }, memory: { wasmHeapBytes: 18874368 }, embed: false,
  });
  assert.doesNotThrow(() => validateBeacon(JSON.parse(JSON.stringify(b))));
  assert.deepEqual(buildBeacon(STATS, { loadMs: NaN, firstForecastMs: NaN }, true).page, {});
});

test('client: sends when enabled and sampled, never when disabled, at most once per interval', () => {
  let now = 1000;
  /** @type {[string, string][]} */
  const sent = [];
  let asked = 0;
  const make = (/** @type {number} */ r) => new TelemetryClient({
    url: 'http://x/api/v1/telemetry', embed: true, requestStats: () => { asked++; }, now: () => now, random: () => r,
    send: (url, body) => { sent.push([url, body]); return true; },
  });
  const forecast = /** @type {any} */ ({ type: 'update', forecast: {} });
  const stats = /** @type {any} */ ({ type: 'stats', stats: STATS });

  const off = make(0);
  off.onMessage(forecast);
  off.onMessage(stats);
  assert.equal(asked, 0);
  assert.equal(sent.length, 0, 'disabled: nothing sent, not even on a stats message');

  const c = make(0.5);
  c.setEnabled(true, 0.6); // 0.5 < 0.6: in the sample
  try {
    assert.equal(asked, 0, 'no stats asked before the first forecast');
    now = 4000;
    c.onMessage(forecast);
    assert.equal(asked, 1);
    c.onMessage(stats);
    assert.equal(sent.length, 1);
    assert.equal(sent[0][0], 'http://x/api/v1/telemetry');
    const b = JSON.parse(sent[0][1]);
    assert.equal(b.page.firstForecastMs, 4000);
    assert.equal(b.embed, true);
    assert.equal(b.page.loadMs, undefined, 'an embed sends no page load time (the host page\'s)');
    c.onMessage(stats); // a stats answer within the interval sends nothing
    now += DEFAULT_INTERVAL_MS - 1;
    c.onMessage(stats);
    assert.equal(sent.length, 1);
    now += 1;
    c.onMessage(stats);
    assert.equal(sent.length, 2);
    c.setEnabled(false);
    now += 2 * DEFAULT_INTERVAL_MS;
    c.onMessage(stats);
    assert.equal(sent.length, 2, 'turned off: nothing more');
  } finally {
    c.stop();
  }

  const out = make(0.5);
  out.setEnabled(true, 0.4); // 0.5 >= 0.4: this page load is not in the sample
  try {
    out.onMessage(forecast);
    out.onMessage(stats);
    assert.equal(sent.length, 2);
    assert.equal(out.active, false);
  } finally {
    out.stop();
  }
});

// ---- in Chromium --------------------------------------------------------------------------

const skip = browserSkip;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {any} */
let app;
let origin = '';
let dir = '';
/** Beacons the server accepted, as parsed, with their browser family. */
/** @type {{ beacon: any, family: string }[]} */
const received = [];

before(async () => {
  if (skip) return;
  dir = join(mkdtempSync(join(tmpdir(), 'flowcast-telemetry-')), 'atlanta');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const agg = new TelemetryAggregator();
  const add = agg.add.bind(agg);
  agg.add = (b, family) => {
    received.push({ beacon: b, family });
    add(b, family);
  };
  app = await buildServer({ dataset: dir, speed: SPEED, start_ms: START, public: join(ROOT, 'public'), telemetry: agg });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${app.server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** Seconds a page with telemetry off is watched for beacons after its first forecast. */
const QUIET_MS = 4000;

test('page: no beacon until the box is ticked; then one with the engine stats; the setting survives a reload', { skip }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|net::ERR/.test(m.text())) errors.push(m.text()); });
  await page.route('https://*.tile.openstreetmap.org/**', (r) => r.abort());
  try {
    received.length = 0;
    await page.goto(`${origin}/?retry=300`);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
    assert.equal(await page.isChecked('#telemetry-opt'), false, 'off by default');
    await page.waitForTimeout(QUIET_MS);
    assert.equal(received.length, 0, 'the page sent a beacon with the setting off');

    await page.click('#perf-toggle');
    await page.check('#telemetry-opt');
    await until(() => received.length >= 1, 10000, 'a beacon after ticking the box');
    const { beacon: b, family } = received[0];
    assert.equal(family, 'chromium');
    assert.equal(b.embed, false);
    assert.ok(b.stages.parse.calls > 0 && b.stages.forecast.calls > 0, JSON.stringify(b.stages));
    assert.ok(b.page.firstForecastMs > 0 && b.page.loadMs > 0, JSON.stringify(b.page));
    assert.ok(b.memory.wasmHeapBytes > 0);
    assert.doesNotMatch(JSON.stringify(b), /http|127\.0\.0\.1|I-\d|lat|lon/, 'nothing about where or what');
    assert.equal(await page.evaluate(() => localStorage.getItem('flowcast.telemetry')), 'on');

    await page.reload();
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
    assert.equal(await page.isChecked('#telemetry-opt'), true, 'remembered');
    await until(() => received.length >= 2, 10000, 'a beacon after the reload');

    await page.click('#perf-toggle');
    await page.uncheck('#telemetry-opt');
    assert.equal(await page.evaluate(() => localStorage.getItem('flowcast.telemetry')), null);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('embeds: <flowcast-map> and embed.html send nothing unless the host opts in', { skip }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    received.length = 0;
    await page.goto(`${origin}/embed.html?corridor=I-285`);
    await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
    await page.waitForTimeout(QUIET_MS);
    assert.equal(received.length, 0, 'an embed sent a beacon without the host opting in');

    await page.goto(`${origin}/embed.html?corridor=I-285&telemetry`);
    await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
    await until(() => received.length >= 1, 10000, 'a beacon from an opted-in embed');
    assert.equal(received[0].beacon.embed, true);
    assert.equal(received[0].beacon.page.loadMs, undefined);
    assert.ok(received[0].beacon.page.firstForecastMs > 0);
    assert.equal(received.length, 1, 'one beacon, not one per element or message');

    // the element added by script, the attribute added later: the host's choice at any time
    received.length = 0;
    await page.goto(`${origin}/embed.html?corridor=I-75`);
    await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
    await page.waitForTimeout(1000);
    assert.equal(received.length, 0);
    await page.evaluate(() => document.querySelector('flowcast-map')?.setAttribute('telemetry', ''));
    await until(() => received.length >= 1, 10000, 'a beacon once the attribute is set');
  } finally {
    await ctx.close();
  }
});

test('telemetry page: the last hour per stage under the server\'s CSP', { skip }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    const res = await page.goto(`${origin}/telemetry.html`);
    assert.match(String(res?.headers()['content-security-policy']), /script-src 'self'/);
    await page.waitForSelector('html[data-ready="summary"]', { timeout: 10000 });
    const rows = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => [/** @type {HTMLElement} */ (tr).dataset.stage, /** @type {HTMLElement} */ (tr).dataset.family, tr.textContent]));
    const summary = await (await fetch(`${origin}/api/v1/telemetry/summary`)).json();
    assert.equal(rows.length, summary.rows.length);
    assert.ok(rows.some(([stage, family]) => stage === 'forecast' && family === 'chromium'), JSON.stringify(rows));
    assert.ok(rows.some(([stage]) => stage === 'first_forecast'));
    assert.match(await page.textContent('#counts') ?? '', /chromium \d+/);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
