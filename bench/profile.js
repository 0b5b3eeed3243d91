// profile.js — `npm run profile`: the running app, profiled in headless Chromium.
//
// Starts the feed server on an ephemeral 127.0.0.1 port over a small simulated dataset (8 days of
// Atlanta, generated once into .cache/profile-dataset) with an accelerated replay, opens the app
// in Debian's Chromium through playwright-core, waits for the first forecast, then records for
// --seconds: a CPU profile of the engine worker (the DevTools Protocol's Profiler domain, through
// a session attached to the worker target; the engine runs there, not on the page's thread), a
// CPU profile of the page's main thread, and a performance trace of the whole browser. Files go
// to profiles/ (git-ignored); the summary (top functions by self time, WebAssembly functions by
// their C names, and the share of each engine stage) goes to stdout.
//
//   --seconds N    recording time (default 15)
//   --speed X      replay acceleration (default 1200: a 5-minute snapshot every 0.25 s)
//   --out DIR      where the files go (default profiles/)
//   --top N        functions listed (default 15)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM, launchChromium } from '../tests/fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';
import { formatSummary, readProfile, summarise } from './cpuprofile.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIM = join(root, 'build/native/bin/flowcast-sim');
/** A Tuesday morning peak: the forecasts have something to do. */
const START = Date.parse('2026-11-24T07:45:00-05:00');
/** Sampling period of the CPU profiles: engine calls take 0.1–1 ms, V8's default 1 ms is too coarse. */
const SAMPLING_US = 100;

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' }, speed: { type: 'string', default: '1200' },
    out: { type: 'string', default: join(root, 'profiles') }, top: { type: 'string', default: '15' },
  },
});
const seconds = Number(opt.seconds), speed = Number(opt.speed), top = Number(opt.top);
if (!(seconds > 0) || !(speed > 0) || !(top > 0)) {
  console.error('profile: --seconds, --speed and --top take positive numbers');
  process.exit(2);
}
for (const [what, path] of [['Chromium', CHROMIUM], ['flowcast-sim', SIM]]) {
  if (!existsSync(path)) {
    console.error(`profile: ${what} is missing (${path}): run ./build.sh`);
    process.exit(1);
  }
}

const dataset = join(root, '.cache/profile-dataset');
if (!existsSync(join(dataset, 'meta.json'))) {
  console.error('profile: simulating 8 days of Atlanta into .cache/profile-dataset …');
  const r = spawnSync(SIM, ['--out', dataset, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowcast-sim failed: ${r.stderr}`);
}

/**
 * A DevTools Protocol session on the page's worker, through the page session (Target domain,
 * non-flat: playwright's CDPSession cannot address child sessions directly).
 * @param {import('playwright-core').CDPSession} cdp
 * @param {string} sessionId
 */
function targetSession(cdp, sessionId) {
  let nextId = 0;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    const p = m.id !== undefined && pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message} (${m.error.code})`));
    else p.resolve(m.result);
  });
  return {
    /** @param {string} method @param {object} [params] @returns {Promise<any>} */
    send(method, params = {}) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      });
    },
  };
}

/**
 * The worker's engine statistics (engine.stats()), asked the way the page asks: a `stats` message
 * handed to the worker's own handler, its answer caught on the way out. (The worker is a bundle;
 * importing flowcast.js beside it would give another Predictor class, never the one it runs.)
 * Bounded: a worker that does not answer in 5 s is an error, never a hang.
 * @param {{ send: (m: string, p?: object) => Promise<any> }} w
 */
async function workerStats(w) {
  const expression = `new Promise((resolve, reject) => {
    const post = self.postMessage;
    const timer = setTimeout(() => { self.postMessage = post; reject(new Error('no stats answer in 5 s')); }, 5000);
    self.postMessage = function (m, ...rest) {
      if (m && m.type === 'stats') { self.postMessage = post; clearTimeout(timer); resolve(m.stats); return; }
      return post.call(self, m, ...rest);
    };
    self.onmessage(new MessageEvent('message', { data: { type: 'stats' } }));
  })`;
  const r = await w.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
  if (!r.result.value) throw new Error('the worker has no engine yet');
  return /** @type {{ stages: Record<string, { calls: number, totalUs: number, medianUs: number, p95Us: number }>, memory: object }} */ (r.result.value);
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d\d\dZ$/, 'Z');
const outDir = opt.out;
mkdirSync(outDir, { recursive: true });
const app = await buildServer({ dataset, speed, start_ms: START, public: join(root, 'public') });
await app.listen({ port: 0, host: '127.0.0.1' });
const origin = `http://127.0.0.1:${app.server.address().port}`;
const browser = await launchChromium();
let failed = false;
// Whatever hangs (a page that never becomes ready, a DevTools call never answered), the command
// ends: start-up is allowed 2 minutes beyond the recording.
const watchdog = setTimeout(() => {
  console.error(`profile: gave up after ${seconds + 120} s`);
  process.exit(1);
}, (seconds + 120) * 1000);
watchdog.unref();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.route('https://*.tile.openstreetmap.org/**', (r) => r.abort());
  const cdp = await page.context().newCDPSession(page);
  /** @type {Promise<string>} */
  const workerAttached = new Promise((resolve) => {
    cdp.on('Target.attachedToTarget', (e) => { if (e.targetInfo.type === 'worker') resolve(e.sessionId); });
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const t0 = Date.now();
  await page.goto(`${origin}/`);
  const worker = targetSession(cdp, await Promise.race([workerAttached, page.waitForTimeout(60000).then(() => {
    throw new Error('the app started no engine worker within 60 s');
  })]));
  await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
  console.error(`profile: app ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (history, training, first forecast); recording ${seconds} s at ${speed}x …`);

  const before = await workerStats(worker).catch((/** @type {Error} */ e) => {
    console.error(`profile: engine.stats() not reachable in the worker (${e.message}); stage shares from the profile only`);
    return null;
  });
  for (const s of [worker, cdp]) {
    await s.send('Profiler.enable');
    await s.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  }
  await cdp.send('Performance.enable');
  const tracePath = join(outDir, `app-${stamp}-trace.json`);
  await browser.startTracing(page, { path: tracePath });
  await Promise.all([worker.send('Profiler.start'), cdp.send('Profiler.start')]);
  await page.waitForTimeout(seconds * 1000);
  const [{ profile: workerProfile }, { profile: pageProfile }] = await Promise.all([worker.send('Profiler.stop'), cdp.send('Profiler.stop')]);
  await browser.stopTracing();
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const after = before && await workerStats(worker);

  const workerPath = join(outDir, `app-${stamp}-worker.cpuprofile`);
  const pagePath = join(outDir, `app-${stamp}-page.cpuprofile`);
  writeFileSync(workerPath, JSON.stringify(workerProfile));
  writeFileSync(pagePath, JSON.stringify(pageProfile));

  const ws = summarise(readProfile(workerProfile));
  console.log(formatSummary(ws, { top, title: `Engine worker, ${seconds} s at ${speed}x replay` }));
  if (before && after) {
    console.log(`\nengine.stats() over the recording (the engine's own stage timers)`);
    let engineUs = 0;
    const rows = Object.entries(after.stages).map(([name, s]) => {
      const b = before.stages[name];
      const us = s.totalUs - b.totalUs;
      engineUs += us;
      return { name, calls: s.calls - b.calls, us, medianUs: s.medianUs, p95Us: s.p95Us };
    }).filter((r) => r.calls > 0);
    const { table } = await import('./harness.js');
    console.log(table(['stage', 'calls', 'total ms', 'median µs', 'p95 µs', 'share of engine', 'share of worker busy'],
      rows.map((r) => [r.name, String(r.calls), r.us / 1000, r.medianUs, r.p95Us,
        `${(100 * r.us / (engineUs || 1)).toFixed(1)}%`, `${(100 * r.us / (ws.busyUs || 1)).toFixed(1)}%`])));
    console.log(`memory: ${JSON.stringify(after.memory)}`);
  }
  const ps = summarise(readProfile(pageProfile));
  console.log(`\n${formatSummary(ps, { top: 5, title: 'Page main thread' })}`);
  console.log(`\npage metrics: JS heap ${(metrics.JSHeapUsedSize / 2 ** 20).toFixed(1)} MiB used, ` +
    `script ${(metrics.ScriptDuration ?? 0).toFixed(2)} s, tasks ${(metrics.TaskDuration ?? 0).toFixed(2)} s since load`);
  for (const f of [workerPath, pagePath, tracePath]) console.log(`wrote ${relative(process.cwd(), f)}`);
} catch (err) {
  failed = true;
  console.error(`profile: ${err instanceof Error ? err.stack : String(err)}`);
} finally {
  await browser.close();
  await app.close();
}
process.exit(failed ? 1 : 0);
