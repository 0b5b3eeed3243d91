// The worker's feed module (web/worker/feed.js) and the page's pure helpers in Node, against a real
// feed server: the binary history maps onto the engine exactly like the JSON form; the live
// connection delivers every snapshot once and in order, backs off while the feed is down and
// catches up through /snapshots?since= when it returns; the chart's series line up in time.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../web/server/server.js';
import { FeedConnection, parseHistoryBinary } from '../web/worker/feed.js';
import { chartSeries } from '../web/page/details.js';
import { binOf, SPEED_BINS } from '../web/shared/colors.js';
import { formatAge } from '../web/page/panels.js';
import { until } from './fixtures/wait.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIM = join(root, 'build/native/bin/flowcast-sim');
const skip = existsSync(SIM) ? false : `${SIM} is not built (./build.sh)`;
const SPEED = 600; // a 5-minute snapshot every 0.5 s
const START = Date.parse('2026-11-24T07:45:00-05:00');

let dir = '';
/** @type {any} */
let app;
let port = 0;

/** @param {number} start_ms */
async function startServer(start_ms) {
  app = await buildServer({ dataset: dir, speed: SPEED, start_ms, public: null });
  await app.listen({ port, host: '127.0.0.1' });
  port = app.server.address().port;
}
const base = () => `http://127.0.0.1:${port}/api/v1/`;

before(async () => {
  if (skip) return;
  dir = join(mkdtempSync(join(tmpdir(), 'flowcast-app-')), 'ds');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  await startServer(START);
});

after(async () => {
  await app?.close();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

test('binary history: the same matrices as the JSON form, mapped without parsing', { skip }, async () => {
  // the replay runs at 600x (a slot every 0.5 s): fetch both forms until they cover one window
  let bin, json, h;
  for (let attempt = 0; attempt < 10; attempt++) {
    bin = await (await fetch(`${base()}history?hours=2`, { headers: { accept: 'application/octet-stream' } })).arrayBuffer();
    json = await (await fetch(`${base()}history?hours=2`)).json();
    h = parseHistoryBinary(bin);
    if (h.startMs === Date.parse(json.start)) break;
  }
  assert.equal(h.rows, json.rows);
  assert.equal(h.intervalS, 300);
  assert.equal(h.startMs, Date.parse(json.start));
  assert.deepEqual(h.sensors, json.sensors);
  const n = h.sensors.length;
  for (const r of [0, h.rows - 1]) {
    for (const s of [0, 17, n - 1]) {
      const want = json.speed_mph[r][s];
      const got = h.speedMph[r * n + s];
      if (want === null) assert.ok(Number.isNaN(got));
      else assert.ok(Math.abs(got - want) < 0.01, `speed ${r},${s}: ${got} vs ${want}`);
      if (json.volume_vph[r][s] !== null) assert.ok(Math.abs(h.volumeVph[r * n + s] - json.volume_vph[r][s]) < 1);
    }
  }
  assert.throws(() => parseHistoryBinary(new ArrayBuffer(4)), /too short/);
  assert.throws(() => parseHistoryBinary(new TextEncoder().encode('{"schema":"flowcast.history/1"}').buffer), /not an FCH1 body/);
  assert.throws(() => parseHistoryBinary(bin.slice(0, bin.byteLength - 1)), /bytes for/);
});

test('live feed (polling mode): in order, once each; backoff while down; catch-up on return', { skip }, async () => {
  /** @type {number[]} */
  const seen = [];
  /** @type {import('../web/worker/feed.js').FeedState[]} */
  const states = [];
  const latest = await (await fetch(`${base()}snapshot/latest`)).json();
  const feed = new FeedConnection({
    base: base(), EventSource: null, pollMs: 100, retryBaseMs: 100, retryMaxMs: 400,
    onSnapshot: (s) => {
      const snap = typeof s === 'string' ? JSON.parse(s) : s;
      const ts = Date.parse(snap.ts);
      if (seen.length && ts <= seen[seen.length - 1]) return NaN; // as the engine rejects it
      seen.push(ts);
      return ts;
    },
    onState: (s) => states.push(s),
  }, Date.parse(latest.ts) - 3 * 300_000);
  feed.start();
  try {
    // the first connect catches up the three slots before the latest, then polls
    await until(() => seen.length >= 6, 8000, 'six snapshots');
    assert.equal(seen[0], Date.parse(latest.ts) - 2 * 300_000);
    assert.ok(seen.every((t, i) => i === 0 || t - seen[i - 1] === 300_000), 'consecutive slots, none twice, none missed');
    assert.equal(states.at(-1)?.state, 'live');

    const resumeAt = app.flowcast.source.now();
    const stoppedAt = Date.now();
    await app.close();
    await until(() => states.filter((s) => s.state === 'down').length >= 3, 5000, 'three failures');
    const delays = states.filter((s) => s.state === 'down').map((s) => s.retryInMs);
    assert.ok(delays[0] >= 80 && delays[0] <= 120, `first retry ${delays[0]} ms`);
    assert.ok(delays[1] > delays[0] && delays[2] > delays[1], `backoff grows: ${delays}`);
    assert.ok(delays.every((d) => d <= 480), `capped: ${delays}`);
    const before = seen.length;

    await startServer(resumeAt + (Date.now() - stoppedAt) * SPEED);
    await until(() => states.at(-1)?.state === 'live' && seen.length > before + 2, 8000, 'recovery');
    assert.ok(seen.every((t, i) => i === 0 || t - seen[i - 1] === 300_000), 'the outage left no hole');
  } finally {
    feed.stop();
  }
});

test('chart series: observed history, then the forecast joined at the newest observation', () => {
  const ts = Date.parse('2026-11-24T08:00:00-05:00');
  const s = chartSeries({
    ts, intervalS: 300, utcOffsetMin: -300, speedMph: new Float32Array([60, NaN, 50]),
    forecast: { mid: [45, 40], lo: [40, 30], hi: [50, 48] },
  });
  assert.deepEqual(s[0], [ts - 600_000, ts - 300_000, ts, ts + 300_000, ts + 600_000].map((t) => t / 1000));
  assert.deepEqual(s[1], [60, null, 50, null, null]);
  assert.deepEqual(s[2], [null, null, 50, 45, 40]);
  assert.deepEqual(s[3], [null, null, 50, 40, 30]);
  assert.deepEqual(s[4], [null, null, 50, 50, 48]);
  assert.deepEqual(chartSeries({ ts, intervalS: 300, utcOffsetMin: 0, speedMph: new Float32Array([1]), forecast: null })[2], [null]);
});

test('colour bins and ages', () => {
  assert.equal(binOf(NaN), -1);
  assert.equal(binOf(0), 0);
  assert.equal(binOf(14.9), 0);
  assert.equal(binOf(15), 1);
  assert.equal(binOf(49.9), SPEED_BINS.length - 2);
  assert.equal(binOf(50), SPEED_BINS.length - 1, '50 mph is free flow on every road of the network (limits 50–65)');
  assert.equal(binOf(80), SPEED_BINS.length - 1);
  assert.equal(formatAge(1000), '5 s');
  assert.equal(formatAge(43_000), '45 s');
  assert.equal(formatAge(185_000), '3 min');
  assert.equal(formatAge(3_900_000), '1 h 5 min');
});

test('event stream fallback: a stream that never opens (a static host) is given up for polling; one that opened is retried with growing delays', async () => {
  /** A stand-in EventSource whose events the test fires. */
  class FakeEventSource {
    /** @type {FakeEventSource[]} */
    static made = [];
    /** @param {string} url */
    constructor(url) {
      this.url = url;
      /** @type {Record<string, ((ev?: any) => void)[]>} */
      this.on = {};
      FakeEventSource.made.push(this);
    }
    /** @param {string} type @param {(ev?: any) => void} f */
    addEventListener(type, f) { (this.on[type] ??= []).push(f); }
    close() {}
    /** @param {string} type */
    fire(type) { for (const f of this.on[type] ?? []) f({ data: '' }); }
  }
  // the catch-up route answers (no snapshots): only the stream is at fault
  const fetchOk = async () => new Response(JSON.stringify({ snapshots: [], more: false }), { status: 200, headers: { 'content-type': 'application/json' } });
  const make = () => {
    FakeEventSource.made = [];
    /** @type {import('../web/worker/feed.js').FeedState[]} */
    const states = [];
    const feed = new FeedConnection({
      base: 'http://feed.example/api/v1/', EventSource: /** @type {any} */ (FakeEventSource), fetch: /** @type {any} */ (fetchOk),
      retryBaseMs: 5, retryMaxMs: 1000, pollMs: 60_000, onSnapshot: () => NaN, onState: (st) => states.push(st),
    }, Date.parse('2026-11-24T08:00:00Z'));
    return { feed, states };
  };
  /** The next stream the connection opens (after its catch-up and any retry delay). */
  const nextStream = async (/** @type {number} */ k) => {
    await until(() => FakeEventSource.made.length > k, 3000, `stream ${k + 1}`);
    return FakeEventSource.made[k];
  };

  // a static host: /stream is a 404 and never opens; after two tries the connection polls
  const a = make();
  a.feed.start();
  try {
    (await nextStream(0)).fire('error');
    (await nextStream(1)).fire('error');
    await until(() => a.feed.mode === 'poll', 3000, 'polling');
    assert.equal(FakeEventSource.made.length, 2, 'no third stream');
  } finally {
    a.feed.stop();
  }

  // a feed whose stream worked, then drops and answers errors (a restart, then a fault): it stays
  // a stream, and each retry waits longer than the one before
  const b = make();
  b.feed.start();
  try {
    const first = await nextStream(0);
    first.fire('open');
    first.fire('error');
    for (let k = 1; k <= 3; k++) (await nextStream(k)).fire('error');
    await until(() => b.states.filter((st) => st.state === 'down').length >= 4, 3000, 'four failures');
    assert.equal(b.feed.mode, 'stream');
    const delays = b.states.filter((st) => st.state === 'down').map((st) => st.retryInMs);
    // base 5 ms doubling, ±20 % jitter: 4-6, 8-12, 16-24, 32-48
    assert.ok(delays.every((d, i) => i === 0 || d > delays[i - 1]), `delays grow: ${delays}`);
  } finally {
    b.feed.stop();
  }
});
