// The page in a real browser: Debian's Chromium driven by playwright-core loads public/ from a
// real feed server replaying a small simulated dataset (8 days of Atlanta, generated here) on an
// accelerated clock, so snapshots arrive during the test. The engine worker loads history,
// trains (the dataset has no model file), forecasts; the page draws and answers the keyboard.
// Map tiles are blocked (no network in CI), which is also the "renders without tiles" case.
// Screenshots go to test-output/ (git-ignored): flowcast-desktop.png, flowcast-phone.png, flowcast-embed.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SIM, SPEED, START, browserSkip, launchChromium, segmentStrokes } from './fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';
import { createPredictor } from '../web/flowcast.js';
import { parseHistoryBinary } from '../web/worker/feed.js';
import { stationText } from '../web/page/trip.js';

const root = ROOT;
const skip = browserSkip;
const TILES = 'https://*.tile.openstreetmap.org/**';
/** Browser messages that are expected: blocked tiles, and the server being stopped on purpose. */
const EXPECTED = /net::ERR_FAILED|net::ERR_CONNECTION_REFUSED|Failed to load resource/;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {any} */
let app;
let port = 0;
let dir = '';
let segmentCount = 0;
/** @type {any} */
let network;

/** @param {number} start_ms */
async function startServer(start_ms) {
  app = await buildServer({ dataset: dir, speed: SPEED, start_ms, public: join(root, 'public') });
  await app.listen({ port, host: '127.0.0.1' });
  port = app.server.address().port;
}

before(async () => {
  mkdirSync(join(root, 'test-output'), { recursive: true }); // screenshots land here (git-ignored)
  if (skip) return;
  dir = join(mkdtempSync(join(tmpdir(), 'flowcast-page-')), 'atlanta');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const net = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8'));
  network = net;
  for (const c of net.corridors) segmentCount += c.sensors.length - 1 + (c.loop ? 1 : 0);
  await startServer(START);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

/**
 * Opens the page (tiles blocked) and waits for the first forecast.
 * @param {import('playwright-core').BrowserContextOptions} [context]
 */
async function open(context = { viewport: { width: 1280, height: 800 } }) {
  const ctx = await browser.newContext(context);
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !EXPECTED.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(TILES, (r) => r.abort());
  await page.goto(`http://127.0.0.1:${port}/?retry=300`);
  await page.waitForSelector('html[data-ready="forecast"]', { timeout: 20000 });
  return { page, errors, close: () => ctx.close() };
}

/** @param {string} text "Updated 07:50" → minutes since midnight */
const minutes = (text) => {
  const m = /Updated (\d\d):(\d\d)/.exec(text);
  assert.ok(m, `status "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

test('desktop: map, legend, status, horizon, keyboard details with chart, performance panel', { skip }, async () => {
  const { page, errors, close } = await open();
  const status = page.locator('#status[role="status"]');

  // every segment drawn, the legend, the tile notice (tiles are blocked)
  assert.equal(await page.locator('path.fc-seg').count(), segmentCount);
  assert.equal(await page.locator('#legend li').count(), 6);
  assert.match(await page.textContent('#legend') ?? '', /under 25 mph.*no data|no data/s);
  assert.ok(await page.isVisible('#tile-notice'));

  // the status line shows the feed's local time, and moves on as snapshots arrive
  const first = minutes(await status.innerText());
  assert.ok(first >= 7 * 60 + 45 && first < 9 * 60, `feed time ${first}`);
  await page.waitForFunction((t) => {
    const m = /Updated (\d\d):(\d\d)/.exec(document.getElementById('updated')?.textContent ?? '');
    return m && Number(m[1]) * 60 + Number(m[2]) > t;
  }, first, { timeout: 10000 });

  // the horizon control recolours at once
  const slider = page.getByRole('slider', { name: 'Forecast horizon' });
  assert.ok(await slider.isEnabled());
  const now = await segmentStrokes(page);
  assert.ok(now.every((c) => /^#[0-9a-f]{6}$/.test(c ?? '')), 'every segment coloured');
  await slider.focus();
  await page.keyboard.press('End');
  // labelled from the data's time, never a bare "now" that old data would belie
  assert.match(await slider.getAttribute('aria-valuetext') ?? '', /^\+60 min from \d\d:\d\d$/);
  // one read for both: the feed's next snapshot may move the time between two
  const [shown, spoken] = await page.evaluate(() => [document.getElementById('horizon-out')?.textContent,
    document.getElementById('horizon')?.getAttribute('aria-valuetext')]);
  assert.equal(shown, spoken);
  const ahead = await segmentStrokes(page);
  assert.ok(ahead.some((c, i) => c !== now[i]), 'some segment changes colour at +60 min');

  // keyboard: to a segment, along the road, Enter opens the details with numbers and a chart
  await page.focus('path.fc-seg[tabindex="0"]');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  assert.match(focused ?? '', /^I-285 Outer Loop \(counterclockwise\), .+, mile \d+\.\d/);
  await page.keyboard.press('Enter');
  const details = page.getByRole('region', { name: 'Segment details' });
  await details.waitFor();
  await page.waitForSelector('#details[data-chart="ready"] .uplot canvas', { timeout: 10000 });
  const text = await details.innerText();
  assert.match(text, /^I-285 Outer Loop \(counterclockwise\), (exit \w+|near|at) \S/, 'road by its local name, direction and place as the headline');
  assert.match(text, /Mile \d+\.\d[^·\n]* · \d+ lanes · limit \d+ mph/);
  assert.match(text, /Speed now\s+(\d+ mph|no data)/);
  assert.match(text, /\+60 min from \d\d:\d\d\s+\d+ mph(, likely between \d+ and \d+ mph)?( \(estimated from neighbouring detectors: this one has no data\))?\n/, 'the forecast dated from the data, as the slider says');
  assert.doesNotMatch(text, /10%|90%/, 'plain words for the range');
  await page.keyboard.press('Escape');
  assert.ok(await details.isHidden());
  assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')) ?? '', /^I-285 Outer Loop/);
  await page.keyboard.press('Enter');
  await details.waitFor();

  // the performance panel, with numbers from both threads and the heap
  await page.getByRole('button', { name: 'Performance' }).click();
  const perf = page.getByRole('region', { name: 'Performance' });
  await page.waitForFunction(() => document.querySelectorAll('#perf tbody tr').length >= 5);
  const perfText = await perf.innerText();
  for (const stage of ['ingest', 'forecast', 'train', 'draw']) assert.match(perfText, new RegExp(`${stage}\\s+(worker|page)\\s+\\d+\\.\\d+`), stage);
  assert.match(perfText, /WebAssembly heap: \d+\.\d MiB/);

  // the trip planner: a time with its range, the delay, the best departure, the route drawn
  const cw = network.corridors.find((/** @type {any} */ c) => c.id === 'I285-CW').sensors;
  const station = (/** @type {string} */ id) => network.sensors.find((/** @type {any} */ st) => st.id === id);
  const tripForm = page.getByRole('form', { name: 'Plan a trip' });
  await tripForm.getByLabel('From').fill(stationText(station(cw[20])));
  await tripForm.getByLabel('To').fill(cw[60]); // an id works too
  await tripForm.getByLabel('Leave').selectOption({ label: 'in 15 min' });
  await tripForm.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result]', { timeout: 5000 });
  const tripText = await tripForm.innerText();
  assert.equal(await page.getAttribute('#trip', 'data-result'), 'ok', tripText);
  assert.match(tripText, /Leaving \d\d:\d\d\s+\d+ min \(likely \d+–\d+ min\), \d+\.\d mi/);
  assert.match(tripText, /Delay\s+(\d+ min over free flow|none)/);
  assert.match(tripText, /Best departure\s+(now|\d\d:\d\d \(in \d+ min\)): \d+ min/);
  assert.equal(await page.locator('path.fc-seg.route').count(), 40);
  await page.getByRole('button', { name: 'Performance' }).click();
  await page.getByRole('button', { name: 'Performance' }).click();
  await page.waitForFunction(() => /route query\s+worker/.test(document.getElementById('perf')?.innerText ?? ''));
  assert.match(await perf.innerText(), /Route cache: \d+% hits of \d+ queries/);

  await page.screenshot({ path: join(root, 'test-output', 'flowcast-desktop.png') });
  assert.deepEqual(errors, []);
  await close();
});

/** Trains a model in Node on the server's week of history and saves it as the dataset's model.fcm. */
async function writeModelFile() {
  const base = `http://127.0.0.1:${port}/api/v1/`;
  const engine = await createPredictor({ network: await (await fetch(`${base}network`)).text() });
  const h = parseHistoryBinary(await (await fetch(`${base}history?hours=168`, { headers: { accept: 'application/octet-stream' } })).arrayBuffer());
  const n = h.sensors.length;
  for (let r = 0; r < h.rows; r++) engine.ingestValues(h.startMs + (r + 1) * h.intervalS * 1000, h.speedMph.subarray(r * n, (r + 1) * n));
  engine.trainSync();
  writeFileSync(join(dir, 'model.fcm'), engine.saveModel());
  engine.dispose();
}

test('phone viewport 390x844, with the server\'s model file: everything reachable, no horizontal scrolling', { skip }, async () => {
  await writeModelFile();
  const { page, errors, close } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  rmSync(join(dir, 'model.fcm'));
  // the worker loaded the model instead of training one (the performance panel is left out of
  // the phone layout, but it is still filled in: read its text)
  await page.locator('#perf-toggle').dispatchEvent('click');
  const perfText = await page.locator('#perf').textContent() ?? '';
  // (the window file first, ?profiles=window: "model window load"; the full file follows)
  assert.match(perfText, /model (window )?load\s*worker/);
  assert.doesNotMatch(perfText, /\btrain\s*worker/);
  await page.locator('#perf-toggle').dispatchEvent('click');
  assert.equal(await page.locator('path.fc-seg').count(), segmentCount);
  const box = await page.locator('#map').boundingBox();
  assert.ok(box && box.width >= 380 && box.height >= 300, `map box ${JSON.stringify(box)}`);
  assert.ok(await page.getByRole('slider', { name: 'Forecast horizon' }).isVisible());
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal overflow');
  // a tap on a segment opens the details
  await page.locator('path.fc-seg').nth(Math.floor(segmentCount / 3)).dispatchEvent('click');
  await page.getByRole('region', { name: 'Segment details' }).waitFor();
  await page.waitForSelector('#details[data-chart="ready"] .uplot canvas', { timeout: 10000 });
  await page.screenshot({ path: join(root, 'test-output', 'flowcast-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await close();
});

test('the feed stops: a stale warning with the age; it comes back: catch-up and recovery', { skip }, async () => {
  const { page, errors, close } = await open();
  const updated = async () => minutes(await page.textContent('#updated') ?? '');
  const stale = page.locator('#stale');
  assert.ok(await stale.isHidden());
  const resumeAt = app.flowcast.source.now();
  const before = await updated();
  const stoppedAt = Date.now();
  await app.close();
  await stale.waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await stale.innerText(), /Feed unreachable: the data is \d+ (s|min) old/);
  assert.equal(await page.getAttribute('html', 'data-feed'), 'down');
  await page.waitForTimeout(2000);
  // the replay resumes where it would be had it not stopped: the missed snapshots are caught up
  await startServer(resumeAt + (Date.now() - stoppedAt) * SPEED);
  await stale.waitFor({ state: 'hidden', timeout: 15000 });
  await page.waitForFunction(() => document.documentElement.dataset.feed === 'live');
  await page.waitForFunction((t) => {
    const m = /Updated (\d\d):(\d\d)/.exec(document.getElementById('updated')?.textContent ?? '');
    return m && Number(m[1]) * 60 + Number(m[2]) > t;
  }, before, { timeout: 10000 });
  assert.ok(await updated() > before);
  assert.deepEqual(errors, []);
  await close();
});

test('embedding: <flowcast-map> elements share one worker, follow their attributes, leak no globals; embed.html', { skip }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  const origin = `http://127.0.0.1:${port}`;
  // a partner's page: its own styles must not reach inside the element
  await page.route(`${origin}/partner.html`, (r) => r.fulfill({ contentType: 'text/html', body: `<!doctype html>
    <style>line { stroke: red !important; } svg { display: none; } .box { width: 400px; height: 300px; }</style>
    <script>window.__before = Object.keys(window);</script>
    <div class="box"><flowcast-map id="a" corridor="I-285" horizon="0"></flowcast-map></div>
    <div class="box"><flowcast-map id="b" corridor="I75-NB" horizon="60"></flowcast-map></div>
    <script type="module" src="/js/flowcast-embed.js"></script>` }));
  await page.goto(`${origin}/partner.html`);
  await page.waitForSelector('#a[data-ready="forecast"]', { timeout: 20000 });
  await page.waitForSelector('#b[data-ready="forecast"]', { timeout: 5000 });
  const info = await page.evaluate(() => {
    const lines = (/** @type {string} */ id) => [.../** @type {ShadowRoot} */ (document.getElementById(id)?.shadowRoot).querySelectorAll('line')];
    const a = lines('a');
    return {
      a: a.length, b: lines('b').length,
      stroke: getComputedStyle(a[0]).stroke, svgShown: getComputedStyle(/** @type {Element} */ (a[0].ownerSVGElement)).display !== 'none',
      size: document.getElementById('a')?.getBoundingClientRect().width,
      globals: Object.keys(window).filter((k) => k !== '__before' && !(/** @type {any} */ (window)).__before.includes(k)),
      status: document.getElementById('b')?.shadowRoot?.querySelector('[role="status"]')?.textContent,
    };
  });
  const corridorSegments = (/** @type {(c: any) => boolean} */ pick) => network.corridors.filter(pick)
    .reduce((/** @type {number} */ n, /** @type {any} */ c) => n + c.sensors.length - 1 + (c.loop ? 1 : 0), 0);
  assert.equal(info.a, corridorSegments((c) => c.road === 'I-285'));
  assert.equal(info.b, corridorSegments((c) => c.id === 'I75-NB'));
  assert.notEqual(info.stroke, 'rgb(255, 0, 0)', 'host styles stay outside the shadow root');
  assert.ok(info.svgShown);
  assert.equal(info.size, 400, 'sized by its container');
  assert.deepEqual(info.globals, []);
  assert.match(info.status ?? '', /^Updated \d\d:\d\d · forecast \+60 min$/);
  assert.equal(page.workers().length, 1, 'one engine worker for both elements');

  // a new horizon recolours at once
  const strokesOf = () => page.evaluate(() => [.../** @type {ShadowRoot} */ (document.getElementById('a')?.shadowRoot).querySelectorAll('line')].map((l) => l.getAttribute('stroke')));
  const before = await strokesOf();
  await page.evaluate(() => document.getElementById('a')?.setAttribute('horizon', '60'));
  const after60 = await strokesOf();
  assert.ok(after60.some((c, i) => c !== before[i]));

  // the iframe page
  await page.goto(`${origin}/embed.html?corridor=I75-SB&horizon=30`);
  await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 20000 });
  const embed = await page.evaluate(() => {
    const root = /** @type {ShadowRoot} */ (document.querySelector('flowcast-map')?.shadowRoot);
    return { lines: root.querySelectorAll('line').length, status: root.querySelector('[role="status"]')?.textContent, title: root.querySelector('.title')?.textContent };
  });
  assert.equal(embed.lines, corridorSegments((c) => c.id === 'I75-SB'));
  assert.equal(embed.title, 'I-75 SB');
  assert.match(embed.status ?? '', /forecast \+30 min/);
  await page.screenshot({ path: join(root, 'test-output', 'flowcast-embed.png') });
  assert.deepEqual(errors, []);
  await ctx.close();
});
