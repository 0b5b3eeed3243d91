// The page under faults, in a real browser: Debian's Chromium (playwright-core) loads public/ from
// a real feed server replaying a small simulated dataset on an accelerated clock. Once the page
// shows forecasts, playwright's page.route() breaks the feed API (5xx, invalid JSON, a snapshot
// for another network, answers that never come) and the server is restarted so that the open
// event stream drops and the engine worker has to reconnect through the broken routes. For each
// fault the page keeps the last good forecasts drawn, says what is wrong in the status line,
// retries with backoff, and recovers by itself once the route is removed.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SIM, SPEED, START, browserSkip, launchChromium, segmentStrokes } from './fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';

const root = ROOT;
const skip = browserSkip;
const TILES = 'https://*.tile.openstreetmap.org/**';
/** Browser messages that are expected: blocked tiles, the server restarted, broken routes. */
const EXPECTED = /net::ERR_FAILED|net::ERR_CONNECTION_REFUSED|Failed to load resource|snapshot rejected/;
/** The live part of the API: what the worker asks for after start-up. */
const LIVE = (/** @type {URL} */ u) => /\/api\/v1\/(snapshots|snapshot\/latest|stream)\b/.test(u.pathname);

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {any} */
let app;
let port = 0;
let dir = '';
/** @type {import('playwright-core').Page} */
let page;
/** @type {string[]} */
const errors = [];

/** @param {number} start_ms */
async function startServer(start_ms) {
  app = await buildServer({ dataset: dir, speed: SPEED, start_ms, public: join(root, 'public') });
  await app.listen({ port, host: '127.0.0.1' });
  port = app.server.address().port;
}

/** Restarts the server where its clock would be: the page's open event stream drops. */
async function restartServer() {
  const at = app.flowcast.source.now();
  const t0 = Date.now();
  await app.close();
  await startServer(at + (Date.now() - t0) * SPEED);
}

before(async () => {
  if (skip) return;
  dir = join(mkdtempSync(join(tmpdir(), 'flowcast-faults-')), 'atlanta');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  await startServer(START);
  browser = await launchChromium();
});

/**
 * A page of its own for each fault: one fault's backoff and retry timers must not carry into
 * the next one's timing assertions (a page shared by the fault tests failed them now and then
 * in full runs).
 */
async function freshPage() {
  await page?.context().close();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && !EXPECTED.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(TILES, (r) => r.abort());
  await page.goto(`http://127.0.0.1:${port}/?retry=300&timeout=2000`);
  await page.waitForSelector('html[data-ready="forecast"]', { timeout: 20000 });
}

after(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** @returns {Promise<number>} the feed time shown, minutes since midnight */
async function shown() {
  const text = await page.textContent('#updated') ?? '';
  const m = /Updated (\d\d):(\d\d)/.exec(text);
  assert.ok(m, `status "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Breaks the live API with `handler`, drops the stream, checks the page under the fault, then
 * removes the route and checks the recovery.
 * @param {(route: import('playwright-core').Route, request: import('playwright-core').Request) => Promise<void>} handler
 * @param {RegExp} detail what the status line must say besides "Feed unreachable"
 * @param {number} attempts catch-up requests to see (and their spacing to grow)
 */
async function underFault(handler, detail, attempts) {
  await freshPage();
  await page.waitForFunction(() => document.documentElement.dataset.feed === 'live', null, { timeout: 15000 });
  /** @type {number[]} */
  const catchUps = [];
  const routed = async (/** @type {import('playwright-core').Route} */ route, /** @type {import('playwright-core').Request} */ req) => {
    if (new URL(req.url()).pathname.endsWith('/snapshots')) catchUps.push(Date.now());
    await handler(route, req);
  };
  await page.route(LIVE, routed);
  await restartServer();
  const status = page.locator('#status[role="status"]');
  const stale = page.locator('#stale');
  // generous: on a loaded 2-core CI machine the dropped stream can take a while to be noticed
  await stale.waitFor({ state: 'visible', timeout: 30000 });
  await page.waitForFunction(() => /Last error/.test(document.getElementById('feed-detail')?.textContent ?? ''), null, { timeout: 30000 });
  const before = await shown();
  const drawn = await segmentStrokes(page);
  assert.ok(drawn.length > 0 && drawn.every((c) => /^#[0-9a-f]{6}$/.test(c ?? '')), 'every segment coloured');

  // retries with growing delays, the forecasts stay drawn and the status line says what is wrong
  const deadline = Date.now() + 15000;
  while (catchUps.length < attempts && Date.now() < deadline) await page.waitForTimeout(100);
  assert.ok(catchUps.length >= attempts, `${catchUps.length} catch-up attempts`);
  const gaps = catchUps.slice(1).map((t, i) => t - catchUps[i]);
  assert.ok(gaps.at(-1) > gaps[0], `retry gaps grow: ${gaps.join(', ')} ms`);
  const text = await status.innerText();
  assert.match(text, /Feed unreachable: the data is \d+ (s|min) old\. Retrying automatically…/);
  assert.match(text, detail);
  assert.match(text, /Next attempt in \d+ s\./);
  assert.equal(await shown(), before, 'no newer data shown while the feed is broken');
  assert.deepEqual(await segmentStrokes(page), drawn, 'the last good forecasts stay drawn');
  assert.equal(await page.getAttribute('html', 'data-ready'), 'forecast');
  assert.equal(await page.getAttribute('html', 'data-feed'), 'down');

  // the route goes away: the page catches up by itself
  await page.unroute(LIVE, routed);
  await stale.waitFor({ state: 'hidden', timeout: 15000 });
  await page.waitForFunction(() => document.documentElement.dataset.feed === 'live', null, { timeout: 10000 });
  await page.waitForFunction((t) => {
    const m = /Updated (\d\d):(\d\d)/.exec(document.getElementById('updated')?.textContent ?? '');
    return m && Number(m[1]) * 60 + Number(m[2]) > t;
  }, before, { timeout: 10000 });
  assert.ok(await page.locator('#feed-detail').isHidden(), 'the error detail is gone');
  assert.deepEqual(errors, []);
}

test('the feed answers 503: the error is shown, retried with backoff, recovered', { skip }, async () => {
  await underFault((route) => route.fulfill({ status: 503, body: 'upstream down' }), /Last error: snapshots: HTTP 503\./, 4);
});

test('the feed answers invalid JSON', { skip }, async () => {
  await underFault((route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"snapshots": [ {"ts": tru' }),
    /Last error: snapshots: the feed sent invalid JSON\./, 4);
});

test('the feed sends a snapshot for another network', { skip }, async () => {
  const base = `http://127.0.0.1:${port}/api/v1/`;
  const latest = await (await fetch(`${base}snapshot/latest`)).json();
  // four catch-ups, as the 503 test: with three, the two gaps' nominal delays (600 and 1,200 ms)
  // are 240 ms apart once jittered, and the routed requests' own latency on a loaded machine is
  // larger than that (a full run saw 1,258 then 1,111 ms)
  await underFault(async (route, req) => {
    if (!new URL(req.url()).pathname.endsWith('/snapshots')) return route.fulfill({ status: 503, body: '' });
    // well-formed and newer than anything held, but for another network
    const wrong = { ...latest, network: 'somewhere-else', ts: new Date(Date.parse(latest.ts) + 3600e3).toISOString() };
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ snapshots: [wrong], more: false }) });
  }, /Ignored a snapshot the feed sent \(it was for another network\); showing the last good data/, 4);
});

test('the feed answers too slowly: requests time out and are retried', { skip }, async () => {
  await underFault(async (route) => {
    await new Promise((r) => setTimeout(r, 6000));
    await route.fulfill({ status: 503, body: '' }).catch(() => {}); // the page gave up on it long ago
  }, /Last error: snapshots: no answer in 2 s\./, 3);
});

/**
 * A second page whose engine worker is made to fail; `watchdog` is short so that a silent worker
 * is noticed within the test.
 * @param {(w: import('playwright-core').Worker) => Promise<unknown>} breakIt
 * @param {RegExp} logged the page's console warning naming why it restarted
 */
async function workerRestart(breakIt, logged) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await ctx.newPage();
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const warnings = [];
  p.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
    if (m.type() === 'error' && !EXPECTED.test(m.text()) && !/engine crash test/.test(m.text())) problems.push(m.text());
  });
  p.on('pageerror', (e) => problems.push(e.message));
  await p.route(TILES, (r) => r.abort());
  await p.goto(`http://127.0.0.1:${port}/?retry=300&watchdog=4000`);
  await p.waitForSelector('html[data-ready="forecast"]', { timeout: 20000 });
  // (a loaded machine may stall start-up past the short watchdog: then wait for that restart)
  await p.waitForFunction(() => !document.documentElement.dataset.engine && document.documentElement.dataset.ready === 'forecast', null, { timeout: 30000 });
  const warnedBefore = warnings.length;
  const first = p.workers();
  assert.equal(first.length, 1);
  const drawn = await p.$$eval('path.fc-seg', (ps) => ps.map((e) => e.getAttribute('stroke')));

  await breakIt(first[0]);
  await p.waitForSelector('html[data-engine="restarting"]', { timeout: 10000 });
  assert.match(await p.locator('#status[role="status"]').innerText(), /Restarting the engine…/);
  // the last good data stays drawn meanwhile (a snapshot may have recoloured it just before)
  assert.equal(await p.getAttribute('html', 'data-ready'), 'forecast');
  const during = await p.$$eval('path.fc-seg', (ps) => ps.map((e) => e.getAttribute('stroke')));
  assert.equal(during.length, drawn.length);
  assert.ok(during.every((c) => /^#[0-9a-f]{6}$/.test(c ?? '')), 'every segment still coloured');
  const updatedBefore = await p.textContent('#updated');

  // a new worker rebuilds network, history and model from the server, and the page moves on
  await p.waitForFunction(() => !document.documentElement.dataset.engine, null, { timeout: 30000 });
  assert.doesNotMatch(await p.locator('#status').innerText(), /Restarting/);
  assert.equal(p.workers().length, 1, 'the old worker is gone');
  assert.notEqual(p.workers()[0], first[0]);
  await p.waitForFunction((t) => document.getElementById('updated')?.textContent !== t, updatedBefore, { timeout: 10000 });
  assert.ok(warnings.slice(warnedBefore).some((w) => logged.test(w)), `warnings: ${warnings.join(' | ')}`);
  assert.equal(await p.locator('path.fc-seg').count(), drawn.length, 'the map is not drawn twice');
  assert.equal(problems.join(' | '), '');
  await ctx.close();
}

test('the engine worker crashes: it is restarted and rebuilds its state from the server', { skip }, async () => {
  // an uncaught exception inside the worker: its `error` event reaches the page
  await workerRestart((w) => w.evaluate(() => { setTimeout(() => { throw new Error('engine crash test'); }); }),
    /restarting: the engine worker failed: .*engine crash test/);
});

test('the engine worker goes silent: the watchdog restarts it', { skip }, async () => {
  // the worker closes itself: no error, no more messages
  await workerRestart((w) => w.evaluate(() => { setTimeout(() => self.close()); }), /restarting: no answer from the engine worker for 4 s/);
});

test('a trip asked while the engine restarts gets a plain answer, never "Computing…" for ever; asked again, a travel time', { skip }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const p = await ctx.newPage();
    /** @type {string[]} */
    const problems = [];
    p.on('console', (m) => {
      if (m.type() === 'error' && !EXPECTED.test(m.text()) && !/engine crash test/.test(m.text())) problems.push(m.text());
    });
    p.on('pageerror', (e) => problems.push(e.message));
    await p.route(TILES, (r) => r.abort());
    // a restart waits 2 s (the first backoff step): long enough to ask a trip meanwhile
    await p.goto(`http://127.0.0.1:${port}/?retry=2000&watchdog=60000`);
    await p.waitForFunction(() => !document.documentElement.dataset.engine && document.documentElement.dataset.ready === 'forecast', null, { timeout: 30000 });
    const form = p.getByRole('form', { name: 'Plan a trip' });
    const result = form.locator('[data-field="result"]');
    const ask = async () => {
      await form.getByLabel('From').fill('Cumberland');
      await form.getByLabel('To').fill('Spaghetti Junction');
      await form.getByRole('button', { name: 'Get travel time' }).click();
    };
    const STILL_LOADING = 'Travel times need live data and the forecast model, which are still loading. Try again in a moment.';

    // 1. the engine stops reading its messages, is asked, then crashes: the question it held is answered
    const [w] = p.workers();
    await w.evaluate(() => { self.onmessage = () => {}; });
    await ask();
    assert.equal(await result.innerText(), 'Computing…');
    await w.evaluate(() => { setTimeout(() => { throw new Error('engine crash test'); }); });
    await p.waitForSelector('html[data-engine="restarting"]', { timeout: 10000 });
    await p.waitForSelector('#trip[data-result="error"]', { timeout: 2000 });
    assert.equal(await result.innerText(), STILL_LOADING);

    // 2. asked while there is no engine at all (the restart's backoff): answered at once
    await ask();
    await p.waitForSelector('#trip[data-result="error"]', { timeout: 2000 });
    assert.equal(await result.innerText(), STILL_LOADING);
    assert.equal(await p.getAttribute('html', 'data-engine'), 'restarting', 'asked during the restart');

    // 3. the new engine is up: the same question gets a travel time
    await p.waitForFunction(() => !document.documentElement.dataset.engine, null, { timeout: 30000 });
    await p.waitForFunction(() => document.documentElement.dataset.shown === 'live' && document.documentElement.dataset.ready === 'forecast', null, { timeout: 30000 });
    let answered = false;
    for (let i = 0; i < 20 && !answered; i++) {
      await ask();
      await p.waitForSelector('#trip[data-result]', { timeout: 10000 });
      answered = await p.getAttribute('#trip', 'data-result') === 'ok';
      if (!answered) await p.waitForTimeout(500); // its model may still be loading: "try again in a moment"
    }
    assert.ok(answered, await result.innerText());
    assert.match(await result.innerText(), /\d+ min/);
    assert.equal(problems.join(' | '), '');
  } finally {
    await ctx.close();
  }
});
