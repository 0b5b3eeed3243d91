// The feed server resists abuse: per-address rate limit on the API, event-stream limits per
// client and in all, body and header sizes, timeouts, static files that cannot escape their
// root (encoded, double-encoded, backslashes, symlinks), security headers and CSP, CORS where
// embedding needs it; and in Chromium, the real page and the embed element under that CSP, the
// element loaded by a partner page on another origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { buildServer } from '../web/server/server.js';
import { CHROMIUM, launchChromium } from './fixtures/browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'TOP-SECRET-outside-public';
let tmp = '';
let publicDir = '';
let dirFeed = '';

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'flowcast-security-'));
  publicDir = join(tmp, 'public');
  mkdirSync(join(publicDir, 'js'), { recursive: true });
  mkdirSync(join(publicDir, 'vendor', 'leaflet'), { recursive: true });
  writeFileSync(join(publicDir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="js/a.js"></script>');
  writeFileSync(join(publicDir, 'embed.html'), '<!doctype html><style>body{margin:0}</style><script type="module">import "./js/a.js";</script>');
  writeFileSync(join(publicDir, 'js', 'a.js'), 'export const a = 1;\n');
  writeFileSync(join(publicDir, 'vendor', 'leaflet', 'leaflet.js'), 'var L = {};\n');
  writeFileSync(join(publicDir, 'flowcast.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(tmp, 'secret.txt'), SECRET);
  mkdirSync(join(tmp, 'outside'));
  writeFileSync(join(tmp, 'outside', 'secret.txt'), SECRET);
  symlinkSync(join(tmp, 'secret.txt'), join(publicDir, 'link.txt'));
  symlinkSync(join(tmp, 'outside'), join(publicDir, 'linkdir'));
  symlinkSync('../secret.txt', join(publicDir, 'js', 'rel.js'));
  // dotfiles a deployment's public/ may hold
  mkdirSync(join(publicDir, '.git'));
  writeFileSync(join(publicDir, '.git', 'config'), SECRET);
  writeFileSync(join(publicDir, '.env'), SECRET);
  writeFileSync(join(publicDir, 'js', '.hidden'), SECRET);
  // A directory feed with one snapshot, for the API routes.
  dirFeed = join(tmp, 'feed');
  mkdirSync(dirFeed);
  writeFileSync(join(dirFeed, 'network.json'), JSON.stringify({
    schema: 'flowcast.network/1', id: 'sec-net', timezone: 'America/New_York', interval_s: 300,
    // a complete sensor: the server validates networks with the engine (docs/FORMATS.md)
    sensors: [{ id: 'S0', lat: 33.7, lon: -84.4, road: 'I-75', direction: 'NB', milepost: 1, lanes: 4, speed_limit_mph: 65 }],
  }));
  writeFileSync(join(dirFeed, 's.json'), JSON.stringify({ schema: 'flowcast.snapshot/1', network: 'sec-net', ts: '2026-11-24T08:00:00-05:00', readings: [{ id: 'S0', speed_mph: 50 }] }));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function listen(opts = {}) {
  const app = await buildServer({ dir: dirFeed, log_dir: null, public: publicDir, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: app.server.address().port, url: `http://127.0.0.1:${app.server.address().port}` };
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** A GET with the request target sent exactly as given (fetch would normalise "../"). */
function rawGet(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An event stream that stays open until closed; resolves once the status is known. */
async function openStream(url, headers = {}) {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/v1/stream`, { headers, signal: ctl.signal });
  if (res.status !== 200) return { res, body: await res.json(), close: async () => {} };
  const reader = res.body.getReader();
  reader.read().catch(() => {});
  return { res, body: null, close: async () => { ctl.abort(); await sleep(30); } };
}

test('rate limit: per address on /api/, 429 RATE_LIMITED JSON with Retry-After; healthz and static files are not limited', async () => {
  const { app, url } = await listen({ rate_limit: 5 });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${url}/api/v1/snapshot/latest`)).status, 200);
    const r = await fetch(`${url}/api/v1/network`, { headers: { origin: 'https://partner.example' } });
    assert.equal(r.status, 429);
    const body = await r.json();
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', 'partners can read the error');
    assert.equal(r.headers.get('x-ratelimit-limit'), '5');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/js/a.js`)).status, 200);
  } finally {
    await app.close();
  }
  const off = await listen({ rate_limit: 0 });
  try {
    for (let i = 0; i < 30; i++) assert.equal((await fetch(`${off.url}/api/v1/snapshot/latest`)).status, 200);
  } finally {
    await off.app.close();
  }
});

test('event streams: at most N per client address (429) and M in all (503), freed when they close', async () => {
  const { app, url } = await listen({ sse_per_ip: 2, sse_max: 3, trust_proxy: true, rate_limit: 0 });
  const as = (/** @type {string} */ ip) => ({ 'x-forwarded-for': ip });
  try {
    const a1 = await openStream(url, as('10.0.0.1'));
    const a2 = await openStream(url, as('10.0.0.1'));
    assert.equal(a1.res.status, 200);
    assert.equal(a2.res.status, 200);
    const a3 = await openStream(url, as('10.0.0.1'));
    assert.equal(a3.res.status, 429);
    assert.equal(a3.body.error.code, 'TOO_MANY_STREAMS');
    assert.ok(a3.res.headers.get('retry-after'));
    const b1 = await openStream(url, as('10.0.0.2'));
    assert.equal(b1.res.status, 200, 'another address still gets one');
    const c1 = await openStream(url, as('10.0.0.3'));
    assert.equal(c1.res.status, 503);
    assert.equal(c1.body.error.code, 'STREAMS_FULL');
    assert.equal((await (await fetch(`${url}/healthz`)).json()).sse_clients, 3);
    await a1.close();
    const a4 = await openStream(url, as('10.0.0.1'));
    assert.equal(a4.res.status, 200, 'a closed stream frees its place');
    for (const s of [a2, a4, b1]) await s.close();
  } finally {
    await app.close();
  }
});

test('sizes: request body over 16 KiB -> 413, headers over 16 KiB -> 431, query ranges -> 400', async () => {
  const { app, port, url } = await listen({ rate_limit: 0 });
  try {
    const r = await fetch(`${url}/api/v1/network`, { method: 'POST', body: 'x'.repeat(20000), headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 413);
    assert.equal((await r.json()).error.code, 'BODY_TOO_LARGE');
    const big = await rawGet(port, '/api/v1/network', { 'x-big': 'a'.repeat(20000) });
    assert.equal(big.status, 431);
    for (const [q, code] of [['snapshots?since=2026-01-01T00:00:00Z&limit=0', 'BAD_LIMIT'], ['snapshots?since=2026-01-01T00:00:00Z&limit=2017', 'BAD_LIMIT'],
      ['history?hours=0', 'BAD_HOURS'], ['history?hours=673', 'BAD_HOURS'], [`history?hours=${'1'.repeat(300)}`, 'QUERY_TOO_LONG']]) {
      const e = await fetch(`${url}/api/v1/${q}`);
      assert.equal(e.status, 400, q);
      assert.equal((await e.json()).error.code, code, q);
    }
    assert.equal((await fetch(`${url}/api/v1/snapshot/latest`)).status, 200, 'still serving');
  } finally {
    await app.close();
  }
});

test('timeouts: slow headers get 408 and the socket closed; idle sockets close; event streams stay open', async () => {
  const { app, port, url } = await listen({ headers_timeout_ms: 300, request_timeout_ms: 300, connection_timeout_ms: 400, heartbeat_ms: 60000, rate_limit: 0 });
  /** Opens a socket, optionally writes, resolves with what came back and when it closed. */
  const hold = (/** @type {string} */ text) => new Promise((resolve) => {
    const t0 = Date.now();
    let got = '';
    const sock = connect(port, '127.0.0.1', () => { if (text) sock.write(text); });
    sock.on('data', (d) => { got += d; });
    sock.on('error', () => {});
    sock.on('close', () => resolve({ got, ms: Date.now() - t0 }));
    setTimeout(() => sock.destroy(), 5000);
  });
  try {
    const slow = await hold('GET /api/v1/network HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    assert.ok(slow.ms < 3000, `closed after ${slow.ms} ms`);
    assert.match(slow.got, /^HTTP\/1\.1 408/);
    const idle = await hold('');
    assert.ok(idle.ms < 3000, `idle socket closed after ${idle.ms} ms`);
    const s = await openStream(url);
    assert.equal(s.res.status, 200);
    await sleep(1200);
    assert.equal((await (await fetch(`${url}/healthz`)).json()).sse_clients, 1, 'the stream outlived the idle timeout');
    await s.close();
  } finally {
    await app.close();
  }
});

test('static files cannot escape public/: "..", encoded, double-encoded, backslashes, symlinks', async () => {
  const { app, port } = await listen();
  try {
    assert.equal((await rawGet(port, '/js/a.js')).status, 200, 'a file inside is served');
    const attempts = [
      '/../secret.txt', '/js/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/js/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/.%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/%252e%252e%252fsecret.txt', '/js/%252e%252e%252f%252e%252e%252fsecret.txt',
      '/..%5csecret.txt', '/..\\secret.txt', '/js\\..\\..\\secret.txt', '/%2e%2e%5c%2e%2e%5csecret.txt', '/%c0%ae%c0%ae/secret.txt',
      '/secret.txt%00.html', '/link.txt', '/linkdir/secret.txt', '/js/rel.js', '/%6c%69%6e%6b.txt', '//secret.txt', `/${tmp}/secret.txt`,
    ];
    for (const path of attempts) {
      const r = await rawGet(port, path);
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${path} leaked the file outside public/`);
    }
  } finally {
    await app.close();
  }
});

test('headers: CSP, nosniff and Referrer-Policy on pages; CORS + CORP on the API and the embed\'s module, worker and wasm only', async () => {
  const { app, url } = await listen({ rate_limit: 0 });
  const origin = { origin: 'https://partner.example' };
  try {
    const page = await fetch(`${url}/`, { headers: origin });
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], ["'self'", "'wasm-unsafe-eval'"], 'no inline script, no eval');
    assert.deepEqual(directives['style-src'], ["'self'"]);
    assert.deepEqual(directives['img-src'], ["'self'", 'data:', 'https://*.tile.openstreetmap.org']);
    assert.deepEqual(directives['connect-src'], ["'self'"]);
    assert.deepEqual(directives['worker-src'], ["'self'"]);
    assert.deepEqual(directives['frame-ancestors'], ["'self'"]);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    assert.equal(page.headers.get('access-control-allow-origin'), null, 'pages are not CORS resources');

    // embed.html: its own inline blocks by hash, and it may be framed anywhere.
    const embed = await fetch(`${url}/embed.html`);
    const ecsp = embed.headers.get('content-security-policy') ?? '';
    assert.match(ecsp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]{44}'/);
    assert.match(ecsp, /style-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'/);
    assert.doesNotMatch(ecsp, /frame-ancestors|unsafe-inline/);

    for (const p of ['/js/a.js', '/flowcast.wasm', '/vendor/leaflet/leaflet.js', '/api/v1/network', '/api/v1/snapshot/latest']) {
      const r = await fetch(`${url}${p}`, { headers: origin });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', p);
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin', p);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
    }
    assert.equal((await fetch(`${url}/flowcast.wasm`)).headers.get('content-type'), 'application/wasm');
    assert.equal((await fetch(`${url}/healthz`, { headers: origin })).headers.get('access-control-allow-origin'), null);
  } finally {
    await app.close();
  }
  // Another tile server: the CSP follows.
  const other = await listen({ tiles: 'https://tiles.example.net/{z}/{x}/{y}.png' });
  try {
    assert.match((await fetch(`${other.url}/`)).headers.get('content-security-policy') ?? '', /img-src 'self' data: https:\/\/tiles\.example\.net;/);
  } finally {
    await other.app.close();
  }
});

/** `n` GETs of the API from 127.0.0.1, the i-th with the X-Forwarded-For `xff(i)`; their statuses. */
async function statuses(url, n, xff) {
  const out = [];
  for (let i = 0; i < n; i++) out.push((await fetch(`${url}/api/v1/network`, { headers: { 'x-forwarded-for': xff(i) } })).status);
  return out;
}

test('proxy trust: behind one appending proxy a client cannot pick its address with its own X-Forwarded-For', async () => {
  // The proxy (127.0.0.1) appends the address it saw; the client wrote a new first entry each time.
  const spoofed = (/** @type {number} */ i) => `198.51.100.${i + 1}, 203.0.113.7`;
  // true is what a bare --trust-proxy gave buildServer(): it must mean one hop, not every hop
  for (const trust_proxy of [true, 1, '1']) {
    const { app, url } = await listen({ rate_limit: 5, trust_proxy });
    try {
      assert.deepEqual(await statuses(url, 8, spoofed), [200, 200, 200, 200, 200, 429, 429, 429], `trust_proxy ${trust_proxy}`);
      assert.equal((await statuses(url, 1, () => '203.0.113.8'))[0], 200, 'another client behind the proxy has its own budget');
    } finally {
      await app.close();
    }
  }
  // the event-stream limit counts the same address
  const { app, url } = await listen({ sse_per_ip: 1, trust_proxy: 1, rate_limit: 0 });
  try {
    const a = await openStream(url, { 'x-forwarded-for': spoofed(0) });
    assert.equal(a.res.status, 200);
    const b = await openStream(url, { 'x-forwarded-for': spoofed(1) });
    assert.equal(b.res.status, 429, 'a second stream under a new spoofed entry');
    await a.close();
  } finally {
    await app.close();
  }
});

test('proxy trust: with an address list only a listed proxy\'s X-Forwarded-For is believed', async () => {
  // 127.0.0.1 is not a listed proxy: its X-Forwarded-For is ignored, every request is 127.0.0.1's.
  const notListed = await listen({ rate_limit: 5, trust_proxy: '10.0.0.0/8' });
  try {
    assert.deepEqual(await statuses(notListed.url, 6, (i) => `203.0.113.${i + 1}`), [200, 200, 200, 200, 200, 429]);
  } finally {
    await notListed.app.close();
  }
  // 127.0.0.1 listed (and a 10/8 proxy behind it): entries are believed from the right while listed
  const listed = await listen({ rate_limit: 5, trust_proxy: '10.0.0.0/8, 127.0.0.1' });
  try {
    assert.deepEqual(await statuses(listed.url, 6, (i) => `198.51.100.${i + 1}, 203.0.113.7, 10.1.2.3`), [200, 200, 200, 200, 200, 429]);
    assert.deepEqual(await statuses(listed.url, 2, (i) => `203.0.113.${i + 20}`), [200, 200], 'each real client has its own budget');
  } finally {
    await listed.app.close();
  }
  await assert.rejects(buildServer({ dir: dirFeed, log_dir: null, public: null, trust_proxy: 'not-an-address' }));
});

test('proxy trust on the command line: a bare --trust-proxy is 1 hop; N hops; an address list', async () => {
  // imported here so that the other tests still run against a server without it
  const { parseCommandLine } = await import('../web/server/cli.js');
  const trust = (/** @type {string[]} */ argv) => parseCommandLine([...argv, '--dir', dirFeed])?.opts.trust_proxy;
  assert.equal(trust([]), false);
  assert.equal(trust(['--trust-proxy']), 1);
  assert.equal(trust(['--trust-proxy', '--rate-limit', '5']), 1);
  assert.equal(trust(['--trust-proxy', '2']), 2);
  assert.equal(trust(['--trust-proxy=0']), false);
  assert.equal(trust(['--trust-proxy', '10.0.0.0/8,127.0.0.1']), '10.0.0.0/8,127.0.0.1');
  assert.equal(trust(['--trust-proxy=loopback']), 'loopback');
  assert.throws(() => trust(['--trust-proxy', 'all']), /--trust-proxy/);
  assert.equal(parseCommandLine(['--health-detail'])?.opts.health_detail, true);
});

test('dotfiles under public/ are not served: 404 like a missing file', async () => {
  const { app, port } = await listen();
  try {
    for (const path of ['/.git/config', '/.env', '/js/.hidden', '/%2eenv', '/js/%2Ehidden', '/.git/', '/js/./.hidden']) {
      const r = await rawGet(port, path);
      assert.ok(r.status === 404 || r.status === 403, `${path}: ${r.status}`);
      assert.ok(!r.body.includes(SECRET), `${path} served a dotfile`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
    }
    assert.equal((await rawGet(port, '/.env')).status, 404);
    assert.equal(JSON.parse((await rawGet(port, '/.git/config')).body).error.code, 'NOT_FOUND');
    assert.equal((await rawGet(port, '/js/a.js')).status, 200);
  } finally {
    await app.close();
  }
});

test('/healthz names no secret and no path on disk unless --health-detail', async () => {
  const upstream = createServer((req, res) => { res.statusCode = 500; res.end('down'); });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const feedUrl = `http://127.0.0.1:${upstream.address().port}/feed/latest.json`;
  const logs = join(tmp, 'health-logs');
  try {
    const relay = await listen({ dir: undefined, upstream: `${feedUrl}?api_key=SEKRIT`, log_dir: join(logs, 'relay'), poll_ms: 60000, max_backoff_ms: 60000 });
    try {
      const text = await (await fetch(`${relay.url}/healthz`)).text();
      const h = JSON.parse(text);
      assert.equal(h.upstream.url, feedUrl, 'no query string');
      assert.ok(h.upstream.last_error, 'the failed poll is reported');
      assert.doesNotMatch(text, /SEKRIT|api_key/);
      assert.ok(!text.includes(tmp), `no absolute path: ${text}`);
    } finally {
      await relay.app.close();
    }
    const dir = await listen({ log_dir: join(logs, 'dir') });
    try {
      const text = await (await fetch(`${dir.url}/healthz`)).text();
      const h = JSON.parse(text);
      assert.equal(h.dir, 'feed');
      assert.equal(h.log.path.includes('/'), false, `log as a name: ${h.log.path}`);
      assert.ok(!text.includes(tmp), `no absolute path: ${text}`);
    } finally {
      await dir.app.close();
    }
    const detailed = await listen({ dir: undefined, upstream: `${feedUrl}?api_key=SEKRIT`, log_dir: join(logs, 'relay'), poll_ms: 60000, max_backoff_ms: 60000, health_detail: true });
    try {
      const h = await (await fetch(`${detailed.url}/healthz`)).json();
      assert.equal(h.upstream.url, `${feedUrl}?api_key=SEKRIT`, 'the operator view is complete');
    } finally {
      await detailed.app.close();
    }
  } finally {
    await new Promise((r) => upstream.close(r));
  }
});

test('one error shape with the security headers: malformed URLs, API 404s with CORS and under the rate limit', async () => {
  const { app, port, url } = await listen({ rate_limit: 3 });
  const origin = { origin: 'https://partner.example' };
  try {
    for (const path of ['/%', '/js/%zz', '/api/v1/%']) {
      const r = await rawGet(port, path, origin);
      assert.equal(r.status, 400, path);
      assert.deepEqual(Object.keys(JSON.parse(r.body)), ['error'], `${path}: ${r.body}`);
      assert.equal(JSON.parse(r.body).error.code, 'BAD_URL', path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.headers['referrer-policy'], 'strict-origin-when-cross-origin', path);
      assert.equal(r.headers['access-control-allow-origin'], path.startsWith('/api/') ? '*' : undefined, path);
    }
    const statusesOf404 = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${url}/api/v1/no-such-route-${i}`, { headers: origin });
      statusesOf404.push(r.status);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', 'a partner page can read the 404');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      if (r.status === 404) assert.equal((await r.json()).error.code, 'NOT_FOUND');
    }
    assert.deepEqual(statusesOf404, [404, 404, 404, 429], 'unknown API paths count against the rate limit');
    assert.equal((await fetch(`${url}/api/v1/nope`, { method: 'POST', headers: origin })).status, 404, 'POST to an unknown API path: 404, not 405');
  } finally {
    await app.close();
  }
});

// ---- the real page in Chromium, under the CSP ----

const SIM = join(ROOT, 'build/native/bin/flowcast-sim');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed` : !existsSync(SIM) ? `${SIM} is not built (./build.sh)`
  : !existsSync(join(ROOT, 'public/flowcast.wasm')) ? 'public/ is not built (./build.sh)' : false;

test('browser: the app and embed.html run with no CSP violation; a partner page on another origin loads <flowcast-map>', { skip }, async () => {
  const dataset = join(tmp, 'atlanta');
  const sim = spawnSync(SIM, ['--out', dataset, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const app = await buildServer({ dataset, speed: 120, start_ms: Date.parse('2026-11-24T07:45:00-05:00'), public: join(ROOT, 'public') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const feed = `http://127.0.0.1:${app.server.address().port}`;
  // The partner: another origin (another port) that only serves its own page.
  const partner = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><div style="width:400px;height:300px"><flowcast-map id="m" corridor="I-285"></flowcast-map></div>
      <script type="module" src="${feed}/js/flowcast-embed.js"></script>`);
  });
  await new Promise((r) => partner.listen(0, '127.0.0.1', r));
  const partnerUrl = `http://localhost:${partner.address().port}/`;
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext();
    await ctx.route('https://*.tile.openstreetmap.org/**', (r) => r.abort());
    // Violations are reported as events (main thread) and console errors (workers too).
    await ctx.addInitScript(() => {
      /** @type {any} */ (window).__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => (/** @type {any} */ (window)).__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await ctx.newPage();
    /** @type {string[]} */
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|CORS|blocked/i.test(m.text()) && !/tile\.openstreetmap/.test(m.text())) errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${feed}/`);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
    assert.deepEqual(await page.evaluate(() => (/** @type {any} */ (window)).__csp), [], 'the app under its CSP');

    await page.goto(`${feed}/embed.html?corridor=I75-SB&horizon=30`);
    await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
    assert.deepEqual(await page.evaluate(() => (/** @type {any} */ (window)).__csp), [], 'embed.html under its CSP');

    await page.goto(partnerUrl);
    await page.waitForSelector('#m[data-ready="forecast"]', { timeout: 30000 });
    const lines = await page.evaluate(() => document.getElementById('m')?.shadowRoot?.querySelectorAll('line').length);
    assert.ok(Number(lines) > 100, `the element drew the I-285 loop (${lines} lines)`);
    assert.deepEqual(errors, []);
    await ctx.close();
  } finally {
    await browser.close();
    await app.close();
    await new Promise((r) => partner.close(r));
  }
});
