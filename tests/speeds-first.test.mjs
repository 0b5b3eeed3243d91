// Speeds first (issue 16): on a phone's slow link the first coloured map must not share the link
// with anything large. A commuter's view of it: the current speeds are on the map before the
// model is even asked for, the model comes as the small window file first (the current hour's
// profiles) and forecasts appear from it, and the full file follows without the page waiting.
// One real load in Chromium against a real feed server (bench/startup.js's dataset and clock).
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadPage, startFeed } from '../bench/startup.js';
import { browserSkip, launchChromium } from './fixtures/browser.mjs';

test('the first speeds are posted before any model request; the window file comes first, the full file after', { skip: browserSkip }, async () => {
  const feed = await startFeed();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const load = await loadPage(context, `${feed.origin}/?tiles=none`);
    await context.close();
    const worker = load.resources.filter((r) => r.from === 'worker');
    const models = worker.filter((r) => /\/api\/v1\/model/.test(r.url));
    const history = worker.find((r) => /\/api\/v1\/history/.test(r.url));
    assert.ok(Number.isFinite(load.speeds_posted_ms), 'the worker marks when it posts the first speeds');
    assert.ok(history, 'the recent history is fetched');
    assert.match(/** @type {{ url: string }} */ (history).url, /fields=speed/, 'the first map asks for speeds only');
    assert.ok(models.length >= 1, worker.map((r) => r.url).join('\n'));
    for (const m of models) {
      assert.ok(m.start_ms >= load.speeds_posted_ms, `${m.url} requested at ${m.start_ms.toFixed(0)} ms, before the speeds were posted at ${load.speeds_posted_ms.toFixed(0)} ms`);
    }
    assert.match(models[0].url, /profiles=window/, 'the small window file is asked for first');
    assert.equal(models[0].status, 200, 'the feed serves the window file');
    // and it is small next to the full file, which follows in the background (both carry the
    // weights, ~59 KB with brotli for Atlanta; the window ~23 KB of profiles, the full file ~178 KB)
    const full = models.find((m) => /\/api\/v1\/model$/.test(m.url));
    assert.ok(full, 'the full model file is fetched after the window file');
    assert.ok(models[0].encoded_bytes < full.encoded_bytes / 2.5, `window ${models[0].encoded_bytes} bytes, full ${full.encoded_bytes}`);
    assert.ok(load.forecast_ms > load.speeds_ms - 1, 'speeds drawn no later than the forecast');
  } finally {
    await browser.close();
    await feed.app.close();
  }
});
