// The map drawn ahead of the engine (PERFORMANCE.md §40). On a phone the page waits ~0.4 s for
// the engine's wasm with nothing to do, and drawing the network was most of what came between
// the engine's first speeds and their paint. The worker now posts the network as fetched; the
// page draws its map from it at once but shows it only when the engine has accepted that
// network. What a commuter must see: no map that the engine has not accepted, ever; the map as
// soon as it has. Real Chromium against a real feed server; the wasm is held back to make the
// wait long, as a slow link would.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startFeed } from '../bench/startup.js';
import { browserSkip, launchChromium } from './fixtures/browser.mjs';

/** What a commuter can see of the map: its pane's opacity, and whether it takes focus and taps. */
const mapState = () => {
  const box = /** @type {HTMLElement} */ (document.getElementById('map'));
  const pane = box.querySelector('.leaflet-map-pane');
  return {
    segments: box.querySelectorAll('path.fc-seg').length,
    opacity: pane ? getComputedStyle(pane).opacity : '',
    inert: box.inert,
    pending: box.classList.contains('fc-pending'),
    ready: document.documentElement.dataset.ready ?? '',
  };
};

/**
 * Runs `fn` against a feed server (bench/startup.js's dataset) and a browser, then closes both.
 * @param {(feed: Awaited<ReturnType<typeof startFeed>>, browser: import('playwright-core').Browser) => Promise<void>} fn
 */
async function withFeed(fn) {
  const feed = await startFeed();
  const browser = await launchChromium();
  try {
    await fn(feed, browser);
  } finally {
    await browser.close();
    await feed.app.close();
  }
}

/**
 * A page whose worker's wasm request is held until `release()`.
 * @param {import('playwright-core').Browser} browser
 * @param {string} origin
 * @param {(route: import('playwright-core').Route) => Promise<void>} [network] what answers the network request
 */
async function heldWasmPage(browser, origin, network) {
  const page = await browser.newPage();
  /** @type {() => void} */
  let release = () => {};
  const held = new Promise((resolve) => { release = () => resolve(undefined); });
  await page.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  if (network) await page.route('**/api/v1/network', network);
  await page.goto(`${origin}/?tiles=none`);
  return { page, release };
}

test('while the engine loads, the map is drawn but not shown; it appears once the engine has accepted the network', { skip: browserSkip }, () => withFeed(async (feed, browser) => {
  const { page, release } = await heldWasmPage(browser, feed.origin);
  // drawn from the network as fetched, while the wasm is held back
  await page.waitForFunction(() => document.querySelectorAll('#map path.fc-seg').length > 0, null, { timeout: 30_000 });
  const waiting = await page.evaluate(mapState);
  assert.deepEqual({ ...waiting, segments: waiting.segments > 0 }, { segments: true, opacity: '0', inert: true, pending: true, ready: '' },
    'drawn, transparent and inert: nothing of it can be seen, focused or tapped');
  assert.equal(await page.locator('#map path.fc-seg[tabindex="0"]').count(), 1);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('#map') ?? null), null, 'Tab does not reach the hidden map');

  release();
  await page.waitForSelector('html[data-ready]', { timeout: 30_000 });
  const shown = await page.evaluate(mapState);
  assert.deepEqual({ ...shown, ready: shown.ready !== '' }, { segments: waiting.segments, opacity: '1', inert: false, pending: false, ready: true },
    'the same map, shown');
  assert.equal(await page.getAttribute('html', 'data-segments'), String(waiting.segments));
}));

test('a network the engine refuses is never shown, though the page could draw it', { skip: browserSkip }, () => withFeed(async (feed, browser) => {
  // well-formed and drawable, but the engine refuses it: a station with 99 lanes
  const refused = async (/** @type {import('playwright-core').Route} */ route) => {
    const res = await route.fetch();
    const net = await res.json();
    net.sensors[0].lanes = 99;
    await route.fulfill({ response: res, json: net });
  };
  const { page, release } = await heldWasmPage(browser, feed.origin, refused);
  /** @type {string[]} */
  const console = [];
  page.on('console', (m) => console.push(m.text()));
  await page.waitForFunction(() => document.querySelectorAll('#map path.fc-seg').length > 0, null, { timeout: 30_000 });
  release();
  await page.waitForFunction(() => document.getElementById('progress')?.classList.contains('error'), null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  const state = await page.evaluate(mapState);
  assert.equal(state.ready, '', 'no speeds');
  assert.ok(state.segments === 0 || (state.opacity === '0' && state.inert), `the refused network stays hidden: ${JSON.stringify(state)}`);
  // a commuter reads what happened and that it is not their connection; the engine's reason
  // (which station, which rule) is for the developer's console
  const shown = (await page.textContent('#progress'))?.trim() ?? '';
  assert.match(shown, /could not start: the traffic feed sent data this page cannot use\. It is not your connection/);
  assert.doesNotMatch(shown, /sensors\[|lanes|E_[A-Z]|must be/, 'no engine error string');
  assert.ok(console.some((t) => /sensors\[0\]\.lanes/.test(t) && /E_NETWORK/.test(t)), console.join('\n'));
}));

test('a link to a network the feed does not serve says so in plain words, not as an HTTP status', { skip: browserSkip }, () => withFeed(async (feed, browser) => {
  const page = await browser.newPage();
  /** @type {string[]} */
  const console = [];
  page.on('console', (m) => console.push(m.text()));
  await page.goto(`${feed.origin}/?tiles=none&network=nowhere`);
  await page.waitForFunction(() => document.getElementById('progress')?.classList.contains('error'), null, { timeout: 30_000 });
  const shown = (await page.textContent('#progress'))?.trim() ?? '';
  assert.match(shown, /its traffic feed was not found\. The link to this page may be wrong\./);
  assert.doesNotMatch(shown, /HTTP|404|network:/);
  assert.ok(await page.locator('#updated').isHidden(), 'not "Connecting to the feed…": nothing is');
  assert.ok(await page.locator('#horizon-note').isHidden(), 'no promise of forecasts');
  assert.ok(console.some((t) => /network: HTTP 404/.test(t)), console.join('\n'));
}));
