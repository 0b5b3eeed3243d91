// The page on a phone (390x844) and on a desktop (1280x800), in Chromium, as a commuter meets it:
// the whole network in the first view, the network's name and the "simulated data" notice, every
// control big enough to tap (WCAG 2.5.8: 24 px), a tap beside a road still picks it, the
// segment's details as a bottom sheet whose summary and chart are on screen without scrolling,
// closed with its button or Escape; the developer controls only on the desktop.
// Screenshots: test-output/flowcast-phone-sheet.png, test-output/flowcast-desktop-layout.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, browserSkip } from './fixtures/browser.mjs';
import { startPageServer } from './fixtures/page-server.mjs';
import { carriagewayName, fullStationName } from '../web/shared/names.js';

const skip = browserSkip;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** WCAG 2.5.8 (target size, minimum). */
const MIN_TARGET_PX = 24;
/** Taps closer in time than this are a double tap, which zooms the map instead of choosing. */
const DOUBLE_TAP_MS = 600;
/** How far beside a road's drawn line a tap lands: outside the 4 px line, inside a 24 px target. */
const BESIDE_PX = 10;

/** @type {Awaited<ReturnType<typeof startPageServer>>} */
let server;

before(async () => {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  if (!skip) server = await startPageServer({ seed: 6 });
});
after(() => server?.close());

/**
 * Bounding boxes of every segment, of the map, and what is drawn at the centre of the network's
 * four outermost segments (a notice or a control over the network's edge would show there).
 * @param {import('playwright-core').Page} page
 */
const networkInView = (page) => page.evaluate(() => {
  const map = /** @type {HTMLElement} */ (document.getElementById('map')).getBoundingClientRect();
  const boxes = [...document.querySelectorAll('path.fc-seg')].map((p) => p.getBoundingClientRect());
  const outside = boxes.filter((b) => b.top < map.top || b.bottom > map.bottom || b.left < map.left || b.right > map.right).length;
  const extremes = [
    boxes.reduce((a, b) => (b.top < a.top ? b : a)), boxes.reduce((a, b) => (b.bottom > a.bottom ? b : a)),
    boxes.reduce((a, b) => (b.left < a.left ? b : a)), boxes.reduce((a, b) => (b.right > a.right ? b : a)),
  ];
  const onTop = extremes.map((b) => document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)?.getAttribute('class') ?? 'nothing');
  return { outside, count: boxes.length, onTop, mapBottom: map.bottom };
});

/**
 * The point BESIDE_PX to the right of a segment's middle (segments are drawn right of their
 * direction of travel, so this is the side away from the opposite carriageway), and the segment
 * whose target is there (the page's own hit test, without the browser's touch adjustment, which
 * not every phone's browser does).
 * @param {import('playwright-core').Page} page
 * @param {number} index
 */
const besideSegment = (page, index, beside = BESIDE_PX) => page.evaluate(([i, d]) => {
  const p = /** @type {SVGPathElement} */ (document.querySelector(`path.fc-seg[data-segment="${i}"]`));
  const m = /** @type {DOMMatrix} */ (p.getScreenCTM());
  const at = (/** @type {number} */ len) => new DOMPoint(p.getPointAtLength(len).x, p.getPointAtLength(len).y).matrixTransform(m);
  const len = p.getTotalLength();
  const a = at(0), b = at(len), mid = at(len / 2);
  const dx = b.x - a.x, dy = b.y - a.y, n = Math.hypot(dx, dy) || 1;
  const x = mid.x - (dy / n) * d, y = mid.y + (dx / n) * d;
  const el = /** @type {HTMLElement | null} */ (/** @type {unknown} */ (document.elementFromPoint(x, y)));
  // on the open map: inside its box, away from the zoom buttons (the view moves as segments are chosen)
  const inside = (/** @type {Element | null} */ box) => {
    const r = box?.getBoundingClientRect();
    return !!r && x > r.left && x < r.right && y > r.top && y < r.bottom;
  };
  const onMap = inside(document.getElementById('map')) && !inside(document.querySelector('.leaflet-control-zoom'));
  return { x, y, onMap, target: el?.dataset.hitFor ?? el?.dataset.segment ?? el?.tagName ?? 'nothing' };
}, [index, beside]);

test('phone: the whole network, the place and the simulated notice, 24 px targets, a bottom sheet in view', { skip }, async () => {
  const { ctx, page, errors } = await server.open('/', PHONE);
  const net = server.network;

  // where and what: the network's own name (it names the city), and that the data is simulated
  assert.equal(await page.textContent('#place'), net.name);
  assert.match(net.name, /Atlanta/);
  assert.ok(await page.getByText('Simulated data, not live traffic').isVisible());
  assert.match(await page.title(), /Atlanta.*simulated/);

  // the first view shows the whole network, nothing drawn over its ends, the map on screen
  const view = await networkInView(page);
  assert.equal(view.outside, 0, `${view.outside} of ${view.count} segments outside the map`);
  // an incident sign on a road is part of the map's own drawing (web/page/incidents.js)
  for (const cls of view.onTop) assert.match(cls, /fc-seg|fc-hit|fc-incident/, `the network's edge is covered by ${cls}`);
  assert.ok(view.mapBottom <= 844, `the map ends at ${view.mapBottom}, below the first screen`);

  // developer controls are left out on a phone
  assert.ok(await page.locator('#perf-toggle').isHidden());
  assert.ok(await page.locator('.hint').isHidden());

  // every visible control is at least 24 px both ways (links inside a sentence are exempt)
  const small = await page.evaluate((min) => [...document.querySelectorAll('button, input, select, a[href], [role="slider"]')]
    .filter((el) => !el.closest('.leaflet-control-attribution'))
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < min || r.height < min))
    .map(({ el, r }) => `${el.outerHTML.slice(0, 60)} ${Math.round(r.width)}x${Math.round(r.height)}`), MIN_TARGET_PX);
  assert.deepEqual(small, []);

  // a tap beside a road, not on its 4 px line, picks that road: on each corridor, the first
  // segment from a third of the way along that is on the open map (choosing one pans the map)
  const details = page.getByRole('region', { name: 'Segment details' });
  let last = -1;
  for (const corridor of net.corridors) {
    let st = null, index = -1, at = null;
    for (let k = Math.floor(corridor.sensors.length / 3); k < corridor.sensors.length - 1; k++) {
      st = net.sensors.find((/** @type {any} */ s) => s.id === corridor.sensors[k]);
      index = Number(await page.locator(`path.fc-seg[aria-label^="${fullStationName(st, corridor)}:"]`).first().getAttribute('data-segment'));
      at = await besideSegment(page, index);
      if (at.onMap) break;
    }
    assert.ok(at?.onMap, `a segment of ${corridor.id} on the map`);
    assert.equal(at.target, String(index), `${BESIDE_PX} px beside ${st.id} is its target`);
    await page.waitForTimeout(DOUBLE_TAP_MS);
    await page.touchscreen.tap(at.x, at.y);
    await details.waitFor();
    const title = await details.getByRole('heading').textContent();
    assert.ok(title?.startsWith(`${carriagewayName(corridor)}, `), `a tap beside ${st.id} opened "${title}"`);
    last = index;
    await page.keyboard.press('Escape');
    assert.ok(await details.isHidden(), 'Escape closes the sheet');
  }

  // the sheet, with its chart, fits on the screen as it is (no scrolling): the last segment
  // again (the map was panned to keep it above the sheet, so it is on screen)
  const at = await besideSegment(page, last, 0);
  assert.equal(at.target, String(last), 'the segment is on screen, not covered');
  await page.waitForTimeout(DOUBLE_TAP_MS);
  await page.touchscreen.tap(at.x, at.y);
  await page.waitForSelector('#details[data-chart="ready"] .uplot canvas', { timeout: 10000 });
  const boxes = await page.evaluate(() => {
    const r = (/** @type {string} */ sel) => /** @type {Element} */ (document.querySelector(sel)).getBoundingClientRect().toJSON();
    return { sheet: r('#details'), summary: r('#details .facts'), chart: r('#details .uplot canvas'), selected: r('path.fc-seg.selected'), scrollY };
  });
  assert.equal(boxes.scrollY, 0);
  for (const part of ['sheet', 'summary', 'chart']) {
    const b = boxes[/** @type {'sheet'} */ (part)];
    assert.ok(b.top >= 0 && b.bottom <= 844 && b.height > 0, `${part} ${JSON.stringify(b)} within the 844 px screen`);
  }
  assert.ok(boxes.chart.height >= 120, 'a chart one can read');
  assert.ok(boxes.selected.bottom <= boxes.sheet.top, 'the chosen segment is not hidden under the sheet');
  assert.match(await details.innerText(), /Speed now\s+(\d+ mph|no data)/);
  await page.screenshot({ path: join(ROOT, 'test-output', 'flowcast-phone-sheet.png') });

  // closed with its button (a big enough one)
  await details.getByRole('button', { name: 'Close segment details' }).tap();
  assert.ok(await details.isHidden());
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('desktop: developer controls shown; no simulated notice for a network that does not say so', { skip }, async () => {
  const ctx = await server.browser.newContext({ viewport: { width: 1280, height: 800 } });
  // the same feed, with a network document that does not declare itself simulated
  await ctx.route('**/api/v1/network', async (r) => {
    const res = await r.fetch();
    const { simulated, ...rest } = await res.json();
    assert.equal(simulated, true);
    await r.fulfill({ response: res, json: rest });
  });
  const { page, errors } = await server.open('/', undefined, ctx);
  assert.equal(await page.textContent('#place'), server.network.name);
  assert.ok(await page.locator('#simulated').isHidden());
  assert.doesNotMatch(await page.title(), /simulated/);
  const view = await networkInView(page);
  assert.equal(view.outside, 0);
  for (const cls of view.onTop) assert.match(cls, /fc-seg|fc-hit|fc-incident/);
  assert.ok(await page.getByRole('button', { name: 'Performance' }).isVisible());
  assert.ok(await page.locator('.hint').isVisible());
  // the details sit beside the map, not over it
  await page.locator('path.fc-seg').nth(40).dispatchEvent('click');
  const sheet = await page.locator('#details').boundingBox();
  const map = await page.locator('#map').boundingBox();
  assert.ok(sheet && map && sheet.x >= map.x + map.width, 'details beside the map');
  await page.screenshot({ path: join(ROOT, 'test-output', 'flowcast-desktop-layout.png') });
  assert.deepEqual(errors, []);
  await ctx.close();
});
