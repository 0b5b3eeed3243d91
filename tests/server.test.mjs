// Feed server API tests: a real server on an ephemeral port, real HTTP, fixture datasets written
// here. Covers replay (clock mapping, latest, catch-up, history, SSE), errors, static files and
// CORS, relay (including upstream failure and recovery), directory mode and the CLI.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { buildServer } from '../web/server/server.js';
import { modelFormatVersion } from '../web/server/model-file.js';
import { rawGet } from './fixtures/raw-get.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SENSORS = ['S0', 'S1', 'S2', 'S3', 'S4'];
const INTERVAL_S = 300;
const ROWS_PER_WEEK = 2016;
const WEEKS = 2;
/** The fixture dataset starts Monday 2026-01-05 00:00 EST. */
const DATASET_START = '2026-01-05T00:00:00-05:00';
const NY_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'longOffset' });
/** Local offset in seconds at an instant (EST or EDT). */
const offsetS = (/** @type {number} */ ms) => {
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(NY_OFFSET.format(new Date(ms)));
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
};
/** A Tuesday morning: the virtual clock of most replay servers starts here. */
const TUESDAY_8AM = '2026-11-24T08:00:00-05:00';
const MS = (/** @type {string} */ iso) => Date.parse(iso);
/** The model file format version this build's engine reads and writes. */
const MODEL_FORMAT_VERSION = await modelFormatVersion();

let tmp = '';
let datasetDir = '';
let publicDir = '';

// ---- fixture: a recognisable pattern, so every value says which row it came from ----

/** Occupancy encodes the row exactly: row / 10000. */
const missing = (/** @type {number} */ r, /** @type {number} */ s) => (s === 4 && r % 7 === 0);
const speedMissing = (/** @type {number} */ r, /** @type {number} */ s) => missing(r, s) || (s === 2 && r % 13 === 0);
const speedOf = (/** @type {number} */ r, /** @type {number} */ s) => (speedMissing(r, s) ? null : 30 + s + (r % 300) / 10);
const volumeOf = (/** @type {number} */ r, /** @type {number} */ s) => (missing(r, s) ? null : (r % 2000) * 10 + s);
const occOf = (/** @type {number} */ r, /** @type {number} */ s) => (missing(r, s) ? null : r / 10000);
const qualityOf = (/** @type {number} */ r, /** @type {number} */ s) => (s === 1 && r % 5 === 0 ? 2 : 0);

function network(id = 'test-net') {
  return {
    schema: 'flowcast.network/1', id, name: 'Test', timezone: 'America/New_York', interval_s: INTERVAL_S,
    sensors: SENSORS.map((sid, i) => ({
      id: sid, lat: 33.7 + i * 0.01, lon: -84.4, road: 'I-75', direction: 'NB', milepost: 250 + i * 0.4, lanes: 4, speed_limit_mph: 65,
    })),
    corridors: [{ id: 'I75-NB', road: 'I-75', direction: 'NB', sensors: SENSORS }],
  };
}

function writeDataset(dir) {
  mkdirSync(dir, { recursive: true });
  const rows = WEEKS * ROWS_PER_WEEK;
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({
    schema: 'flowcast.dataset/1', network: 'test-net', start: DATASET_START, interval_s: INTERVAL_S, rows,
    timezone: 'America/New_York', seed: 1, generator: 'server.test.mjs',
  }));
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network()));
  const csv = (/** @type {(r: number, s: number) => number|null} */ f) => {
    const lines = [SENSORS.join(',')];
    for (let r = 0; r < rows; r++) lines.push(SENSORS.map((_, s) => { const v = f(r, s); return v === null ? (r % 2 ? '' : 'NaN') : String(v); }).join(','));
    return `${lines.join('\n')}\n`;
  };
  writeFileSync(join(dir, 'speed.csv'), csv(speedOf));
  writeFileSync(join(dir, 'volume.csv'), csv(volumeOf).replace(/\n/g, '\r\n')); // CRLF must work too
  writeFileSync(join(dir, 'occupancy.csv'), csv(occOf));
  writeFileSync(join(dir, 'quality.csv'), csv(qualityOf));
}

/** The dataset row the replay must show for the slot ending at ts (independent of the server). */
function expectedRow(ts_ms) {
  const start_ms = ts_ms - INTERVAL_S * 1000;
  const local_s = start_ms / 1000 + offsetS(start_ms);
  const weekOf = (/** @type {number} */ s) => Math.floor((Math.floor(s / 86400) - 4) / 7); // weeks since Monday 1970-01-05
  const week = weekOf(local_s);
  const tow = local_s - (week * 7 + 4) * 86400;
  const w = (((week - weekOf(MS(DATASET_START) / 1000 + offsetS(MS(DATASET_START)))) % WEEKS) + WEEKS) % WEEKS;
  return w * ROWS_PER_WEEK + Math.floor(tow / INTERVAL_S);
}

/** Check a snapshot's readings are exactly row r of the fixture. */
function assertRow(snap, r) {
  assert.equal(snap.readings.length, SENSORS.length);
  snap.readings.forEach((rd, s) => {
    assert.equal(rd.id, SENSORS[s]);
    assert.equal(rd.speed_mph, speedOf(r, s), `speed row ${r} sensor ${s}`);
    assert.equal(rd.volume_vph, volumeOf(r, s));
    assert.equal(rd.occupancy, occOf(r, s));
    assert.equal(rd.quality ?? 0, qualityOf(r, s));
  });
}

// ---- helpers ----

let relayLogs = 0;
async function listen(opts) {
  // A relay's durable log goes to a fresh folder under tmp (its default is under .cache/).
  const log_dir = opts.upstream ? join(tmp, `relay-log-${relayLogs++}`) : undefined;
  const app = await buildServer({ public: publicDir, log_dir, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${app.server.address().port}` };
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  return { res, body: res.status === 304 ? null : await res.json() };
}

async function assertError(url, status, code, init) {
  const { res, body } = await getJson(url, init);
  assert.equal(res.status, status, `${url}: status`);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.equal(typeof body.error.message, 'string');
  if (code) assert.equal(body.error.code, code, `${url}: code`);
}

/** Minimal SSE reader over fetch: yields { event, id, data } in order. */
function sse(url, headers = {}) {
  const ctl = new AbortController();
  const events = [];
  let wake = () => {};
  let buf = '';
  const done = (async () => {
    const res = await fetch(url, { headers, signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const dec = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', id: '', data: '', comment: false };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) ev.comment = true;
            const m = /^(\w+): ?(.*)$/.exec(line);
            if (m && m[1] in ev) ev[m[1]] = m[2];
          }
          events.push(ev);
          wake();
        }
      }
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
    }
  })();
  const snapshots = () => events.filter((e) => e.event === 'snapshot');
  return {
    events, snapshots, done,
    async waitFor(pred, timeout_ms = 5000) {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > timeout_ms) throw new Error(`SSE: timed out; got ${events.map((e) => e.event).join(',')}`);
        await new Promise((r) => { wake = r; setTimeout(r, 50); });
      }
    },
    close() { ctl.abort(); return done; },
  };
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

async function until(pred, timeout_ms = 5000, what = 'condition') {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeout_ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(30);
  }
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'flowcast-server-test-'));
  datasetDir = join(tmp, 'dataset');
  writeDataset(datasetDir);
  publicDir = join(tmp, 'public');
  mkdirSync(publicDir);
  writeFileSync(join(publicDir, 'index.html'), '<!doctype html><title>flowcast test</title>\n'.repeat(40));
  writeFileSync(join(publicDir, 'app.js'), 'export const x = 1;\n');
});

after(() => rmSync(tmp, { recursive: true, force: true }));

// ---- replay at real speed: the clock sits a few seconds after 08:00 for the whole test ----

test('replay: network, latest, ETag/304, Cache-Control', async () => {
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) + 1000 });
  try {
    const net = await getJson(`${url}/api/v1/network`);
    assert.equal(net.res.status, 200);
    assert.equal(net.body.schema, 'flowcast.network/1');
    assert.equal(net.body.id, 'test-net');
    assert.deepEqual(net.body.sensors.map((s) => s.id), SENSORS);
    const netTag = net.res.headers.get('etag');
    assert.match(netTag, /^"[^"]+"$/);
    assert.match(net.res.headers.get('cache-control'), /max-age=\d+/);
    assert.equal((await fetch(`${url}/api/v1/network`, { headers: { 'if-none-match': netTag } })).status, 304);

    const { res, body } = await getJson(`${url}/api/v1/snapshot/latest`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(body.schema, 'flowcast.snapshot/1');
    assert.equal(body.network, 'test-net');
    assert.equal(body.ts, TUESDAY_8AM);
    assert.equal(body.interval_s, 300);
    const row = expectedRow(MS(TUESDAY_8AM));
    assert.equal(row % ROWS_PER_WEEK, ROWS_PER_WEEK / 7 + 95, 'Tuesday 07:55-08:00 is slot 95 of Tuesday');
    assertRow(body, row);
    const etag = res.headers.get('etag');
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/, 'strong ETag');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=30');

    const again = await fetch(`${url}/api/v1/snapshot/latest`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(await again.text(), '');
    assert.equal((await fetch(`${url}/api/v1/snapshot/latest`, { headers: { 'if-none-match': `"x", W/${etag}` } })).status, 304);
    assert.equal((await fetch(`${url}/api/v1/snapshot/latest`, { headers: { 'if-none-match': '"other"' } })).status, 200);
    const head = await fetch(`${url}/api/v1/snapshot/latest`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
  } finally {
    await app.close();
  }
});

test('replay: catch-up after a gap returns exactly the missed snapshots, paged by limit', async () => {
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) + 1000 });
  try {
    const since = '2026-11-24T06:00:00-05:00';
    const all = [];
    let cursor = since;
    const pages = [];
    for (;;) {
      const { res, body } = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent(cursor)}&limit=10`);
      assert.equal(res.status, 200);
      pages.push([body.snapshots.length, body.more]);
      all.push(...body.snapshots);
      if (!body.more) break;
      cursor = body.snapshots.at(-1).ts;
    }
    assert.deepEqual(pages, [[10, true], [10, true], [4, false]]);
    assert.equal(all.length, 24, '06:05 .. 08:00');
    all.forEach((snap, i) => {
      const ts = MS(since) + (i + 1) * 300000;
      assert.equal(MS(snap.ts), ts);
      assert.match(snap.ts, /-05:00$/);
      assertRow(snap, expectedRow(ts));
    });
    assert.equal(all.at(-1).ts, TUESDAY_8AM);

    // An unaligned since, in another offset, means the same instant.
    const z = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent('2026-11-24T12:52:30Z')}`);
    assert.deepEqual(z.body.snapshots.map((s) => s.ts), ['2026-11-24T07:55:00-05:00', TUESDAY_8AM]);
    assert.equal(z.body.more, false);

    const future = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent('2026-11-25T08:00:00-05:00')}`);
    assert.deepEqual(future.body, { snapshots: [], more: false });
    const upToDate = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent(TUESDAY_8AM)}`);
    assert.deepEqual(upToDate.body, { snapshots: [], more: false });

    const dflt = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent('2026-11-20T00:00:00-05:00')}`);
    assert.equal(dflt.body.snapshots.length, 288, 'default limit');
    assert.equal(dflt.body.more, true);
    const max = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent('2026-11-01T00:00:00-05:00')}&limit=2016`);
    assert.equal(max.body.snapshots.length, 2016);
    // Catch-up reaches back one dataset span (two weeks), no further.
    const old = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent('2020-01-01T00:00:00Z')}&limit=1`);
    assert.equal(MS(old.body.snapshots[0].ts), MS(TUESDAY_8AM) - (WEEKS * ROWS_PER_WEEK - 1) * 300000);
  } finally {
    await app.close();
  }
});

test('replay: history matrix (JSON and binary) with nulls for missing cells', async () => {
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) + 1000 });
  try {
    const { res, body } = await getJson(`${url}/api/v1/history?hours=2`);
    assert.equal(res.status, 200);
    assert.equal(body.schema, 'flowcast.history/1');
    assert.equal(body.network, 'test-net');
    assert.equal(body.start, '2026-11-24T06:00:00-05:00');
    assert.equal(body.end, TUESDAY_8AM);
    assert.equal(body.interval_s, 300);
    assert.equal(body.rows, 24);
    assert.deepEqual(body.sensors, SENSORS);
    for (const k of ['speed_mph', 'volume_vph', 'occupancy', 'quality']) assert.equal(body[k].length, 24, k);
    let nulls = 0;
    for (let r = 0; r < 24; r++) {
      const row = expectedRow(MS(body.start) + (r + 1) * 300000);
      for (let s = 0; s < SENSORS.length; s++) {
        assert.equal(body.speed_mph[r][s], speedOf(row, s));
        assert.equal(body.volume_vph[r][s], volumeOf(row, s));
        assert.equal(body.occupancy[r][s], occOf(row, s));
        assert.equal(body.quality[r][s], qualityOf(row, s));
        if (body.speed_mph[r][s] === null) nulls++;
      }
    }
    assert.ok(nulls >= 3, `fixture has missing cells in this window (${nulls})`);
    const etag = res.headers.get('etag');
    assert.equal((await fetch(`${url}/api/v1/history?hours=2`, { headers: { 'if-none-match': etag } })).status, 304);

    const gz = await fetch(`${url}/api/v1/history?hours=24`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal((await gz.json()).rows, 288);

    const bin = await fetch(`${url}/api/v1/history?hours=2`, { headers: { accept: 'application/octet-stream' } });
    assert.equal(bin.headers.get('content-type'), 'application/octet-stream');
    const buf = Buffer.from(await bin.arrayBuffer());
    assert.equal(buf.toString('latin1', 0, 4), 'FCH1');
    const hlen = buf.readUInt32LE(4);
    assert.equal((8 + hlen) % 4, 0);
    const head = JSON.parse(buf.toString('utf8', 8, 8 + hlen));
    assert.equal(head.rows, 24);
    assert.equal(head.start, body.start);
    const cells = 24 * SENSORS.length;
    assert.equal(buf.length, 8 + hlen + cells * 13);
    const ab = buf.buffer.slice(buf.byteOffset + 8 + hlen);
    const f = new Float32Array(ab, 0, cells * 3);
    const q = new Uint8Array(ab, cells * 12, cells);
    for (let i = 0; i < cells; i++) {
      const [r, s] = [Math.floor(i / SENSORS.length), i % SENSORS.length];
      const sp = body.speed_mph[r][s];
      if (sp === null) assert.ok(Number.isNaN(f[i])); else assert.equal(Math.round(f[i] * 100) / 100, sp);
      const oc = body.occupancy[r][s];
      if (oc === null) assert.ok(Number.isNaN(f[2 * cells + i])); else assert.equal(Math.round(f[2 * cells + i] * 10000) / 10000, oc);
      assert.equal(q[i], body.quality[r][s]);
    }
  } finally {
    await app.close();
  }
});

test('replay: local time of week across daylight saving, with a POSIX TZ rule for the zone', async () => {
  const dir = join(tmp, 'dataset-posix');
  mkdirSync(dir);
  for (const f of ['meta.json', 'speed.csv', 'volume.csv', 'occupancy.csv', 'quality.csv']) writeFileSync(join(dir, f), readFileSync(join(datasetDir, f)));
  writeFileSync(join(dir, 'network.json'), JSON.stringify({ ...network(), timezone: 'EST5EDT,M3.2.0,M11.1.0' }));
  // The dataset was recorded in January (EST); this visitor comes on a Tuesday in July (EDT).
  const july = '2026-07-14T08:00:00-04:00';
  let srv = await listen({ dataset: dir, start_ms: MS(july) + 1000 });
  try {
    const { body } = await getJson(`${srv.url}/api/v1/snapshot/latest`);
    assert.equal(body.ts, july);
    const row = expectedRow(MS(july));
    assert.equal(row % ROWS_PER_WEEK, ROWS_PER_WEEK / 7 + 95, 'still the Tuesday 07:55-08:00 row');
    assertRow(body, row);
  } finally {
    await srv.app.close();
  }
  // Spring forward (Sunday 2026-03-08, 02:00 EST -> 03:00 EDT): the 02:xx rows are skipped.
  srv = await listen({ dataset: dir, start_ms: MS('2026-03-08T03:30:00-04:00') });
  try {
    const { body } = await getJson(`${srv.url}/api/v1/snapshots?since=${encodeURIComponent('2026-03-08T01:45:00-05:00')}&limit=4`);
    assert.deepEqual(body.snapshots.map((x) => x.ts),
      ['2026-03-08T01:50:00-05:00', '2026-03-08T01:55:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:05:00-04:00']);
    const rows = body.snapshots.map((x) => expectedRow(MS(x.ts)));
    assert.deepEqual(rows.map((r) => r % ROWS_PER_WEEK), [6 * 288 + 21, 6 * 288 + 22, 6 * 288 + 23, 6 * 288 + 36]);
    body.snapshots.forEach((x, i) => assertRow(x, rows[i]));
  } finally {
    await srv.app.close();
  }
});

test('errors: bad queries, unknown paths and bad methods get 4xx JSON', async () => {
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) });
  try {
    const api = `${url}/api/v1`;
    await assertError(`${api}/snapshots`, 400, 'BAD_SINCE');
    await assertError(`${api}/snapshots?since=yesterday`, 400, 'BAD_SINCE');
    await assertError(`${api}/snapshots?since=2026-13-01T00:00:00Z`, 400, 'BAD_SINCE');
    await assertError(`${api}/snapshots?since=2026-02-30T00:00:00Z`, 400, 'BAD_SINCE');
    await assertError(`${api}/snapshots?since=2026-11-24T08:00:00`, 400, 'BAD_SINCE');
    const since = encodeURIComponent(TUESDAY_8AM);
    await assertError(`${api}/snapshots?since=${since}&since=${since}`, 400, 'BAD_QUERY');
    await assertError(`${api}/snapshots?since=${since}&limit=0`, 400, 'BAD_LIMIT');
    await assertError(`${api}/snapshots?since=${since}&limit=2017`, 400, 'BAD_LIMIT');
    await assertError(`${api}/snapshots?since=${since}&limit=99999999999999999999`, 400, 'BAD_LIMIT');
    await assertError(`${api}/snapshots?since=${since}&limit=-5`, 400, 'BAD_LIMIT');
    await assertError(`${api}/snapshots?since=${since}&limit=ten`, 400, 'BAD_LIMIT');
    await assertError(`${api}/history?hours=0`, 400, 'BAD_HOURS');
    await assertError(`${api}/history?hours=673`, 400, 'BAD_HOURS');
    await assertError(`${api}/history?hours=1.5`, 400, 'BAD_HOURS');
    await assertError(`${api}/history?hours=`, 400, 'BAD_HOURS');
    await assertError(`${api}/snapshots?since=${'9'.repeat(300)}`, 400, 'QUERY_TOO_LONG');
    await assertError(`${api}/history?x=${'a'.repeat(300)}`, 400, 'QUERY_TOO_LONG');
    await assertError(`${api}/network?x=${'a'.repeat(5000)}`, 414, 'URI_TOO_LONG');
    await assertError(`${api}/nope`, 404, 'NOT_FOUND');
    await assertError(`${url}/api/v2/network`, 404, 'NOT_FOUND');
    await assertError(`${url}/api/v1/snapshot/latest/extra`, 404, 'NOT_FOUND');
    await assertError(`${url}/no-such-file.html`, 404, 'NOT_FOUND');
    await assertError(`${api}/snapshot/latest`, 405, 'METHOD_NOT_ALLOWED', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await assertError(`${api}/snapshots`, 405, 'METHOD_NOT_ALLOWED', { method: 'DELETE' });
    await assertError(`${api}/snapshot/latest`, 413, 'BODY_TOO_LARGE', { method: 'POST', body: 'x'.repeat(100000), headers: { 'content-type': 'application/json' } });
    // ... and the server is still fine.
    assert.equal((await fetch(`${api}/snapshot/latest`)).status, 200);
  } finally {
    await app.close();
  }
});

test('405: every documented GET route of the feed, and only those, refuses other methods with Allow: GET, HEAD', async () => {
  // The routes docs/API.md documents with GET ("## `GET /api/v1/profiles/<group>/<daytype>`"):
  // the list the server derives from its registered routes must be exactly these.
  const documented = [...readFileSync(join(ROOT, 'docs/API.md'), 'utf8').matchAll(/`GET (\/[^`?\s]*)/g)]
    .map((m) => m[1].replace(/<([a-z]+)>/g, ':$1'));
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) + 1000 });
  try {
    const derived = /** @type {any} */ (app).flowcast.apiPaths;
    assert.deepEqual([...derived].sort(), [...new Set(documented)].sort());
    for (const path of derived) {
      assert.ok(app.hasRoute({ method: 'GET', url: path }), `${path}: a GET route`);
      const target = url + path.replace(':group', 'I75-NB').replace(':daytype', 'weekday');
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(target, { method });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('allow'), 'GET, HEAD', `${method} ${path}: Allow`);
        const { error } = await res.json();
        assert.equal(error.code, 'METHOD_NOT_ALLOWED');
        assert.equal(typeof error.message, 'string');
      }
    }
    // static files are not API routes: a POST to a page is a 404, like a missing file
    await assertError(`${url}/index.html`, 404, 'NOT_FOUND', { method: 'POST' });
  } finally {
    await app.close();
  }
});

test('static files, CORS only on the API, healthz', async () => {
  const { app, url } = await listen({ dataset: datasetDir, start_ms: MS(TUESDAY_8AM) + 1000 });
  try {
    const origin = { origin: 'https://partner.example' };
    const page = await fetch(`${url}/`, { headers: origin });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.match(await page.text(), /flowcast test/);
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    const js = await fetch(`${url}/app.js`, { headers: origin });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    assert.equal(js.headers.get('access-control-allow-origin'), null);
    const gz = await fetch(`${url}/`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');

    for (const p of ['/api/v1/network', '/api/v1/snapshot/latest', '/api/v1/history?hours=1']) {
      const r = await fetch(`${url}${p}`, { headers: origin });
      assert.equal(r.headers.get('access-control-allow-origin'), '*', p);
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /ETag/i);
    }
    const pre = await fetch(`${url}/api/v1/snapshot/latest`, {
      method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    const err = await fetch(`${url}/api/v1/snapshots?since=bad`, { headers: origin });
    assert.equal(err.headers.get('access-control-allow-origin'), '*', 'errors are readable cross-origin too');

    await fetch(`${url}/api/v1/snapshot/latest`);
    const { res, body } = await getJson(`${url}/healthz`, { headers: origin });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(body.status, 'ok');
    assert.equal(body.mode, 'replay');
    assert.equal(body.latest_ts, TUESDAY_8AM);
    assert.equal(typeof body.age_s, 'number');
    assert.ok(body.age_s >= 1 && body.age_s < 10, `age_s ${body.age_s}`);
    assert.equal(body.snapshots_served, 2, 'two latest snapshots sent; 304s, history and network do not count');
    assert.equal(typeof body.uptime_s, 'number');
  } finally {
    await app.close();
  }
});

// ---- accelerated replay: a 5-minute row every 0.5 s ----

test('SSE: events in order, Last-Event-ID resend, heartbeats, cleanup', async () => {
  const { app, url } = await listen({ dataset: datasetDir, speed: 600, start_ms: MS(TUESDAY_8AM) + 1000, heartbeat_ms: 200 });
  try {
    const a = sse(`${url}/api/v1/stream`, { origin: 'https://partner.example' });
    await a.waitFor(() => a.snapshots().length >= 4, 8000);
    const got = a.snapshots();
    const first = JSON.parse(got[0].data);
    assert.equal(got[0].id, first.ts);
    assert.ok(MS(first.ts) >= MS(TUESDAY_8AM));
    got.forEach((ev, i) => {
      const snap = JSON.parse(ev.data);
      assert.equal(ev.id, snap.ts);
      assert.equal(MS(snap.ts), MS(first.ts) + i * 300000, 'consecutive, in order');
      assertRow(snap, expectedRow(MS(snap.ts)));
    });
    await a.waitFor(() => a.events.some((e) => e.comment), 3000);

    // Catch-up after a gap over HTTP agrees with what the stream sent.
    const cu = await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent(got[0].id)}&limit=3`);
    assert.deepEqual(cu.body.snapshots.map((s) => s.ts), got.slice(1, 4).map((e) => e.id));

    // A client that went away at got[1] resumes: the missed ones come first, then live ones.
    const b = sse(`${url}/api/v1/stream`, { 'last-event-id': got[1].id });
    await b.waitFor(() => b.snapshots().length >= 4, 8000);
    const resumed = b.snapshots().map((e) => MS(e.id));
    resumed.forEach((t, i) => assert.equal(t, MS(got[1].id) + (i + 1) * 300000));
    assert.equal(b.events.filter((e) => e.event === 'gap').length, 0);
    // The same through the query parameter, for clients that cannot set headers.
    const q = sse(`${url}/api/v1/stream?lastEventId=${encodeURIComponent(got[2].id)}`);
    await q.waitFor(() => q.snapshots().length >= 2, 8000);
    assert.deepEqual(q.snapshots().slice(0, 1).map((e) => e.id), [got[3].id]);
    await q.close();

    await until(async () => (await getJson(`${url}/healthz`)).body.sse_clients === 2, 3000, 'the third client to be gone');
    let health;
    await a.close();
    await b.close();
    await until(async () => (await getJson(`${url}/healthz`)).body.sse_clients === 0, 3000, 'SSE cleanup');
    health = (await getJson(`${url}/healthz`)).body;
    assert.ok(health.snapshots_served >= 8);

    // Too far behind: a gap event, then the most recent resend_max (288) snapshots in order.
    const c = sse(`${url}/api/v1/stream`, { 'last-event-id': '2026-11-20T00:00:00-05:00' });
    await c.waitFor(() => c.snapshots().length >= 288, 8000);
    assert.equal(c.events.find((e) => e.event !== 'message').event, 'gap');
    const ts = c.snapshots().map((e) => MS(e.id));
    for (let i = 1; i < ts.length; i++) assert.equal(ts[i] - ts[i - 1], 300000);
    await c.close();
  } finally {
    await app.close();
  }
});

test('SSE: server shutdown ends open streams', async () => {
  const { app, url } = await listen({ dataset: datasetDir, speed: 600 });
  const a = sse(`${url}/api/v1/stream`);
  await a.waitFor(() => a.snapshots().length >= 1);
  const t0 = Date.now();
  await app.close();
  await a.done;
  assert.ok(Date.now() - t0 < 3000);
});

// ---- relay ----

test('relay: follows a flowcast upstream without gaps', async () => {
  // Starts now (not at a fixed instant) so the relay does not find the feed stale.
  const up = await listen({ dataset: datasetDir, speed: 600 });
  // a 600x upstream runs hours ahead of the wall clock within the test: allowed explicitly
  // (the default refuses snapshots more than 15 minutes ahead)
  const relay = await listen({ upstream: up.url, poll_ms: 700, max_ahead_s: 24 * 3600 });
  try {
    const first = (await getJson(`${relay.url}/api/v1/snapshot/latest`)).body;
    assertRow(first, expectedRow(MS(first.ts)));
    // The relay copied the upstream's recent history when it started.
    const hist = (await getJson(`${relay.url}/api/v1/history?hours=2`)).body;
    assert.equal(hist.end, first.ts);
    assert.equal(hist.rows, 24);
    hist.occupancy.forEach((r, i) => assert.equal(r[0], occOf(expectedRow(MS(hist.start) + (i + 1) * 300000), 0), `row ${i}`));
    assert.equal((await getJson(`${relay.url}/api/v1/network`)).body.id, 'test-net');
    // Polls are 0.7 s apart and the upstream makes a snapshot every 0.5 s: catch-up fills in.
    await until(async () => {
      const l = (await getJson(`${relay.url}/api/v1/snapshot/latest`)).body;
      return MS(l.ts) >= MS(first.ts) + 4 * 300000;
    }, 8000, 'relay to advance');
    const { body } = await getJson(`${relay.url}/api/v1/snapshots?since=${encodeURIComponent(first.ts)}`);
    assert.ok(body.snapshots.length >= 4);
    body.snapshots.forEach((s, i) => {
      assert.equal(MS(s.ts), MS(first.ts) + (i + 1) * 300000, 'no gaps');
      assertRow(s, expectedRow(MS(s.ts)));
    });
    const h = (await getJson(`${relay.url}/healthz`)).body;
    assert.equal(h.mode, 'relay');
    assert.equal(h.status, 'ok');
    assert.equal(h.upstream.failures, 0);
  } finally {
    await relay.app.close();
    await up.app.close();
  }
});

test('relay: upstream down or returning garbage -> degraded, last good snapshot kept, then recovery', async () => {
  // A static upstream: latest.json beside network.json, whose behaviour the test switches.
  let mode = 'ok';
  let ts_ms = Math.floor(Date.now() / 300000) * 300000;
  const snap = (network = 'test-net') => JSON.stringify({
    schema: 'flowcast.snapshot/1', network, ts: new Date(ts_ms).toISOString().replace('.000Z', 'Z'), interval_s: 300,
    readings: [{ id: 'S0', speed_mph: 55.5, volume_vph: 1000, occupancy: 0.1 }, { id: 'S1', speed_mph: -3 }, { id: 'nope', speed_mph: 50 }],
  });
  const upstream = createServer((req, res) => {
    if (req.url === '/feed/network.json') return res.end(JSON.stringify(network()));
    if (req.url !== '/feed/latest.json') { res.statusCode = 404; return res.end(); }
    if (mode === 'down') { res.statusCode = 503; return res.end('{"error":"down"}'); }
    if (mode === 'garbage') return res.end('{"schema": "flowcast.snapsh');
    if (mode === 'other-network') return res.end(snap('other-net'));
    if (mode === 'future') return res.end(snap().replace(/"ts":"[^"]+"/, '"ts":"2100-01-01T00:00:00Z"'));
    res.setHeader('content-type', 'application/json');
    res.end(snap());
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const upUrl = `http://127.0.0.1:${upstream.address().port}/feed/latest.json`;
  const relay = await listen({ upstream: upUrl, poll_ms: 60, max_backoff_ms: 240 });
  const health = async () => (await getJson(`${relay.url}/healthz`)).body;
  const latest = async () => getJson(`${relay.url}/api/v1/snapshot/latest`);
  try {
    let l = await latest();
    assert.equal(l.res.status, 200);
    assert.equal(MS(l.body.ts), ts_ms);
    assert.equal(l.body.readings[0].speed_mph, 55.5);
    assert.equal(l.body.readings[1].speed_mph, null, 'an invalid reading is dropped');
    assert.equal((await health()).status, 'ok');
    assert.equal((await health()).upstream.dropped_readings >= 2, true);

    for (const bad of ['down', 'garbage', 'other-network', 'future']) {
      mode = bad;
      await until(async () => (await health()).status === 'degraded', 3000, `degraded on ${bad}`);
      const h = await health();
      assert.ok(h.upstream.failures >= 1);
      assert.equal(typeof h.upstream.last_error, 'string');
      assert.equal(typeof h.age_s, 'number');
      assert.equal(typeof h.upstream.next_retry_s, 'number', 'when the next retry comes');
      l = await latest();
      assert.equal(l.res.status, 200, 'still serving the last good snapshot');
      assert.equal(MS(l.body.ts), ts_ms);
      mode = 'ok';
      await until(async () => (await health()).status === 'ok', 3000, `recovery after ${bad}`);
    }
    ts_ms += 300000;
    await until(async () => MS((await latest()).body.ts) === ts_ms, 3000, 'the next snapshot');
  } finally {
    await relay.app.close();
    await new Promise((r) => upstream.close(r));
  }
});

test('relay: upstream unreachable from the start -> 503 until it answers', async () => {
  const blocker = createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const port = blocker.address().port;
  await new Promise((r) => blocker.close(r));
  const relay = await listen({ upstream: `http://127.0.0.1:${port}/`, poll_ms: 50, max_backoff_ms: 100 });
  try {
    await assertError(`${relay.url}/api/v1/snapshot/latest`, 503, 'NOT_READY');
    await assertError(`${relay.url}/api/v1/network`, 503, 'NOT_READY');
    const h = (await getJson(`${relay.url}/healthz`)).body;
    assert.equal(h.status, 'degraded');
    assert.equal(h.latest_ts, null);
  } finally {
    await relay.app.close();
  }
});

// ---- directory ----

test('directory: serves snapshot files in ts order, skips bad ones, picks up new files', async () => {
  const dir = join(tmp, 'snapdir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network()));
  const file = (name, ts, speed, net = 'test-net') => writeFileSync(join(dir, name), JSON.stringify({
    schema: 'flowcast.snapshot/1', network: net, ts, readings: [{ id: 'S0', speed_mph: speed, volume_vph: 900, occupancy: 0.05, quality: 1 }],
  }));
  // Names deliberately out of time order.
  file('c.json', '2026-11-24T08:10:00-05:00', 30);
  file('a.json', '2026-11-24T08:00:00-05:00', 10);
  file('b.json', '2026-11-24T13:05:00Z', 20);
  file('wrong-net.json', '2026-11-24T08:20:00-05:00', 40, 'elsewhere');
  writeFileSync(join(dir, 'broken.json'), '{"schema":');
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const { app, url } = await listen({ dir, scan_ms: 50 });
  try {
    const l = (await getJson(`${url}/api/v1/snapshot/latest`)).body;
    assert.equal(l.ts, '2026-11-24T08:10:00-05:00');
    assert.equal(l.readings.length, SENSORS.length);
    assert.deepEqual(l.readings[0], { id: 'S0', speed_mph: 30, volume_vph: 900, occupancy: 0.05, quality: 1 });
    assert.deepEqual(l.readings[1], { id: 'S1', speed_mph: null, volume_vph: null, occupancy: null });
    const all = (await getJson(`${url}/api/v1/snapshots?since=2026-11-24T00:00:00Z`)).body;
    assert.deepEqual(all.snapshots.map((s) => [s.ts, s.readings[0].speed_mph]), [
      ['2026-11-24T08:00:00-05:00', 10], ['2026-11-24T08:05:00-05:00', 20], ['2026-11-24T08:10:00-05:00', 30]]);
    const page = (await getJson(`${url}/api/v1/snapshots?since=2026-11-24T00:00:00Z&limit=2`)).body;
    assert.deepEqual([page.snapshots.map((s) => s.readings[0].speed_mph), page.more], [[10, 20], true]);
    const rest = (await getJson(`${url}/api/v1/snapshots?since=${encodeURIComponent(page.snapshots[1].ts)}&limit=2`)).body;
    assert.deepEqual([rest.snapshots.map((s) => s.readings[0].speed_mph), rest.more], [[30], false]);
    const h = (await getJson(`${url}/healthz`)).body;
    assert.equal(h.mode, 'directory');
    assert.equal(h.status, 'ok');
    assert.equal(h.files_rejected, 2);
    const hist = (await getJson(`${url}/api/v1/history?hours=1`)).body;
    assert.equal(hist.rows, 12);
    assert.deepEqual(hist.speed_mph.slice(-3).map((r) => r[0]), [10, 20, 30]);
    assert.deepEqual(hist.speed_mph[0], [null, null, null, null, null]);

    const stream = sse(`${url}/api/v1/stream`);
    await stream.waitFor(() => stream.snapshots().length === 1);
    file('d.json', '2026-11-24T08:15:00-05:00', 40);
    await until(async () => (await getJson(`${url}/api/v1/snapshot/latest`)).body.ts === '2026-11-24T08:15:00-05:00', 3000, 'new file');
    await stream.waitFor(() => stream.snapshots().length === 2);
    assert.equal(stream.snapshots()[1].id, '2026-11-24T08:15:00-05:00');
    await stream.close();
  } finally {
    await app.close();
  }
});

test('directory, real time: files appear when the clock reaches them', async () => {
  const dir = join(tmp, 'snapdir-realtime');
  mkdirSync(dir);
  const networkFile = join(tmp, 'realtime-network.json'); // given on its own, not in the folder
  writeFileSync(networkFile, JSON.stringify(network()));
  const t0 = Math.floor(Date.now() / 300000) * 300000 - 300000; // one slot ago: shift is 0 days
  [0, 1, 2, 3].forEach((k) => writeFileSync(join(dir, `s${k}.json`), JSON.stringify({
    schema: 'flowcast.snapshot/1', network: 'test-net', ts: new Date(t0 + k * 300000).toISOString(),
    readings: [{ id: 'S0', speed_mph: 50 + k }],
  })));
  // Speed 600: a 5-minute step every 0.5 s of real time.
  const { app, url } = await listen({ dir, network: networkFile, realtime: true, speed: 600, scan_ms: 5000 });
  try {
    const l0 = (await getJson(`${url}/api/v1/snapshot/latest`)).body;
    // the replay clock runs at 600x, so a slow first request (a loaded 2-core machine) may see a
    // slot more; never the last file, which is 15 minutes (1.5 s real) ahead
    assert.ok([t0, t0 + 300000, t0 + 600000].includes(MS(l0.ts)), `at start only files up to now: ${l0.ts}`);
    let h = (await getJson(`${url}/healthz`)).body;
    assert.equal(h.realtime, true);
    assert.equal(h.shift_days, 0);
    assert.ok(h.pending >= 1);
    const stream = sse(`${url}/api/v1/stream`);
    await stream.waitFor(() => stream.snapshots().some((e) => MS(e.id) === t0 + 3 * 300000), 4000);
    const ts = stream.snapshots().map((e) => MS(e.id));
    for (let i = 1; i < ts.length; i++) assert.equal(ts[i] - ts[i - 1], 300000, 'in order, one at a time');
    h = (await getJson(`${url}/healthz`)).body;
    assert.equal(h.pending, 0);
    await stream.close();
  } finally {
    await app.close();
  }
});

// ---- the command line ----

test('CLI: starts, prints the URL, serves, exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'web/server/server.js'), '--dataset', datasetDir, '--port', '0', '--speed', '60', '--public', publicDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOST: '127.0.0.1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  try {
    await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out), 8000, `the URL (stderr: ${err})`);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)[0];
    const h = (await getJson(`${url}/healthz`)).body;
    assert.equal(h.status, 'ok');
    assert.equal((await fetch(`${url}/`)).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.deepEqual(await exited, { code: 0, signal: null });

  const bad = spawn(process.execPath, [join(ROOT, 'web/server/server.js'), '--dataset', join(tmp, 'no-such-dataset'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr.on('data', (d) => { badErr += d; });
  const code = await new Promise((r) => bad.on('exit', r));
  assert.equal(code, 1);
  assert.match(badErr, /no-such-dataset/);
});

test('npm start entry: generates a missing dataset with the simulator, then serves it', async () => {
  const start = join(ROOT, 'web/server/start.js');
  const target = join(tmp, 'generated', 'atlanta');
  const fakeSim = join(tmp, 'fake-sim.sh');
  writeFileSync(fakeSim, `#!/bin/sh\n# usage: --out DIR --days N --seed S\n[ "$1" = --out ] || exit 2\nfor d in 1 2 3; do echo "flowcast-sim: day $d/3" >&2; done\nmkdir "$2" && cp '${datasetDir}'/* "$2"/\n`, { mode: 0o755 });
  const failSim = join(tmp, 'fail-sim.sh');
  writeFileSync(failSim, '#!/bin/sh\nmkdir "$2"; echo "flowcast-sim: day 1/56" >&2; echo "flowcast-sim: out of cheese" >&2; exit 3\n', { mode: 0o755 });
  const run = (args) => {
    const child = spawn(process.execPath, [start, '--dataset', target, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { child, out: '', err: '', exit: new Promise((res) => child.on('exit', (code) => res(code))) };
    child.stdout.on('data', (d) => { r.out += d; });
    child.stderr.on('data', (d) => { r.err += d; });
    return r;
  };

  const missing = run(['--sim', join(tmp, 'no-such-sim')]);
  assert.equal(await missing.exit, 1);
  assert.match(missing.err, /not built/);
  assert.match(missing.err, /build\.sh/);

  const failing = run(['--sim', failSim]);
  assert.equal(await failing.exit, 1);
  assert.match(failing.err, /out of cheese/);
  assert.match(failing.err, /simulator failed \(exit 3\)/);
  assert.ok(!existsSync(target) && !existsSync(`${target}.tmp`), 'nothing left behind');

  const ok = run(['--sim', fakeSim, '--port', '0', '--speed', '60']);
  try {
    await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(ok.out), 8000, `the URL (stderr: ${ok.err})`);
    assert.match(ok.err, /day 3\/3/);
    assert.ok(existsSync(join(target, 'meta.json')) && !existsSync(`${target}.tmp`));
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(ok.out)[0];
    assert.equal((await getJson(`${url}/healthz`)).body.mode, 'replay');
  } finally {
    ok.child.kill('SIGINT');
  }
  assert.equal(await ok.exit, 0);

  // Up to date: not regenerated. A rebuilt simulator (newer binary): regenerated.
  const again = run(['--sim', fakeSim, '--port', '0']);
  await until(() => /http:\/\//.test(again.out), 8000, 'the URL');
  again.child.kill('SIGTERM');
  assert.equal(await again.exit, 0);
  assert.doesNotMatch(again.err, /generating/);
  const later = (Date.now() + 60000) / 1000;
  utimesSync(fakeSim, later, later);
  const rebuilt = run(['--sim', fakeSim, '--port', '0']);
  await until(() => /http:\/\//.test(rebuilt.out), 8000, 'the URL');
  rebuilt.child.kill('SIGTERM');
  assert.equal(await rebuilt.exit, 0);
  assert.match(rebuilt.err, /newer than the dataset: regenerating/);
  assert.ok(existsSync(join(target, 'meta.json')) && !existsSync(`${target}.tmp`));
});

// ---- the model file ----


test('GET /api/v1/model: the folder\'s model.fcm with a strong ETag and 304; 404 NO_MODEL without one', async () => {
  const dir = join(tmp, 'with-model');
  cpSync(datasetDir, dir, { recursive: true });
  const app = await buildServer({ dataset: dir, public: null });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.server.address().port}/api/v1/model`;
  try {
    await assertError(url, 404, 'NO_MODEL');

    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 255));
    writeFileSync(join(dir, 'model.fcm'), bytes);
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const etag = r.headers.get('etag') ?? '';
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
    assert.equal((await fetch(url, { headers: { 'if-none-match': etag } })).status, 304);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    // compressed once per file and encoding, the same bytes after decoding, the same ETag
    for (const [accept, encoding, decode] of /** @type {const} */ ([['br', 'br', brotliDecompressSync],
      ['gzip, deflate', 'gzip', gunzipSync], ['br;q=0, gzip', 'gzip', gunzipSync]])) {
      for (let k = 0; k < 2; k++) {
        const c = await rawGet(url, { 'accept-encoding': accept });
        assert.equal(c.status, 200);
        assert.equal(c.headers['content-encoding'], encoding, accept);
        assert.equal(c.headers.etag, etag);
        assert.match(String(c.headers.vary), /accept-encoding/i);
        assert.deepEqual(decode(c.body), bytes);
      }
    }
    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.body, bytes);

    // a retrained file is served at once, under a new ETag
    writeFileSync(join(dir, 'model.fcm'), bytes.subarray(0, 4000));
    const later = (Date.now() + 5000) / 1000;
    utimesSync(join(dir, 'model.fcm'), later, later);
    const r2 = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(r2.status, 200);
    assert.notEqual(r2.headers.get('etag'), etag);
    assert.equal((await r2.arrayBuffer()).byteLength, 4000);
  } finally {
    await app.close();
  }
});

test('npm start entry: trains model.fcm with flowcast-train when missing, older than the dataset or of another format version, skips without the tool', async () => {
  const start = join(ROOT, 'web/server/start.js');
  const target = join(tmp, 'model-start');
  cpSync(datasetDir, target, { recursive: true });
  const fakeTrain = join(tmp, 'fake-train.sh');
  // a header as far as the version (magic, then u32 little-endian at byte 8)
  const header = (/** @type {number} */ version) => `FCMODEL1\\${version.toString(8).padStart(3, '0')}\\000\\000\\000`;
  writeFileSync(fakeTrain, `#!/bin/sh\n# usage: --dataset DIR --out FILE --days N\nwhile [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done\nprintf '${header(MODEL_FORMAT_VERSION)}' > "$out"\n`, { mode: 0o755 });
  const expected = Buffer.concat([Buffer.from('FCMODEL1'), Buffer.from(Uint32Array.of(MODEL_FORMAT_VERSION).buffer)]).toString('latin1');
  /** Starts the entry, fetches /api/v1/model, stops it. */
  const run = async (/** @type {string} */ train) => {
    const child = spawn(process.execPath, [start, '--dataset', target, '--sim', join(tmp, 'no-such-sim'), '--train', train, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { out: '', err: '', status: 0, body: '' };
    child.stdout.on('data', (d) => { r.out += d; });
    child.stderr.on('data', (d) => { r.err += d; });
    const exit = new Promise((res) => child.on('exit', res));
    try {
      await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(r.out), 8000, `the URL (stderr: ${r.err})`);
      const res = await fetch(`${/http:\/\/127\.0\.0\.1:\d+/.exec(r.out)[0]}/api/v1/model`);
      r.status = res.status;
      r.body = Buffer.from(await res.arrayBuffer()).toString('latin1');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exit, 0);
    return r;
  };

  const without = await run(join(tmp, 'no-such-train'));
  assert.match(without.err, /not built: serving without a model file/);
  assert.equal(without.status, 404);

  const trained = await run(fakeTrain);
  assert.match(trained.err, /training the model/);
  assert.equal(trained.status, 200);
  assert.equal(trained.body, expected);
  assert.ok(!existsSync(join(target, 'model.fcm.tmp')));

  const upToDate = await run(fakeTrain);
  assert.doesNotMatch(upToDate.err, /training the model/);

  const later = (Date.now() + 60000) / 1000; // a regenerated dataset: the model is out of date
  utimesSync(join(target, 'meta.json'), later, later);
  const stale = await run(fakeTrain);
  assert.match(stale.err, /training the model/);

  // newer than the dataset but written by a build with another model format: retrained
  writeFileSync(join(target, 'model.fcm'), Buffer.concat([Buffer.from('FCMODEL1'), Buffer.from(Uint32Array.of(MODEL_FORMAT_VERSION - 1).buffer)]));
  utimesSync(join(target, 'model.fcm'), later + 60, later + 60);
  const oldFormat = await run(fakeTrain);
  assert.match(oldFormat.err, /training the model/);
  assert.equal(oldFormat.body, expected);
});
