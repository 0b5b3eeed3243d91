// pageload.js — the page's start-up as a commuter sees it: navigation until the first forecast
// is drawn (html[data-ready="forecast"]), on localhost in headless Chromium, median of several
// fresh loads (new browser context each: cold HTTP cache); and the transfer size of the page's
// own JavaScript and wasm, gzip. Goals (issue 5): <= 1.5 s and <= 150 KB. Reported, not gated.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../tests/fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A simulated dataset with a model file, as `npm start` makes it (cached). */
function dataset() {
  const dir = `${root}.cache/bench/pageload-atlanta`;
  if (!existsSync(`${dir}/model.fcm`)) {
    mkdirSync(`${root}.cache/bench`, { recursive: true });
    const sim = spawnSync(`${root}build/native/bin/flowcast-sim`, ['--out', dir, '--days', '14', '--seed', '6', '--quiet'], { encoding: 'utf8' });
    if (sim.status !== 0) throw new Error(`flowcast-sim: ${sim.stderr}`);
    const train = spawnSync(`${root}build/native/bin/flowcast-train`, ['--dataset', dir, '--out', `${dir}/model.fcm`, '--days', '14'], { encoding: 'utf8' });
    if (train.status !== 0) throw new Error(`flowcast-train: ${train.stderr}`);
  }
  return dir;
}

/** gzip bytes of every file below dir with one of the extensions. */
function gzipBytes(dir, exts) {
  let total = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) total += gzipBytes(p, exts);
    else if (exts.some((e) => f.endsWith(e))) total += gzipSync(readFileSync(p)).length;
  }
  return total;
}

/** @param {{ quick?: boolean }} opts */
export async function benchPageLoad({ quick = false } = {}) {
  const app = await buildServer({ dataset: dataset(), public: `${root}public` });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${app.server.address().port}/?tiles=none`;
  const browser = await launchChromium();
  const times = [];
  try {
    for (let i = 0; i < (quick ? 1 : 7); i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
      times.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
  } finally {
    await browser.close();
    await app.close();
  }
  times.sort((a, b) => a - b);
  const js = gzipBytes(`${root}public/js`, ['.js']);
  const wasm = gzipSync(readFileSync(`${root}public/flowcast.wasm`)).length;
  return {
    first_forecast_ms: { median: times[times.length >> 1], min: times[0], max: times.at(-1), loads: times.length },
    transfer_gzip_bytes: { js, wasm, total: js + wasm },
  };
}
