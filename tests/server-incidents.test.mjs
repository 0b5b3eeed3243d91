// GET /api/v1/incidents in every mode: replay serves the dataset's incidents in force at the
// replayed instant, moved onto the wall clock; directory and relay serve what the network's
// engine accepted, refuse bad documents with the engine's code (502 BAD_INCIDENTS, /healthz),
// and keep the last good one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../web/server/server.js';

const SENSORS = ['S0', 'S1', 'S2', 'S3', 'S4'];
const ROWS = 2016; // one week of 5-minute rows
/** Monday 2026-01-05 00:00 EST; the replay's clock sits at Tuesday 2026-11-24 08:00 EST, so the
 * row shown ends on Tuesday 2026-01-06 08:00 EST. */
const DATASET_START = '2026-01-05T00:00:00-05:00';
const WALL = Date.parse('2026-11-24T08:00:00-05:00') + 1000;

let tmp = '';

const network = () => ({
  schema: 'flowcast.network/1', id: 'test-net', timezone: 'America/New_York', interval_s: 300,
  sensors: SENSORS.map((id, i) => ({ id, lat: 33.7 + i * 0.01, lon: -84.4, road: 'I-75', direction: 'NB', milepost: 250 + i * 0.4, lanes: 4, speed_limit_mph: 65 })),
  corridors: [{ id: 'I75-NB', road: 'I-75', direction: 'NB', sensors: SENSORS }],
});

const incident = (/** @type {string} */ id, /** @type {string} */ sensor, /** @type {string} */ start, /** @type {string|null} */ end, extra = {}) => ({
  id, kind: 'crash', sensor, lanes_blocked: 2, start, end, description: 'crash blocking 2 of 4 lanes', ...extra,
});

/** The recording's incidents: two in force at Tuesday 08:00, one over, one not yet begun. */
const RECORDING = {
  schema: 'flowcast.incidents/1', network: 'test-net', ts: '2026-01-12T00:00:00-05:00',
  incidents: [
    incident('over', 'S1', '2026-01-06T07:00:00-05:00', '2026-01-06T07:50:00-05:00'),
    incident('crash-s2', 'S2', '2026-01-06T07:30:00-05:00', '2026-01-06T08:30:00-05:00'),
    incident('stall-s4', 'S4', '2026-01-06T07:59:30-05:00', null, { kind: 'stalled_vehicle', lanes_blocked: 0, description: 'stalled vehicle on the shoulder' }),
    incident('later', 'S3', '2026-01-06T08:10:00-05:00', '2026-01-06T09:00:00-05:00'),
  ],
};

function writeDataset(/** @type {string} */ dir, /** @type {object|string|null} */ incidents) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ schema: 'flowcast.dataset/1', network: 'test-net', start: DATASET_START, interval_s: 300, rows: ROWS }));
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network()));
  const csv = `${SENSORS.join(',')}\n${`${SENSORS.map(() => '60').join(',')}\n`.repeat(ROWS)}`;
  for (const f of ['speed.csv', 'volume.csv', 'occupancy.csv']) writeFileSync(join(dir, f), f === 'occupancy.csv' ? csv.replace(/60/g, '0.05') : csv);
  if (incidents !== null) writeFileSync(join(dir, 'incidents.json'), typeof incidents === 'string' ? incidents : JSON.stringify(incidents));
  return dir;
}

async function listen(/** @type {object} */ opts) {
  const app = await buildServer({ public: null, rate_limit: 0, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${/** @type {any} */ (app.server.address()).port}` };
}

async function get(/** @type {string} */ url, /** @type {RequestInit} */ init = {}) {
  const res = await fetch(url, init);
  return { res, body: res.status === 304 ? null : await res.json() };
}

const until = async (/** @type {() => Promise<boolean>} */ pred, what = 'condition', ms = 5000) => {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
};

before(() => { tmp = mkdtempSync(join(tmpdir(), 'flowcast-incidents-test-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

test('replay: the incidents in force at the replayed row, on the wall clock, canonical, with ETag', async () => {
  const dir = writeDataset(join(tmp, 'ds-good'), RECORDING);
  const { app, url } = await listen({ dataset: dir, start_ms: WALL });
  try {
    const { res, body } = await get(`${url}/api/v1/incidents`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(body.schema, 'flowcast.incidents/1');
    assert.equal(body.network, 'test-net');
    assert.equal(body.ts, '2026-11-24T08:00:00-05:00', 'the latest snapshot time');
    assert.deepEqual(body.incidents.map((/** @type {any} */ i) => i.id), ['crash-s2', 'stall-s4']);
    assert.deepEqual(body.incidents[0], {
      id: 'crash-s2', kind: 'crash', sensor: 'S2', lanes_blocked: 2, lanes: 4,
      start: '2026-11-24T07:30:00-05:00', end: '2026-11-24T08:30:00-05:00', description: 'crash blocking 2 of 4 lanes',
    });
    assert.equal(body.incidents[1].end, null);
    assert.equal(body.incidents[1].start, '2026-11-24T07:59:30-05:00');
    const etag = res.headers.get('etag');
    assert.ok(etag);
    assert.equal((await fetch(`${url}/api/v1/incidents`, { headers: { 'if-none-match': etag } })).status, 304);
  } finally {
    await app.close();
  }
});

test('replay: a dataset without incidents answers 404 NO_INCIDENTS; a bad incidents.json 502 BAD_INCIDENTS with the engine\'s reason', async () => {
  const none = await listen({ dataset: writeDataset(join(tmp, 'ds-none'), null), start_ms: WALL });
  try {
    const { res, body } = await get(`${none.url}/api/v1/incidents`);
    assert.equal(res.status, 404);
    assert.equal(body.error.code, 'NO_INCIDENTS');
  } finally {
    await none.app.close();
  }
  const bad = structuredClone(RECORDING);
  bad.incidents[1].sensor = 'S9';
  const { app, url } = await listen({ dataset: writeDataset(join(tmp, 'ds-bad'), bad), start_ms: WALL });
  try {
    const { res, body } = await get(`${url}/api/v1/incidents`);
    assert.equal(res.status, 502);
    assert.equal(body.error.code, 'BAD_INCIDENTS');
    assert.match(body.error.message, /incidents\[1\]\.sensor: unknown sensor "S9"/);
    const h = (await get(`${url}/healthz`)).body;
    assert.equal(h.incidents.rejected, 1);
    assert.equal(h.incidents.last_error.code, 'E_NOT_FOUND');
    assert.equal((await get(`${url}/api/v1/snapshot/latest`)).res.status, 200, 'snapshots are unaffected');
  } finally {
    await app.close();
  }
});

test('directory: DIR/incidents.json checked by the engine on every change; refusals counted, the last good one kept', async () => {
  const dir = join(tmp, 'dir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network()));
  const ts = '2026-11-24T08:00:00-05:00';
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ schema: 'flowcast.snapshot/1', network: 'test-net', ts, readings: [{ id: 'S0', speed_mph: 50 }] }));
  const doc = (/** @type {object[]} */ incidents, extra = {}) => JSON.stringify({ schema: 'flowcast.incidents/1', network: 'test-net', ts, incidents, ...extra });
  writeFileSync(join(dir, 'incidents.json'), doc([], { schema: 'flowcast.incidents/9' }));
  const { app, url } = await listen({ dir, log_dir: join(tmp, 'dir-log') });
  try {
    await until(async () => (await get(`${url}/api/v1/snapshot/latest`)).res.status === 200, 'the snapshot');
    let r = await get(`${url}/api/v1/incidents`);
    assert.equal(r.res.status, 502);
    assert.equal(r.body.error.code, 'BAD_INCIDENTS');
    assert.match(r.body.error.message, /schema/);
    const good = incident('c1', 'S3', '2026-11-24T07:45:00-05:00', null);
    writeFileSync(join(dir, 'incidents.json'), doc([good]));
    r = await get(`${url}/api/v1/incidents`);
    assert.equal(r.res.status, 200);
    assert.deepEqual(r.body.incidents.map((/** @type {any} */ i) => [i.id, i.lanes]), [['c1', 4]]);
    // lanes blocked beyond the lanes there: refused, the good document stays in service
    writeFileSync(join(dir, 'incidents.json'), doc([{ ...good, lanes_blocked: 7 }]));
    r = await get(`${url}/api/v1/incidents`);
    assert.equal(r.res.status, 200);
    assert.equal(r.body.incidents[0].lanes_blocked, 2);
    const h = (await get(`${url}/healthz`)).body;
    assert.equal(h.incidents.rejected, 2);
    assert.equal(h.incidents.accepted, 1);
    assert.equal(h.incidents.last_error.code, 'E_RANGE');
    assert.equal(h.files_rejected, 0, 'incidents.json is not read as a snapshot');
  } finally {
    await app.close();
  }
});

test('relay: relays a flowcast upstream\'s incidents as accepted; a static upstream\'s bad document is refused', async () => {
  const up = await listen({ dataset: writeDataset(join(tmp, 'ds-up'), RECORDING), start_ms: Date.now() });
  const relay = await listen({ upstream: up.url, poll_ms: 100, log_dir: join(tmp, 'relay-log') });
  try {
    const want = await (await fetch(`${up.url}/api/v1/incidents`)).text();
    await until(async () => (await fetch(`${relay.url}/api/v1/incidents`)).status === 200, 'relayed incidents');
    assert.equal(await (await fetch(`${relay.url}/api/v1/incidents`)).text(), want);
  } finally {
    await relay.app.close();
    await up.app.close();
  }
  // a static feed: latest.json with network.json and incidents.json beside it
  const files = /** @type {Record<string, string>} */ ({
    '/feed/network.json': JSON.stringify(network()),
    '/feed/latest.json': JSON.stringify({ schema: 'flowcast.snapshot/1', network: 'test-net', ts: new Date(Math.floor(Date.now() / 300000) * 300000).toISOString(), readings: [] }),
    '/feed/incidents.json': JSON.stringify({ ...RECORDING, incidents: [incident('x', 'S0', '2026-01-06T07:30:00-05:00', 'tomorrow')] }),
  });
  const server = createServer((req, res) => {
    const body = files[/** @type {string} */ (req.url)];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(null)));
  const port = /** @type {any} */ (server.address()).port;
  const relay2 = await listen({ upstream: `http://127.0.0.1:${port}/feed/latest.json`, poll_ms: 100, log_dir: join(tmp, 'relay-log-2') });
  try {
    await until(async () => (await get(`${relay2.url}/healthz`)).body.incidents.rejected > 0, 'a refusal');
    const { res, body } = await get(`${relay2.url}/api/v1/incidents`);
    assert.equal(res.status, 502);
    assert.equal(body.error.code, 'BAD_INCIDENTS');
    assert.match(body.error.message, /incidents\[0\]\.end/);
    assert.equal((await get(`${relay2.url}/healthz`)).body.incidents.last_error.code, 'E_TIMESTAMP');
  } finally {
    await relay2.app.close();
    server.close();
  }
});

