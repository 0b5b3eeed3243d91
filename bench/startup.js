// startup.js — `npm run startup`: the page's start-up as a commuter on a phone sees it (issue 16).
// Headless Chromium loads the page through a slow mobile link (bench/throttle.js: 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms round trip, shared fairly between connections) with the page's CPU
// slowed 4x through the DevTools protocol, in a phone viewport. Per load: first current speeds
// drawn, first forecast drawn, LCP, bytes before each, requests. Cold loads (fresh browser
// context each, median of 5 and the range), a repeat visit in the same context (warm), and the
// same page unthrottled on localhost. Prints the issue's table and writes bench/results/startup.json.
//
//   node bench/startup.js [--quick] [--out FILE]
//
// The milestones are the page's own: it sets html[data-ready] to "speeds" when it has drawn the
// current speeds and to "forecast" when it has drawn a forecast (web/page/main.js); an init
// script notes the first of each and the end of the frame that paints it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, START } from '../tests/fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';
import { table } from './harness.js';
import { startThrottledProxy } from './throttle.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Lighthouse's mobile profile (issue 16): a slow 4G link and a mid-range phone's CPU. */
export const MOBILE = { downKbps: 1600, upKbps: 750, rttMs: 150, cpuRate: 4 };
/** A phone's viewport (CSS px) and pixel ratio. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
/** The page without third-party map tiles: the machine has no network, and the tiles are not the
 * site's bytes (on a phone they share the link too: see PERFORMANCE.md). */
const PAGE = '/?tiles=none';
/** The feed's clock: the fixtures' Tuesday 07:45 peak plus 30 s, so every load of a run (a few
 * minutes) sees the same slot and the same history: the data bytes repeat exactly. */
export const FEED_START_MS = START + 30_000;
/** After the forecast, how long the page may go on painting before LCP is read. */
const SETTLE_MS = 500;

/** A simulated dataset with a model file, as `npm start` makes it (cached; the model is trained
 * again when the trainer was rebuilt after it, so a new model format or rule never meets a stale
 * file: ~1.5 s). */
export function dataset() {
  const dir = `${root}.cache/bench/pageload-atlanta`;
  const trainer = `${root}build/native/bin/flowcast-train`;
  if (!existsSync(`${dir}/meta.json`)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const sim = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--out', dir, '--days', '14', '--seed', '6', '--quiet'], { encoding: 'utf8' });
    if (sim.status !== 0) throw new Error(`flowcast-sim: ${sim.stderr}`);
  }
  if (!existsSync(`${dir}/model.fcm`) || statSync(`${dir}/model.fcm`).mtimeMs < statSync(trainer).mtimeMs) {
    const train = spawnSync(trainer, ['--dataset', dir, '--out', `${dir}/model.fcm`, '--days', '14'], { encoding: 'utf8' });
    if (train.status !== 0) throw new Error(`flowcast-train: ${train.stderr}`);
  }
  return dir;
}

/**
 * The feed server over the benchmark dataset on a free local port.
 * @param {{ publicDir?: string }} [o] the static site (default public/: the build)
 */
export async function startFeed({ publicDir = `${root}public` } = {}) {
  const app = await buildServer({ dataset: dataset(), public: publicDir, start_ms: FEED_START_MS });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = /** @type {import('node:net').AddressInfo} */ (app.server.address());
  return { app, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
}

/**
 * Runs in the page before its own scripts: notes when html[data-ready] first says "speeds" and
 * "forecast" (the attribute is set right after the draw; the time kept is the end of the next
 * frame, when the drawing is on screen), and the largest contentful paint.
 */
function milestoneScript() {
  const w = /** @type {any} */ (window);
  const marks = (w.__startup = { speeds: NaN, forecast: NaN, lcp: NaN, lcpElement: '' });
  const painted = (/** @type {'speeds' | 'forecast'} */ name) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { marks[name] = performance.now(); };
    ch.port2.postMessage(0);
  });
  const seen = new Set();
  new MutationObserver(() => {
    const state = document.documentElement.dataset.ready;
    if (state !== 'speeds' && state !== 'forecast') return;
    // a first update that already has a forecast draws the speeds too
    for (const name of state === 'forecast' ? ['speeds', 'forecast'] : ['speeds']) {
      if (!seen.has(name)) {
        seen.add(name);
        painted(/** @type {'speeds' | 'forecast'} */ (name));
      }
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
  new PerformanceObserver((list) => {
    const e = /** @type {any} */ (list.getEntries().at(-1));
    marks.lcp = e.startTime;
    marks.lcpElement = e.element ? `${e.element.tagName.toLowerCase()}${e.element.id ? `#${e.element.id}` : ''}` : e.url;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
}

/**
 * What a global (the page or a worker) fetched: its resource timing entries, times in ms after
 * the page's navigation start.
 * @param {number} pageOrigin the page's performance.timeOrigin
 * @param {{ origin: number, entries: any[] }} r
 * @param {string} from
 */
const resourcesOf = (pageOrigin, r, from) => r.entries.map((e) => ({
  url: e.name.replace(/^https?:\/\/[^/]+/, ''), from, type: e.initiatorType,
  start_ms: r.origin + e.startTime - pageOrigin, end_ms: r.origin + e.responseEnd - pageOrigin,
  transfer_bytes: e.transferSize, encoded_bytes: e.encodedBodySize, decoded_bytes: e.decodedBodySize, status: e.responseStatus ?? 0,
}));

const timingOf = () => ({
  origin: performance.timeOrigin,
  // the engine worker marks when it posts the first speeds (web/worker/worker.js)
  speedsPosted: performance.getEntriesByName('flowcast:speeds-posted')[0]?.startTime ?? NaN,
  forecastPosted: performance.getEntriesByName('flowcast:forecast-posted')[0]?.startTime ?? NaN,
  // the engine worker's timed CPU stages (web/worker/worker.js record())
  // (CPU only: the "… fetch" stages time downloads)
  stages: performance.getEntriesByType('measure').filter((e) => e.name.startsWith('flowcast:') && !e.name.endsWith(' fetch'))
    .map((e) => ({ name: e.name, start: e.startTime, ms: e.duration })),
  entries: [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => e.toJSON()),
});

/**
 * @typedef {object} Load
 * @property {number} time_origin epoch ms of the navigation start
 * @property {number} speeds_ms first current speeds on screen, ms after navigation start
 * @property {number} speeds_posted_ms when the engine worker posted them (NaN: no worker mark)
 * @property {number} forecast_posted_ms when the engine worker posted the first forecast (NaN: no worker mark)
 * @property {number} worker_cpu_before_speeds_ms the engine worker's timed stages (ingest, model
 *   load, forecast, …) that ended before the first speeds: CPU that DevTools cannot slow down
 * @property {number} worker_cpu_before_forecast_ms … before the first forecast
 * @property {number} forecast_ms first forecast on screen
 * @property {number} lcp_ms largest contentful paint
 * @property {string} lcp_element
 * @property {ReturnType<typeof resourcesOf>} resources what the page and its worker fetched
 */

/**
 * One load of the page in a new tab of `context`: until the first forecast is on screen.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {{ cpuRate?: number }} [o] CPU slow-down of the page's main thread (DevTools protocol)
 * @returns {Promise<Load>}
 */
export async function loadPage(context, url, { cpuRate = 1 } = {}) {
  const page = await context.newPage();
  try {
    if (cpuRate !== 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuRate });
    }
    await page.addInitScript(milestoneScript);
    await page.goto(url);
    await page.waitForFunction(() => /** @type {any} */ (window).__startup.forecast >= 0, null, { timeout: 120_000, polling: 50 });
    await page.waitForTimeout(SETTLE_MS);
    const marks = await page.evaluate(() => /** @type {any} */ (window).__startup);
    const own = await page.evaluate(timingOf);
    const resources = resourcesOf(own.origin, own, 'page');
    let speedsPostedMs = NaN, forecastPostedMs = NaN;
    /** @type {{ end_ms: number, ms: number }[]} */
    const stages = [];
    for (const w of page.workers()) {
      const t = await w.evaluate(timingOf);
      resources.push(...resourcesOf(own.origin, t, 'worker'));
      if (t.speedsPosted >= 0) speedsPostedMs = t.origin + t.speedsPosted - own.origin;
      if (t.forecastPosted >= 0) forecastPostedMs = t.origin + t.forecastPosted - own.origin;
      for (const st of t.stages) stages.push({ end_ms: t.origin + st.start + st.ms - own.origin, ms: st.ms });
    }
    resources.sort((a, b) => a.start_ms - b.start_ms);
    const cpuBefore = (/** @type {number} */ ms) => stages.filter((st) => st.end_ms <= ms).reduce((sum, st) => sum + st.ms, 0);
    return { time_origin: own.origin, speeds_ms: marks.speeds, speeds_posted_ms: speedsPostedMs, forecast_posted_ms: forecastPostedMs, forecast_ms: marks.forecast, lcp_ms: marks.lcp, lcp_element: marks.lcpElement,
      worker_cpu_before_speeds_ms: cpuBefore(marks.speeds), worker_cpu_before_forecast_ms: cpuBefore(marks.forecast), resources };
  } finally {
    await page.close();
  }
}

/**
 * The compressed bytes a load's requests carry up to a milestone: every response whose request
 * was issued before it, whole (encoded body as served, headers left out). Deterministic for a
 * build and dataset: which requests the page makes before each milestone is the page's logic,
 * and their bodies are the build's files and the fixed-clock data.
 * @param {Load} load
 * @param {number} ms
 */
export function bytesIssuedBefore(load, ms) {
  const before = load.resources.filter((r) => r.start_ms < ms);
  return { bytes: before.reduce((s, r) => s + r.encoded_bytes, 0), requests: before.length };
}

/**
 * The cut-off for "the bytes the first speeds wait for": the moment the engine worker posted
 * them. The page then needs a few hundred ms of its (slow) main thread to draw them, and the
 * worker has by then asked for the model, which the drawing does not wait for; the page's
 * paint is the cut-off only when the worker left no mark.
 * @param {Load} load
 */
export const speedsCutoff = (load) => Math.min(load.speeds_ms, Number.isFinite(load.speeds_posted_ms) ? load.speeds_posted_ms : Infinity);

/**
 * The same for the first forecast: the moment the worker posted it (after that it asks for the
 * full model file, which the drawing does not wait for), else the page's paint.
 * @param {Load} load
 */
export const forecastCutoff = (load) => Math.min(load.forecast_ms, Number.isFinite(load.forecast_posted_ms) ? load.forecast_posted_ms : Infinity);

/**
 * The byte budget's measure: one unthrottled load of the page served from `publicDir`.
 * @param {{ publicDir?: string }} [o]
 * @returns {Promise<{ before_first_speeds: number, before_first_forecast: number, load: Load }>}
 */
export async function measureStartupBytes({ publicDir } = {}) {
  const feed = await startFeed({ publicDir });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext(PHONE);
    const load = await loadPage(context, `${feed.origin}${PAGE}`);
    await context.close();
    return {
      before_first_speeds: bytesIssuedBefore(load, speedsCutoff(load)).bytes,
      before_first_forecast: bytesIssuedBefore(load, forecastCutoff(load)).bytes,
      load,
    };
  } finally {
    await browser.close();
    await feed.app.close();
  }
}

/**
 * Bytes the link carried to the browser (payload: headers and bodies) up to each milestone.
 * @param {import('./throttle.js').ThrottledProxy} proxy
 * @param {Load} load
 */
function wireBytes(proxy, load) {
  const upTo = (/** @type {number} */ ms) => proxy.down.filter((p) => p.at <= load.time_origin + ms).reduce((s, p) => s + p.bytes, 0);
  return { before_speeds: upTo(load.speeds_ms), before_forecast: upTo(load.forecast_ms), total: upTo(Infinity), connections: proxy.connections() };
}

/**
 * Proof that the link and the CPU throttling apply: a known body's transfer time over the proxy
 * against the model's, and a fixed loop's time in the page and in a worker with and without
 * the CPU slow-down.
 * @param {import('playwright-core').Browser} browser
 * @param {import('./throttle.js').ThrottledProxy} proxy
 * @param {string} feedOrigin the server itself, not throttled
 */
async function calibrate(browser, proxy, feedOrigin) {
  // the server compresses the model once per encoding, on the first request (§18): make that
  // request here, past the link, so neither the check nor the first cold load waits for it
  await (await fetch(`${feedOrigin}/api/v1/model`, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } })).arrayBuffer();
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${proxy.origin}/favicon.svg`);
  // the model file (the largest body), fetched alone on a warm connection: one round trip plus
  // its bytes at the link's rate, so the rate shows within a few per cent
  const known = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await fetch('/api/v1/model', { cache: 'no-store' });
    await r.arrayBuffer();
    const total_ms = performance.now() - t0;
    const e = /** @type {PerformanceResourceTiming} */ (performance.getEntriesByType('resource').at(-1));
    return { bytes: e.transferSize, total_ms };
  });
  const link = { ...known, kbps: (known.bytes * 8) / (known.total_ms - MOBILE.rttMs) };
  const loops = async () => page.evaluate(async () => {
    const spin = () => { const t0 = performance.now(); let x = 0; for (let i = 0; i < 3e6; i++) x += Math.sqrt(i); return performance.now() - t0 + x * 0; };
    const src = `onmessage = () => { ${spin.toString().replace(/^\(\) => /, 'const spin = () => ')}; const t = []; for (let k = 0; k < 5; k++) t.push(spin()); postMessage(t); }`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    const inWorker = await new Promise((res) => { w.onmessage = (e) => res(e.data); w.postMessage(0); });
    w.terminate();
    const inPage = [];
    for (let k = 0; k < 5; k++) inPage.push(spin());
    const med = (/** @type {number[]} */ a) => a.sort((p, q) => p - q)[2];
    return { page_ms: med(inPage), worker_ms: med(/** @type {number[]} */ (inWorker)) };
  });
  const plain = await loops();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: MOBILE.cpuRate });
  const slowed = await loops();
  await context.close();
  return { link, cpu: { plain, slowed, page_ratio: slowed.page_ms / plain.page_ms, worker_ratio: slowed.worker_ms / plain.worker_ms } };
}

/** @param {number[]} xs */
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s.at(-1) ?? NaN, n: s.length };
};

/**
 * The whole benchmark.
 * @param {{ quick?: boolean, log?: (s: string) => void }} [o]
 */
export async function benchStartup({ quick = false, log = (s) => console.error(s) } = {}) {
  const feed = await startFeed();
  const proxy = await startThrottledProxy({ target: feed.host, ...MOBILE });
  const browser = await launchChromium();
  const coldRuns = quick ? 1 : 5;
  try {
    log('startup: calibrating the link and the CPU throttling …');
    const calibration = await calibrate(browser, proxy, feed.origin);
    /** @param {Load} load @param {ReturnType<typeof wireBytes> | null} wire */
    const row = (load, wire) => ({
      speeds_ms: load.speeds_ms, forecast_ms: load.forecast_ms, lcp_ms: load.lcp_ms, lcp_element: load.lcp_element,
      // a phone's worker would be as slow as its page: the timed worker stages at the CPU rate
      phone_speeds_ms: load.speeds_ms + (MOBILE.cpuRate - 1) * load.worker_cpu_before_speeds_ms,
      phone_forecast_ms: load.forecast_ms + (MOBILE.cpuRate - 1) * load.worker_cpu_before_forecast_ms,
      worker_cpu_before_speeds_ms: load.worker_cpu_before_speeds_ms, worker_cpu_before_forecast_ms: load.worker_cpu_before_forecast_ms,
      issued_before_speeds: bytesIssuedBefore(load, speedsCutoff(load)), issued_before_forecast: bytesIssuedBefore(load, forecastCutoff(load)),
      wire, resources: load.resources,
    });
    const cold = [], warm = [];
    for (let i = 0; i < coldRuns; i++) {
      const context = await browser.newContext(PHONE);
      proxy.reset();
      const first = await loadPage(context, `${proxy.origin}${PAGE}`, { cpuRate: MOBILE.cpuRate });
      cold.push(row(first, wireBytes(proxy, first)));
      log(`startup: cold load ${i + 1}/${coldRuns}: speeds ${first.speeds_ms.toFixed(0)} ms, forecast ${first.forecast_ms.toFixed(0)} ms`);
      proxy.reset();
      const again = await loadPage(context, `${proxy.origin}${PAGE}`, { cpuRate: MOBILE.cpuRate });
      warm.push(row(again, wireBytes(proxy, again)));
      log(`startup: repeat visit ${i + 1}/${coldRuns}: speeds ${again.speeds_ms.toFixed(0)} ms, forecast ${again.forecast_ms.toFixed(0)} ms`);
      await context.close();
    }
    const local = [];
    for (let i = 0; i < coldRuns; i++) {
      const context = await browser.newContext(PHONE);
      local.push(row(await loadPage(context, `${feed.origin}${PAGE}`), null));
      await context.close();
    }
    log(`startup: unthrottled: forecast ${local.map((l) => l.forecast_ms.toFixed(0)).join(', ')} ms`);
    /** @param {ReturnType<typeof row>[]} loads */
    const stats = (loads) => ({
      speeds_ms: summary(loads.map((l) => l.speeds_ms)), forecast_ms: summary(loads.map((l) => l.forecast_ms)),
      lcp_ms: summary(loads.map((l) => l.lcp_ms)),
      phone_speeds_ms: summary(loads.map((l) => l.phone_speeds_ms)), phone_forecast_ms: summary(loads.map((l) => l.phone_forecast_ms)),
      worker_cpu_before_forecast_ms: summary(loads.map((l) => l.worker_cpu_before_forecast_ms)),
      wire_bytes_before_speeds: loads[0].wire ? summary(loads.map((l) => /** @type {any} */ (l.wire).before_speeds)) : null,
      wire_bytes_before_forecast: loads[0].wire ? summary(loads.map((l) => /** @type {any} */ (l.wire).before_forecast)) : null,
      issued_bytes_before_speeds: summary(loads.map((l) => l.issued_before_speeds.bytes)),
      issued_bytes_before_forecast: summary(loads.map((l) => l.issued_before_forecast.bytes)),
      requests_before_forecast: summary(loads.map((l) => l.issued_before_forecast.requests)),
    });
    return { profile: MOBILE, phone: PHONE, page: PAGE, feed_start: new Date(FEED_START_MS).toISOString(), calibration,
      cold: stats(cold), warm: stats(warm), local: stats(local), loads: { cold, warm, local } };
  } finally {
    await browser.close();
    await proxy.close();
    await feed.app.close();
  }
}

/**
 * The issue's table, and the per-load detail behind it.
 * @param {Awaited<ReturnType<typeof benchStartup>>} r
 */
export function formatStartup(r) {
  const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;
  const range = (/** @type {{ median: number, min: number, max: number }} */ x) => `${s(x.median)} (${s(x.min)}-${s(x.max)})`;
  const kb = (/** @type {number} */ b) => `${(b / 1024).toFixed(0)} KB`;
  const c = r.calibration;
  const lines = [
    `Start-up on a slow mobile link (${r.profile.downKbps / 1000} Mbit/s down, ${r.profile.upKbps} kbit/s up, ${r.profile.rttMs} ms RTT, ` +
      `shared per connection; page CPU ${r.profile.cpuRate}x slower; ${r.phone.viewport.width}x${r.phone.viewport.height}; ${r.cold.speeds_ms.n} cold loads)`,
    `  link check: the model file alone, ${c.link.bytes.toLocaleString('en-US')} bytes in ${c.link.total_ms.toFixed(0)} ms = ` +
      `${c.link.kbps.toFixed(0)} kbit/s after one round trip (link ${r.profile.downKbps}, of which ~3.4% IP/TCP headers)`,
    `  CPU check: a fixed loop ${c.cpu.page_ratio.toFixed(1)}x slower in the page, ${c.cpu.worker_ratio.toFixed(1)}x in a worker` +
      ` (asked: ${r.profile.cpuRate}x; DevTools throttles the main thread only, the engine worker is not slowed)`,
    table(['', 'first speeds', 'first forecast', 'LCP', 'KB on the wire before forecast', 'requests'], [
      ['cold load, median (range)', range(r.cold.speeds_ms), range(r.cold.forecast_ms), range(r.cold.lcp_ms),
        kb(/** @type {any} */ (r.cold.wire_bytes_before_forecast).median), String(r.cold.requests_before_forecast.median)],
      ['repeat visit, same context', range(r.warm.speeds_ms), range(r.warm.forecast_ms), range(r.warm.lcp_ms),
        kb(/** @type {any} */ (r.warm.wire_bytes_before_forecast).median), String(r.warm.requests_before_forecast.median)],
      ['unthrottled localhost', range(r.local.speeds_ms), range(r.local.forecast_ms), range(r.local.lcp_ms), '', String(r.local.requests_before_forecast.median)],
    ]),
    `  with the worker slowed too (its timed stages x${r.profile.cpuRate}, an estimate): first speeds ${range(r.cold.phone_speeds_ms)}, ` +
      `first forecast ${range(r.cold.phone_forecast_ms)} cold; forecast ${range(r.warm.phone_forecast_ms)} repeat ` +
      `(worker CPU before the forecast: ${r.cold.worker_cpu_before_forecast_ms.median.toFixed(0)} ms)`,
    `  compressed bytes of the requests issued before the first speeds: ${kb(r.cold.issued_bytes_before_speeds.median)}, ` +
      `before the first forecast: ${kb(r.cold.issued_bytes_before_forecast.median)} (goal <= 300 KB; gated in bench/budgets.json)`,
    `  on the wire (headers too) before the first speeds: ${kb(/** @type {any} */ (r.cold.wire_bytes_before_speeds).median)}`,
    '',
    'Requests of the median cold load (ms after navigation start; bytes as served, compressed)',
  ];
  const median = r.loads.cold.find((l) => l.forecast_ms === r.cold.forecast_ms.median) ?? r.loads.cold[0];
  lines.push(table(['request', 'from', 'start ms', 'end ms', 'bytes'],
    median.resources.map((x) => [x.url.length > 48 ? `${x.url.slice(0, 45)}...` : x.url, x.from, x.start_ms, x.end_ms, String(x.encoded_bytes)])));
  lines.push(`  first speeds at ${median.speeds_ms.toFixed(0)} ms, first forecast at ${median.forecast_ms.toFixed(0)} ms, LCP ${median.lcp_ms.toFixed(0)} ms (${median.lcp_element})`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  for (const a of args) {
    if (a.startsWith('--') && !['--quick', '--out'].includes(a)) {
      console.error(`startup: unknown option ${a}`);
      process.exit(2);
    }
  }
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : `${root}bench/results/startup.json`;
  const r = await benchStartup({ quick: args.includes('--quick') });
  console.log(formatStartup(r));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2)}\n`);
  console.error(`startup: wrote ${out}`);
}
