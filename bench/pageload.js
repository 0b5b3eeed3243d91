// pageload.js — the page's start-up on localhost, the quick row of `npm run bench`: navigation
// until the first forecast is on screen (html[data-ready="forecast"]) in headless Chromium,
// median of several fresh loads (new browser context each: cold HTTP cache); and the transfer
// size of the page's own JavaScript and wasm, gzip. Goals (issue 5): <= 1.5 s and <= 150 KB.
// Reported, not gated. The same loads on a slow mobile link are bench/startup.js (`npm run startup`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../tests/fixtures/browser.mjs';
import { loadPage, startFeed } from './startup.js';

const root = fileURLToPath(new URL('..', import.meta.url));

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
  const feed = await startFeed();
  const browser = await launchChromium();
  const times = [];
  try {
    for (let i = 0; i < (quick ? 1 : 7); i++) {
      const context = await browser.newContext();
      times.push((await loadPage(context, `${feed.origin}/?tiles=none`)).forecast_ms);
      await context.close();
    }
  } finally {
    await browser.close();
    await feed.app.close();
  }
  times.sort((a, b) => a - b);
  const js = gzipBytes(`${root}public/js`, ['.js']);
  const wasm = gzipSync(readFileSync(`${root}public/flowcast.wasm`)).length;
  return {
    first_forecast_ms: { median: times[times.length >> 1], min: times[0], max: times.at(-1), loads: times.length },
    transfer_gzip_bytes: { js, wasm, total: js + wasm },
  };
}
