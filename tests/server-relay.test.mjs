// The relay against upstreams an operator does not control (issue 19): a chunked body far over
// the 128 MiB cap is refused while it is read (the upstream is cut off near the cap instead of
// being read whole into memory); a catch-up page sent newest first loses nothing; a snapshot
// further ahead than --max-ahead-s is refused and /healthz says degraded, with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { buildServer } from '../web/server/server.js';
import { until } from './fixtures/wait.mjs';

const NETWORK = JSON.stringify({
  schema: 'flowcast.network/1', id: 'relay-net', timezone: 'America/New_York', interval_s: 300,
  sensors: [{ id: 'S0', lat: 33.7, lon: -84.4, road: 'I-75', direction: 'NB', milepost: 1, lanes: 4, speed_limit_mph: 65 }],
});
const SLOT = 300000;
const CAP = 128 * 1024 * 1024;

/** @param {number} ms @param {number} speed */
const snapshot = (ms, speed) => JSON.stringify({ schema: 'flowcast.snapshot/1', network: 'relay-net', ts: new Date(ms).toISOString().replace('.000Z', 'Z'), readings: [{ id: 'S0', speed_mph: speed }] });

/**
 * A fake flowcast upstream: the network, and catch-up pages from `snapshots()`.
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean} [special] answers a request itself when it returns true
 * @param {() => string[]} [snapshots]
 */
async function upstream(special, snapshots = () => []) {
  const srv = createServer((req, res) => {
    if (special?.(req, res)) return;
    if (req.url?.startsWith('/api/v1/network')) return res.end(NETWORK);
    if (req.url?.startsWith('/api/v1/snapshots')) return res.end(`{"snapshots":[${snapshots().join(',')}],"more":false}`);
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', () => r(null)));
  return { url: `http://127.0.0.1:${/** @type {any} */ (srv.address()).port}/`, close: () => new Promise((r) => srv.close(r)) };
}

/** @param {object} opts */
async function relay(opts) {
  const app = await buildServer({ log_dir: null, public: null, rate_limit: 0, poll_ms: 200, max_backoff_ms: 400, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${/** @type {any} */ (app.server.address()).port}` };
}

test('a chunked upstream body over the cap is refused while it is read, not after', async () => {
  let written = 0;
  let ended = false;
  const chunk = Buffer.alloc(1 << 20, 0x20); // spaces: valid JSON whitespace, never ending
  const up = await upstream((req, res) => {
    if (!req.url?.startsWith('/api/v1/snapshots')) return false;
    res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: chunked
    res.write('{"snapshots":[');
    const pump = () => {
      while (!ended && written < 600 * (1 << 20)) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { ended = true; });
    pump();
    return true;
  });
  const r = await relay({ upstream: up.url, timeout_ms: 60000 });
  try {
    await until(() => ended, 60000, 'the relay to cut the upstream off');
    const h = await (await fetch(`${r.url}/healthz`)).json();
    assert.equal(h.status, 'degraded');
    assert.match(h.upstream.last_error, /too large/);
    // cut off near the cap (plus what the sockets held), not after reading all 600 MB
    assert.ok(written < CAP + 64 * (1 << 20), `the upstream wrote ${Math.round(written / (1 << 20))} MiB before the relay gave up`);
  } finally {
    await r.app.close();
    await up.close();
  }
});

test('a catch-up page newest first: every snapshot kept, in order', async () => {
  const now = Math.floor(Date.now() / SLOT) * SLOT;
  const ts = [5, 4, 3, 2, 1, 0].map((k) => now - k * SLOT);
  const texts = ts.map((t, i) => snapshot(t, 40 + i));
  const up = await upstream(undefined, () => [...texts].reverse()); // newest first
  const r = await relay({ upstream: up.url });
  try {
    await until(() => /** @type {any} */ (r.app).flowcast.source.store?.latest()?.ts_ms === now, 10000, 'the newest snapshot');
    const since = new Date(now - 6 * SLOT).toISOString();
    const page = await (await fetch(`${r.url}/api/v1/snapshots?since=${since}`)).json();
    assert.deepEqual(page.snapshots.map((/** @type {any} */ s) => Date.parse(s.ts)), ts, 'all six, oldest first');
    const h = await (await fetch(`${r.url}/healthz`)).json();
    assert.equal(h.status, 'ok');
    assert.equal(h.upstream.accepted, 6);
  } finally {
    await r.app.close();
    await up.close();
  }
});

test('a snapshot further ahead than --max-ahead-s is refused: degraded, with the reason', async () => {
  const now = Math.floor(Date.now() / SLOT) * SLOT;
  const good = snapshot(now - SLOT, 50);
  const ahead = snapshot(now + 2 * SLOT, 55); // 10 min ahead
  const up = await upstream(undefined, () => [good, ahead]);
  const r = await relay({ upstream: up.url, max_ahead_s: 300 });
  try {
    await until(() => /** @type {any} */ (r.app).flowcast.source.store?.latest() != null, 10000, 'the good snapshot');
    await until(() => /** @type {any} */ (r.app).flowcast.source.health().detail.upstream.failures > 0, 10000, 'the refusal');
    const h = await (await fetch(`${r.url}/healthz`)).json();
    assert.equal(h.status, 'degraded');
    assert.match(h.upstream.last_error, /ahead of this server's clock/);
    assert.equal(Date.parse(h.latest_ts), now - SLOT, 'the far-future snapshot did not become the latest');
  } finally {
    await r.app.close();
    await up.close();
  }
});

test('a running relay adopts its upstream\'s new network: a new version at the next check, history kept where sensors persist; a new id at once', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const now = Math.floor(Date.now() / SLOT) * SLOT;
  const sensor = (/** @type {string} */ id, /** @type {number} */ mp) => ({ id, lat: 33.7 + mp / 100, lon: -84.4, road: 'I-75', direction: 'NB', milepost: mp, lanes: 4, speed_limit_mph: 65 });
  const net = (/** @type {string} */ id, /** @type {string[]} */ ids) => JSON.stringify({ schema: 'flowcast.network/1', id, timezone: 'America/New_York', interval_s: 300, sensors: ids.map((s, i) => sensor(s, i + 1)) });
  const snap = (/** @type {string} */ id, /** @type {number} */ ms, /** @type {Record<string, number>} */ speeds) => JSON.stringify({
    schema: 'flowcast.snapshot/1', network: id, ts: new Date(ms).toISOString().replace('.000Z', 'Z'),
    readings: Object.entries(speeds).map(([s, v]) => ({ id: s, speed_mph: v })),
  });
  /** what the upstream serves now */
  const up = { network: net('relay-net', ['S0']), snapshots: [snap('relay-net', now - 2 * SLOT, { S0: 50 }), snap('relay-net', now - SLOT, { S0: 51 })] };
  const srv = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/network')) return res.end(up.network);
    if (req.url?.startsWith('/api/v1/snapshots')) {
      const since = Date.parse(new URL(req.url, 'http://x').searchParams.get('since') ?? '');
      return res.end(`{"snapshots":[${up.snapshots.filter((t) => Date.parse(JSON.parse(t).ts) > since).join(',')}],"more":false}`);
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', () => r(null)));
  const upUrl = `http://127.0.0.1:${/** @type {any} */ (srv.address()).port}/`;
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-relay-adopt-'));
  const r = await relay({ upstream: upUrl, log_dir: dir, network_check_ms: 1000 });
  const get = async (/** @type {string} */ p) => (await fetch(`${r.url}${p}`)).json();
  try {
    await until(async () => (await get('/api/v1/snapshot/latest')).readings?.[0]?.speed_mph === 51, 10000, 'the first network\'s snapshots');
    // a new version of the same network: a second sensor; its snapshots name it
    // (a snapshot the relay takes before its next look at the network keeps the known sensors)
    up.network = net('relay-net', ['S0', 'S1']);
    up.snapshots.push(snap('relay-net', now, { S0: 60, S1: 61 }));
    await until(async () => (await get('/api/v1/network')).sensors?.length === 2, 10000, 'the new version adopted');
    up.snapshots.push(snap('relay-net', now + SLOT, { S0: 62, S1: 63 }));
    await until(async () => (await get('/api/v1/snapshot/latest')).readings?.find((/** @type {any} */ x) => x.id === 'S1')?.speed_mph === 63, 10000, 'the new sensor served');
    const since = new Date(now - 3 * SLOT).toISOString();
    const all = await get(`/api/v1/snapshots?since=${encodeURIComponent(since)}`);
    assert.deepEqual(all.snapshots.map((/** @type {any} */ s) => s.readings.find((/** @type {any} */ x) => x.id === 'S0').speed_mph), [50, 51, 60, 62], 'the history of the sensor that persists is kept');
    // a new id: its snapshot is refused as another network's, and the network is looked at again at once
    up.network = net('relay-net-2', ['S0', 'S1']);
    up.snapshots.push(snap('relay-net-2', now + 2 * SLOT, { S0: 70, S1: 71 }));
    await until(async () => (await get('/api/v1/network')).id === 'relay-net-2', 10000, 'the new network adopted');
    await until(async () => (await get('/api/v1/snapshot/latest')).readings?.[0]?.speed_mph === 70, 10000, 'its snapshots served');
  } finally {
    await r.app.close();
    await new Promise((res) => srv.close(res));
    rmSync(dir, { recursive: true, force: true });
  }
});
