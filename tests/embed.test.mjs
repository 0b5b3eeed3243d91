// Embedding on partner sites, in a real browser: Debian's Chromium driven by playwright-core,
// a real feed server replaying a small simulated dataset (8 days of Atlanta) on an accelerated
// clock, and partner pages on another origin (a second little server, on http://localhost:…
// while flowcast is on http://127.0.0.1:…) under a strict Content Security Policy: the one
// docs/embedding.md documents. Covers the Leaflet layer (its entry point web/flowcast-leaflet.js,
// web/embed/leaflet-layer.js) with the host's global Leaflet and with Leaflet as an ES module,
// its legend control, two <flowcast-map> elements sized by their containers, and
// docs/embedding.md's snippets exactly as written (a map with a height, a frame that follows its
// container's width). tests/embed-errors.test.mjs covers what the embeds report when something
// is wrong and the element's properties; tests/page.test.mjs the app and the same-origin element.
// The sites: tests/fixtures/partner.mjs.
// Screenshots: os.tmpdir()/flowcast-leaflet-layer.png, flowcast-embed-snippets.png,
// flowcast-embed-iframe-phone.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSkip } from './fixtures/browser.mjs';
import { NONCE, PARTNER_LEAFLET, html, startPartnerSite } from './fixtures/partner.mjs';
import { horizonStep, pickCorridors, rightOffset, segmentPairs, speedAt } from '../web/shared/segments.js';

const skip = browserSkip;
const NO_DATA = '#8c8c8c';

/** @type {Awaited<ReturnType<typeof startPartnerSite>>} */
let site;
/** flowcast's origin (the feed server) and the partner's. */
let flowcast = '';
let PARTNER = '';

before(async () => {
  if (skip) return;
  site = await startPartnerSite();
  ({ flowcast, partner: PARTNER } = site);
});

after(async () => {
  await site?.close();
});

const segmentsOf = (/** @type {(c: any) => boolean} */ pick) => site.segmentsOf(pick);
const snippet = (/** @type {string} */ name) => site.snippet(name);
const partnerPage = (/** @type {Record<string, string>} */ pages, /** @type {any} */ context) => site.page(pages, context);

/**
 * The window's properties that were not there when the host recorded `partner.before` (after
 * setting up its own map: Leaflet's own `_leaflet_events` is the host's doing, not flowcast's).
 * @param {import('playwright-core').Page} page
 */
const newGlobals = (page) => page.evaluate(() => Object.keys(window).filter((k) => !(/** @type {any} */ (window)).partner.before.includes(k)));

/** @param {import('playwright-core').Page} page */
const layerStrokes = (page) => page.$$eval('path.flowcast-segment', (ps) => ps.map((p) => p.getAttribute('stroke')));

/**
 * Resolves when a worker closes, or rejects after `ms`.
 * @param {import('playwright-core').Worker} w
 * @param {number} ms
 */
const closed = (w, ms) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`worker ${w.url()} still running after ${ms} ms`)), ms);
  w.once('close', () => { clearTimeout(t); resolve(undefined); });
});

test('Leaflet layer on a partner page of another origin: coloured segments, setHorizon, events, removed without leaks', { skip }, async () => {
  const { page, errors, close } = await partnerPage({
    '/layer.html': html(`<div id="map"></div>
<script nonce="${NONCE}" type="module">
  const map = L.map('map').setView([33.84, -84.42], 10);
  L.circleMarker([33.75, -84.39], { radius: 6 }).addTo(map); // the partner's own vector layer
  partner.before = Object.keys(window);
  await import('${flowcast}/js/flowcast-leaflet.js');
  const listeners = () => Object.values(map._events).reduce((n, a) => n + a.length, 0);
  partner.map = map;
  partner.mapState = () => ({ listeners: listeners(), layers: Object.keys(map._layers).length });
  partner.initial = partner.mapState();
  partner.layer = L.flowcastLayer({ feed: '${flowcast}/api/v1/', corridor: 'I-285', horizon: 0, legend: 'topright' })
    .on('flowcast:update', (e) => { partner.updates.push({ horizon: e.horizon, forecast: e.forecast, local: e.local }); })
    .on('flowcast:error', (e) => { partner.errors.push(e.message); })
    .once('flowcast:network', (e) => { partner.network = e.segments; map.fitBounds(e.bounds); })
    .addTo(map);
</script>`, PARTNER_LEAFLET),
  });
  const worker = page.waitForEvent('worker');
  await page.goto(`${PARTNER}/layer.html`);
  const w = await worker;
  await page.waitForFunction(() => (/** @type {any} */ (window)).partner.updates.some((/** @type {any} */ u) => u.forecast), null, { timeout: 20000 });

  // every I-285 segment drawn in the host's overlay pane, coloured by speed
  const i285 = segmentsOf((c) => c.road === 'I-285');
  assert.equal(await page.evaluate(() => (/** @type {any} */ (window)).partner.network), i285);
  assert.equal(await page.locator('.leaflet-overlay-pane path.flowcast-segment').count(), i285);
  const now = await layerStrokes(page);
  assert.ok(now.every((c) => /^#[0-9a-f]{6}$/.test(c ?? '')), 'every segment has a colour');
  assert.ok(now.filter((c) => c !== NO_DATA).length > 0.9 * i285, 'nearly all segments have data');
  assert.deepEqual(await page.evaluate(() => [typeof L.FlowcastLayer, typeof L.flowcastLayer]), ['function', 'function']);
  assert.deepEqual(await newGlobals(page), [], 'no globals besides the host\'s');

  // setHorizon recolours at once, reports the horizon, and chains
  const same = await page.evaluate(() => {
    const p = /** @type {any} */ (window).partner;
    p.updates.length = 0;
    return p.layer.setHorizon(60) === p.layer && p.layer.getHorizon();
  });
  assert.equal(same, 60);
  const ahead = await layerStrokes(page);
  assert.ok(ahead.some((c, i) => c !== now[i]), 'some segment changes colour at +60 min');
  assert.equal(await page.evaluate(() => (/** @type {any} */ (window)).partner.updates[0].horizon), 60);

  await page.screenshot({ path: join(tmpdir(), 'flowcast-leaflet-layer.png') });

  // the legend: a Leaflet control in the corner asked for, the page's colour key, the data time
  const legend = await page.evaluate(() => {
    const el = document.querySelector('.leaflet-top.leaflet-right .leaflet-control.flowcast-legend');
    const p = /** @type {any} */ (window).partner;
    return el && {
      items: [...el.querySelectorAll('li')].map((li) => li.textContent),
      swatches: [...el.querySelectorAll('.swatch')].map((sw) => getComputedStyle(sw).backgroundColor),
      status: el.querySelector('[role="status"]')?.textContent,
      height: el.getBoundingClientRect().height,
      isControl: p.layer.getLegend() instanceof L.Control,
    };
  });
  assert.ok(legend, 'the legend control is in the top right corner');
  assert.equal(legend.items.length, 6, `bands and "no data": ${legend.items}`);
  assert.equal(legend.items.at(-1), 'no data');
  assert.ok(legend.swatches.slice(0, -1).every((c) => /^rgb\(/.test(c) && c !== 'rgba(0, 0, 0, 0)'), `swatches coloured: ${legend.swatches}`);
  assert.equal(new Set(legend.swatches).size, 6, 'one colour per band');
  assert.match(legend.status ?? '', /^Updated \d\d:\d\d · forecast \+60 min$/);
  assert.ok(legend.height > 80, `legend height ${legend.height}`);
  assert.ok(legend.isControl);

  // a zoom re-places the paths (the gap between directions is in pixels) and keeps them all
  const d0 = await page.getAttribute('path.flowcast-segment', 'd');
  await page.evaluate(() => (/** @type {any} */ (window)).partner.map.zoomIn(1, { animate: false }));
  assert.notEqual(await page.getAttribute('path.flowcast-segment', 'd'), d0);
  assert.equal(await page.locator('path.flowcast-segment').count(), i285);

  // removal: paths, worker and map listeners gone; the map is as it was
  const stopped = closed(w, 5000);
  await page.evaluate(() => (/** @type {any} */ (window)).partner.layer.remove());
  await stopped;
  assert.equal(await page.locator('path.flowcast-segment').count(), 0);
  const state = await page.evaluate(() => {
    const p = /** @type {any} */ (window).partner;
    return { now: p.mapState(), initial: p.initial, has: p.map.hasLayer(p.layer) };
  });
  assert.deepEqual(state.now, state.initial);
  assert.equal(state.has, false);
  assert.equal(await page.locator('.flowcast-legend').count(), 0, 'the legend goes with the layer');
  assert.equal(page.workers().length, 0);

  // added again, it starts over; setCorridor redraws
  const again = page.waitForEvent('worker');
  await page.evaluate(() => {
    const p = /** @type {any} */ (window).partner;
    p.updates.length = 0;
    p.layer.addTo(p.map);
  });
  await again;
  await page.waitForFunction(() => (/** @type {any} */ (window)).partner.updates.length > 0, null, { timeout: 20000 });
  assert.equal(await page.locator('.flowcast-legend').count(), 1, 'the legend comes back with the layer');
  await page.evaluate(() => (/** @type {any} */ (window)).partner.layer.setCorridor('I75-NB'));
  assert.equal(await page.locator('path.flowcast-segment').count(), segmentsOf((c) => c.id === 'I75-NB'));
  await page.evaluate(() => (/** @type {any} */ (window)).partner.layer.remove());
  assert.deepEqual(await newGlobals(page), []);
  assert.deepEqual(await page.evaluate(() => (/** @type {any} */ (window)).partner.errors), []);
  assert.deepEqual(errors, []);
  await close();
});

test('Leaflet as an ES module: flowcastLayer({ L }) and flowcastLegend({ L }) from the named exports', { skip }, async () => {
  const { page, errors, close } = await partnerPage({
    '/esm.html': html(`<div id="map"></div>
<script nonce="${NONCE}" type="module">
  import * as L from '/leaflet-esm.js';
  const map = L.map('map').setView([33.84, -84.42], 10);
  window.partner = { before: [...Object.keys(window), 'partner'] };
  const { flowcastLayer, flowcastLegend } = await import('${flowcast}/js/flowcast-leaflet.js');
  flowcastLegend({ L, position: 'topleft' }).addTo(map);
  flowcastLayer({ L, feed: '${flowcast}/api/v1/', corridor: 'I75-SB', horizon: 15 })
    .on('flowcast:update', (e) => { document.body.dataset.horizon = e.horizon; })
    .addTo(map);
</script>`, '<link rel="stylesheet" href="/leaflet.css">'),
  });
  await page.goto(`${PARTNER}/esm.html`);
  await page.waitForSelector('body[data-horizon="15"]', { timeout: 20000 });
  assert.equal(await page.locator('path.flowcast-segment').count(), segmentsOf((c) => c.id === 'I75-SB'));
  assert.equal(await page.locator('.leaflet-top.leaflet-left .flowcast-legend li').count(), 6, 'a legend of its own, top left');
  assert.deepEqual(await newGlobals(page), [], 'not even L');
  assert.deepEqual(errors, []);
  await close();
});

test('two <flowcast-map> on a partner page of another origin: independent corridors and horizons, sized by their containers', { skip }, async () => {
  const { page, errors, close } = await partnerPage({
    '/elements.html': html(`
<script nonce="${NONCE}">window.partner = { updates: [] }; partner.before = Object.keys(window);
  addEventListener('flowcast:update', (e) => partner.updates.push([e.target.id, e.detail.horizon]));</script>
<script type="module" src="${flowcast}/js/flowcast-embed.js"></script>
<div class="small"><flowcast-map id="a" feed="${flowcast}/api/v1/" corridor="I-75" horizon="0"></flowcast-map></div>
<div class="wide"><flowcast-map id="b" feed="${flowcast}/api/v1/" corridor="I285-CW" horizon="45"></flowcast-map></div>`),
  });
  const worker = page.waitForEvent('worker');
  await page.goto(`${PARTNER}/elements.html`);
  const w = await worker;
  await page.waitForSelector('#a[data-ready="forecast"]', { timeout: 20000 });
  await page.waitForSelector('#b[data-ready="forecast"]', { timeout: 5000 });
  const look = () => page.evaluate(() => Object.fromEntries(['a', 'b'].map((id) => {
    const el = /** @type {HTMLElement} */ (document.getElementById(id));
    const root = /** @type {ShadowRoot} */ (el.shadowRoot);
    const r = el.getBoundingClientRect(), svg = /** @type {SVGSVGElement} */ (root.querySelector('svg')).getBoundingClientRect();
    const bar = /** @type {HTMLElement} */ (root.querySelector('.bar')).getBoundingClientRect();
    return [id, {
      size: [r.width, r.height], svg: [svg.width, svg.height + bar.height + 4], barBelow: bar.top >= svg.bottom, lines: root.querySelectorAll('line').length,
      title: root.querySelector('.title')?.textContent, status: root.querySelector('[role="status"]')?.textContent,
      strokes: [...root.querySelectorAll('line')].map((l) => l.getAttribute('stroke')),
    }];
  })));
  const v = await look();
  assert.deepEqual(v.a.size, [300, 200]);
  assert.deepEqual(v.b.size, [520, 340]);
  assert.deepEqual(v.a.svg, v.a.size, 'the drawing and the legend below it fill the element');
  assert.deepEqual(v.b.svg, v.b.size);
  assert.ok(v.a.barBelow && v.b.barBelow, 'the legend does not cover the drawing');
  assert.equal(v.a.lines, segmentsOf((c) => c.road === 'I-75'));
  assert.equal(v.b.lines, segmentsOf((c) => c.id === 'I285-CW'));
  assert.equal(v.a.title, 'I-75');
  assert.equal(v.b.title, 'I-285 CW');
  assert.match(v.a.status ?? '', /^Updated \d\d:\d\d$/);
  assert.match(v.b.status ?? '', /^Updated \d\d:\d\d · forecast \+45 min$/);
  assert.equal(page.workers().length, 1, 'one engine worker for both');
  const events = await page.evaluate(() => (/** @type {any} */ (window)).partner.updates);
  assert.ok(events.some((/** @type {any} */ [id, h]) => id === 'a' && h === 0) && events.some((/** @type {any} */ [id, h]) => id === 'b' && h === 45), JSON.stringify(events));

  // one element's attribute leaves the other alone; a resized container resizes the element
  await page.evaluate(() => {
    document.getElementById('a')?.setAttribute('horizon', '60');
    /** @type {HTMLElement} */ (document.querySelector('.wide')).style.width = '640px';
  });
  const v2 = await look();
  assert.match(v2.a.status ?? '', /forecast \+60 min$/);
  assert.ok(v2.a.strokes.some((c, i) => c !== v.a.strokes[i]), 'a recolours at +60 min');
  assert.match(v2.b.status ?? '', /forecast \+45 min$/);
  assert.deepEqual(v2.b.size, [640, 340]);
  assert.deepEqual(v2.b.svg, [640, 340]);
  assert.deepEqual(await newGlobals(page), []);

  // the shared worker stops when the last element leaves
  const stopped = closed(w, 5000);
  await page.evaluate(() => document.getElementById('a')?.remove());
  await page.waitForTimeout(200);
  assert.equal(page.workers().length, 1, 'still used by b');
  await page.evaluate(() => document.getElementById('b')?.remove());
  await stopped;
  assert.deepEqual(errors, []);
  await close();
});

test('docs/embedding.md: the three snippets work as written, on another origin, under the documented CSP', { skip }, async () => {
  // the partner adds its nonce to its own <script> and <style> tags, as its CSP requires
  const withNonce = (/** @type {string} */ s) => s.replaceAll('<script', `<script nonce="${NONCE}"`).replaceAll('<style', `<style nonce="${NONCE}"`);
  const { page, errors, logs, close } = await partnerPage({
    '/snippets.html': html(['element', 'iframe', 'leaflet'].map((name) => withNonce(snippet(name))).join('\n'),
      `<link rel="stylesheet" href="/leaflet.css"><script nonce="${NONCE}" src="/leaflet.js"></script>`),
  }, { viewport: { width: 1300, height: 900 } });
  await page.goto(`${PARTNER}/snippets.html`);
  await page.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
  const frame = page.frames().find((f) => f.url().startsWith(`${flowcast}/embed.html`));
  assert.ok(frame, 'the iframe loads embed.html');
  await frame.waitForSelector('flowcast-map[data-ready="forecast"]', { timeout: 30000 });
  const inFrame = await frame.evaluate(() => {
    const root = /** @type {ShadowRoot} */ (document.querySelector('flowcast-map')?.shadowRoot);
    return { lines: root.querySelectorAll('line').length, status: root.querySelector('[role="status"]')?.textContent };
  });
  assert.equal(inFrame.lines, segmentsOf((c) => c.road === 'I-75'));
  assert.match(inFrame.status ?? '', /forecast \+15 min$/);
  const sizes = await page.evaluate(() => {
    const box = (/** @type {string} */ sel) => {
      const r = /** @type {HTMLElement} */ (document.querySelector(sel)).getBoundingClientRect();
      return [Math.round(r.width), Math.round(r.height)];
    };
    const el = /** @type {HTMLElement} */ (document.querySelector('flowcast-map'));
    return { lines: el.shadowRoot?.querySelectorAll('line').length, element: box('flowcast-map'), frame: box('iframe'), map: box('#partner-map') };
  });
  assert.equal(sizes.lines, segmentsOf((c) => c.road === 'I-285'));
  assert.deepEqual(sizes.element, [480, 320]);
  assert.deepEqual(sizes.frame, [720, 480], 'the frame: its container\'s width up to 720 px, 3:2');
  assert.deepEqual(sizes.map, [1284, 420], 'the Leaflet map has the height its snippet gives it');
  await page.waitForFunction(() => document.querySelectorAll('path.flowcast-segment').length > 0, null, { timeout: 30000 });
  assert.equal(await page.locator('path.flowcast-segment').count(), segmentsOf((c) => c.road === 'I-285'));
  assert.equal(await page.locator('#partner-map .leaflet-bottom.leaflet-right .flowcast-legend').count(), 1, 'legend: true adds the legend');
  assert.ok(logs.some((l) => /^data of \d\d:\d\d, \+(0|30) min$/.test(l)), `layer events: ${logs.join(' | ')}`);
  assert.ok(!logs.some((l) => /flowcast|traffic layer/.test(l) && !/^data of/.test(l)), `no problem reported: ${logs.join(' | ')}`);
  await page.screenshot({ path: join(tmpdir(), 'flowcast-embed-snippets.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await close();
});

test('docs/embedding.md: the iframe snippet on a phone takes the column\'s width, and the map fills the frame', { skip }, async () => {
  const { page, errors, close } = await partnerPage({
    '/frame.html': html(snippet('iframe').replaceAll('<style', `<style nonce="${NONCE}"`)),
  }, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await page.goto(`${PARTNER}/frame.html`);
  // loading="lazy": the frame navigates once laid out, possibly after the page's load event
  let frame;
  for (let i = 0; i < 100 && !frame; i++, await page.waitForTimeout(100)) frame = page.frames().find((f) => f.url().startsWith(`${flowcast}/embed.html`));
  assert.ok(frame, 'the iframe loads embed.html');
  await frame.waitForSelector('flowcast-map[data-ready]', { timeout: 30000 });
  const outer = await page.evaluate(() => {
    const r = /** @type {HTMLElement} */ (document.querySelector('iframe')).getBoundingClientRect();
    return [r.width, r.height];
  });
  assert.equal(outer[0], 390 - 16, 'the frame takes the column\'s width (body margin 8 px)');
  assert.ok(Math.abs(outer[1] - outer[0] * 2 / 3) < 1, `3:2: ${outer}`);
  const inner = await frame.evaluate(() => {
    const el = /** @type {HTMLElement} */ (document.querySelector('flowcast-map'));
    const r = el.getBoundingClientRect();
    const svg = /** @type {SVGSVGElement} */ (el.shadowRoot?.querySelector('svg')).getBoundingClientRect();
    return { size: [r.width, r.height], svg: [svg.width, svg.height], scroll: document.documentElement.scrollHeight };
  });
  // (a frame's viewport is whole CSS pixels)
  assert.ok(inner.size.every((v, i) => Math.abs(v - outer[i]) < 1), `the map fills the frame: ${inner.size} in ${outer}`);
  assert.ok(inner.svg[1] > 0.5 * outer[1], `the drawing keeps most of the height: ${inner.svg}`);
  assert.ok(inner.scroll <= Math.ceil(outer[1]), 'no scrolling inside the frame');
  await page.screenshot({ path: join(tmpdir(), 'flowcast-embed-iframe-phone.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('segments.js, the geometry every drawing shares: corridors, pairs, offsets, horizons', () => {
  const net = /** @type {any} */ ({
    sensors: ['a', 'b', 'c', 'x', 'y'].map((id) => ({ id })),
    corridors: [
      { id: 'R-CW', road: 'R', direction: 'CW', loop: true, sensors: ['a', 'b', 'c'] },
      { id: 'S-NB', road: 'S', direction: 'NB', sensors: ['x', 'gone', 'y'] },
    ],
  });
  assert.deepEqual(pickCorridors(net, ' R ').map((c) => c.id), ['R-CW']);
  assert.deepEqual(pickCorridors(net, 'S-NB').map((c) => c.id), ['S-NB']);
  assert.deepEqual(pickCorridors(net, '').length, 2);
  assert.deepEqual(pickCorridors(net, 'nope'), []);
  // a loop closes; an unknown station is skipped; `first`/`count` index within the list
  assert.deepEqual(segmentPairs(net), [
    { sensor: 0, next: 1, corridor: 0, first: 0, count: 3 }, { sensor: 1, next: 2, corridor: 0, first: 0, count: 3 },
    { sensor: 2, next: 0, corridor: 0, first: 0, count: 3 }, { sensor: 3, next: 4, corridor: 1, first: 3, count: 1 },
  ]);
  assert.deepEqual(segmentPairs(net, pickCorridors(net, 'S')), [{ sensor: 3, next: 4, corridor: 1, first: 0, count: 1 }]);
  // right of travel with y down: heading east (+x) the right is south (+y)
  assert.deepEqual(rightOffset(10, 0, 2), [-0, 2]);
  assert.deepEqual(rightOffset(0, -5, 1), [1, 0]);
  const f = /** @type {any} */ ({ horizons: 12, intervalS: 300, mid: Float32Array.from({ length: 24 }, (_, i) => i) });
  assert.deepEqual([0, 2, 3, 30, 60, 90, -5, NaN].map((m) => horizonStep(f, m)), [0, 0, 1, 6, 12, 12, 0, 0]);
  assert.equal(horizonStep(null, 30), 0);
  assert.equal(speedAt([50, 60], f, 1, 0), 60);
  assert.equal(speedAt([50, 60], f, 1, 3), 12 + 2);
  assert.equal(speedAt([50, 60], null, 1, 3), 60);
});

