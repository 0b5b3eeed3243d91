// Local words and road marks, as an Atlanta commuter reads them with map tiles blocked (the case
// where nothing else on the map says which line is which road): "I-75" and "I-285" shields in the
// first view on a phone and a desktop, in both themes; direction arrows on every carriageway
// that point the way its traffic drives, beside its own line, and take no clicks; the details
// headline and the segments' accessible names in the same local words ("I-285 Inner Loop
// (clockwise), exit 20 (Cumberland)"), never "CW/CCW"; a forecast dated from the data's time.
// Screenshots: test-output/flowcast-labels-<desktop|phone>-<light|dark>.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, browserSkip } from './fixtures/browser.mjs';
import { contrast, rgbOf } from './fixtures/wcag.mjs';
import { startPageServer } from './fixtures/page-server.mjs';
import { carriagewayName, fullStationName, spotName, stationName } from '../web/shared/names.js';
import { segmentPairs } from '../web/shared/segments.js';

const skip = browserSkip;
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** An arrow drawn more than this off its segment's direction points somewhere else. */
const ANGLE_TOLERANCE_DEG = 5;
/** Farther than this from its own line, an arrow could be read as the other carriageway's. */
const ARROW_NEAR_PX = 20;
/** Direction codes that must not reach a commuter's eyes or ears. */
const CODES = /\b(CW|CCW|NB|SB)\b/;

/** @type {Awaited<ReturnType<typeof startPageServer>>} */
let server;

before(async () => {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  if (!skip) server = await startPageServer({ seed: 11 });
});
after(() => server?.close());

test('names: local loop names, directions in words, the spot from exit, area, label or milepost', () => {
  const base = { id: 'X', lat: 0, lon: 0, road: 'I-285', direction: 'CW', milepost: 19.14, lanes: 4, speed_limit_mph: 65 };
  const loop = { id: 'I285-CW', road: 'I-285', direction: 'CW', name: 'Inner Loop', sensors: ['X'] };
  assert.equal(carriagewayName(loop), 'I-285 Inner Loop (clockwise)');
  assert.equal(carriagewayName({ road: 'I-285', direction: 'CCW', name: 'Outer Loop' }), 'I-285 Outer Loop (counterclockwise)');
  assert.equal(carriagewayName({ road: 'I-75', direction: 'NB' }), 'I-75 northbound');
  assert.equal(carriagewayName({ road: 'US-78', direction: 'E' }), 'US-78 E', 'an unknown code as the network wrote it');
  assert.equal(stationName({ ...base, exit: '20', place: 'Cumberland', label: 'at I-75' }, loop), 'I-285 Inner Loop (clockwise), exit 20 (Cumberland)');
  assert.equal(spotName({ ...base, place: 'Smyrna', label: 'near Atlanta Rd' }), 'near Smyrna');
  assert.equal(spotName({ ...base, label: 'near Atlanta Rd' }), 'near Atlanta Rd');
  assert.equal(spotName(base), 'mile 19.1');
  // a screen reader's name tells neighbours apart: the milepost and label too, never twice
  assert.equal(fullStationName({ ...base, exit: '20', place: 'Cumberland', label: 'at I-75' }, loop),
    'I-285 Inner Loop (clockwise), exit 20 (Cumberland), mile 19.1 at I-75');
  assert.equal(fullStationName({ ...base, label: 'near Atlanta Rd' }, null), 'I-285 clockwise, near Atlanta Rd, mile 19.1');
});

/**
 * The shields and arrows as drawn, with what the test needs to judge them.
 * @param {import('playwright-core').Page} page
 */
const marks = (page) => page.evaluate(() => {
  const box = (/** @type {Element} */ el) => el.getBoundingClientRect().toJSON();
  const pane = document.querySelector('.fc-marks');
  const controls = [...document.querySelectorAll('.leaflet-control')].map(box);
  const shields = [...document.querySelectorAll('.fc-shield')].map((el) => {
    const r = el.getBoundingClientRect(), css = getComputedStyle(el);
    // what a tap on the shield reaches: the map under it, never the shield
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { text: el.textContent, r: r.toJSON(), visible: css.visibility === 'visible' && css.opacity === '1' && css.display !== 'none', takesTaps: hit === el, bg: css.backgroundColor };
  });
  const arrows = [...document.querySelectorAll('svg.fc-arrow')].map((el) => {
    const r = el.getBoundingClientRect(), m = new DOMMatrix(getComputedStyle(el).transform);
    const c = { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    const seg = /** @type {SVGPathElement} */ (document.querySelector(`path.fc-seg[data-segment="${/** @type {HTMLElement} */ (/** @type {unknown} */ (el)).dataset.segment}"]`));
    const ctm = /** @type {DOMMatrix} */ (seg.getScreenCTM());
    const at = (/** @type {number} */ len) => new DOMPoint(seg.getPointAtLength(len).x, seg.getPointAtLength(len).y).matrixTransform(ctm);
    const hit = document.elementFromPoint(c.x, c.y);
    return {
      segment: Number(/** @type {HTMLElement} */ (/** @type {unknown} */ (el)).dataset.segment), c, r: r.toJSON(),
      degrees: (Math.atan2(m.b, m.a) * 180) / Math.PI, a: at(0).toJSON(), b: at(seg.getTotalLength()).toJSON(),
      takesTaps: !!hit && (hit === el || el.contains(hit)),
      ink: getComputedStyle(/** @type {Element} */ (el.querySelector('.ink'))).stroke,
    };
  });
  return {
    map: box(/** @type {Element} */ (document.getElementById('map'))), controls, shields, arrows,
    hidden: pane?.getAttribute('aria-hidden'), mapBg: getComputedStyle(/** @type {Element} */ (document.getElementById('map'))).backgroundColor,
    innerHeight,
  };
});

/** @param {{ left: number, top: number, right: number, bottom: number }} a @param {{ left: number, top: number, right: number, bottom: number }} b */
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
/** @param {{ left: number, top: number, right: number, bottom: number }} outer @param {{ left: number, top: number, right: number, bottom: number }} r */
const inside = (outer, r) => r.left >= outer.left && r.right <= outer.right && r.top >= outer.top && r.bottom <= outer.bottom;

/** WCAG contrast of two CSS colours. @param {string} a @param {string} b */
const contrastOf = (a, b) => contrast(rgbOf(a), rgbOf(b));

/**
 * The direction of travel from one station to the next on a north-up Web Mercator map, in
 * screen degrees (0 = east, 90 = south), from the network's coordinates alone.
 * @param {{ lat: number, lon: number }} a @param {{ lat: number, lon: number }} b
 */
function screenBearing(a, b) {
  const y = (/** @type {number} */ lat) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return (Math.atan2(-(y(b.lat) - y(a.lat)), ((b.lon - a.lon) * Math.PI) / 180) * 180) / Math.PI;
}

for (const [device, context] of /** @type {const} */ ([['desktop', DESKTOP], ['phone', PHONE]])) {
  for (const scheme of /** @type {const} */ (['light', 'dark'])) {
    test(`${device}, ${scheme}, no tiles: road shields in the first view, arrows the way traffic drives, no clicks taken`, { skip }, async () => {
      const { ctx, page, errors } = await server.open('/', { ...context, colorScheme: scheme });
      try {
        await page.waitForSelector('.fc-shield');
        const m = await marks(page);
        await page.screenshot({ path: join(ROOT, 'test-output', `flowcast-labels-${device}-${scheme}.png`) });
        assert.equal(m.hidden, 'true', 'the marks are hidden from screen readers (the segments carry the words)');

        // each road's shield, whole, on the map, on the first screen, clear of the map's controls
        const firstView = { left: m.map.left, right: m.map.right, top: m.map.top, bottom: Math.min(m.map.bottom, m.innerHeight) };
        const seen = m.shields.filter((s) => s.visible && inside(firstView, s.r) && !m.controls.some((c) => overlaps(c, s.r)));
        for (const road of ['I-75', 'I-285']) assert.ok(seen.some((s) => s.text === road), `a whole "${road}" shield in view: ${JSON.stringify(m.shields.map((s) => s.text))}`);
        // Interstates on the Interstate's red-over-blue shield (a network's other names get a plain tag: networks.test.mjs)
        for (const s of m.shields) assert.equal(s.bg, 'rgb(29, 79, 145)', `${s.text}'s shield`);
        assert.ok(seen.length >= 4, `a few shields along the roads (${seen.length})`);
        for (const [i, s] of m.shields.entries()) {
          assert.ok(!s.takesTaps, `shield ${s.text} takes no taps`);
          for (const t of m.shields.slice(i + 1)) assert.ok(!overlaps(s.r, t.r), `shields ${s.text} and ${t.text} overlap`);
        }

        // arrows on every carriageway, pointing along it (from the network's own coordinates),
        // just right of their own line (where that carriageway is drawn), taking no taps
        const pairs = segmentPairs(server.network);
        const sensors = server.network.sensors;
        const byCorridor = new Map();
        for (const a of m.arrows) {
          const pair = pairs[a.segment];
          byCorridor.set(pair.corridor, (byCorridor.get(pair.corridor) ?? 0) + (inside(m.map, a.r) ? 1 : 0));
          const want = screenBearing(sensors[pair.sensor], sensors[pair.next]);
          const off = Math.abs(((a.degrees - want + 540) % 360) - 180);
          assert.ok(off < ANGLE_TOLERANCE_DEG, `arrow on ${sensors[pair.sensor].id} → ${sensors[pair.next].id} turned ${a.degrees.toFixed(0)}°, travel ${want.toFixed(0)}°`);
          const dx = a.b.x - a.a.x, dy = a.b.y - a.a.y, len = Math.hypot(dx, dy) || 1;
          const side = (dx * (a.c.y - a.a.y) - dy * (a.c.x - a.a.x)) / len; // > 0: right of travel on screen
          assert.ok(side > 0 && side < ARROW_NEAR_PX, `arrow on ${sensors[pair.sensor].id} ${side.toFixed(1)} px right of its line`);
          assert.ok(!a.takesTaps, 'arrows take no taps');
          assert.ok(!m.shields.some((s) => a.c.x > s.r.left && a.c.x < s.r.right && a.c.y > s.r.top && a.c.y < s.r.bottom), 'no arrow under a shield');
        }
        for (const [ci, c] of server.network.corridors.entries()) assert.ok((byCorridor.get(ci) ?? 0) >= 3, `${c.id}: ${byCorridor.get(ci) ?? 0} arrows on the map`);
        const ink = contrastOf(m.arrows[0].ink, m.mapBg);
        assert.ok(ink >= 3, `arrows show on the ${scheme} map: ${ink.toFixed(2)}:1`);
        assert.deepEqual(errors, []);
      } finally {
        await ctx.close();
      }
    });
  }
}

test('details and accessible names in local words: Inner Loop, exit and area; forecast dated from the data', { skip }, async () => {
  const { ctx, page, errors } = await server.open('/?h=30', DESKTOP);
  try {
    const net = server.network;
    const pairs = segmentPairs(net);
    const ci = net.corridors.findIndex((/** @type {any} */ c) => c.id === 'I285-CW');
    assert.equal(net.corridors[ci].name, 'Inner Loop');
    // an Inner Loop segment whose station has an exit and an area
    const index = pairs.findIndex((p) => p.corridor === ci && net.sensors[p.sensor].exit && net.sensors[p.sensor].place);
    assert.ok(index >= 0, 'the Atlanta network has exits on the Inner Loop');
    const st = net.sensors[pairs[index].sensor];
    const seg = page.locator(`path.fc-seg[data-segment="${index}"]`);
    await seg.focus();
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'Segment details' });
    await details.waitFor();
    const headline = (await details.getByRole('heading').textContent()) ?? '';
    assert.equal(headline, `I-285 Inner Loop (clockwise), exit ${st.exit} (${st.place})`);
    // the segment's name says the same words first, then its speed
    const name = (await seg.getAttribute('aria-label')) ?? '';
    assert.ok(name.startsWith(`${headline}, mile ${st.milepost.toFixed(1)}`), `"${name}" begins with the headline`);
    assert.match(name, /: (\d+ mph|no data) now/);
    // the forecast's label is the slider's: from the data's time, not "In 30 min"
    // both read in one task: the feed's next snapshot may move the time between two reads
    const read = () => page.evaluate(() => [document.querySelector('#horizon-out')?.textContent ?? '',
      document.querySelector('#details [data-field="ahead-label"]')?.textContent ?? '']);
    let [slider, label] = await read();
    if (label !== slider) [slider, label] = await read();
    assert.match(slider, /^\+30 min from \d\d:\d\d$/);
    assert.equal(label, slider);
    const text = await details.innerText();
    assert.doesNotMatch(text, /10%|90%|\bIn \d+ min/);
    assert.match(text, /likely between \d+ and \d+ mph|\d+ mph\n/);

    // an I-75 segment: the direction in words
    const nb = pairs.findIndex((p) => net.corridors[p.corridor].id === 'I75-NB');
    await page.locator(`path.fc-seg[data-segment="${nb}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^I-75 northbound, /.test(document.querySelector('#details h2')?.textContent ?? ''), null, { timeout: 5000 });

    // no direction codes anywhere a commuter reads or hears (the detector's id is a footnote for fault reports)
    const visible = await page.evaluate(() => {
      const id = /** @type {HTMLElement} */ (document.querySelector('[data-field="station"]'));
      const saved = id.textContent;
      id.textContent = '';
      const all = document.body.innerText;
      id.textContent = saved;
      return all;
    });
    assert.doesNotMatch(visible, CODES);
    const names = await page.$$eval('path.fc-seg', (ps) => ps.map((p) => p.getAttribute('aria-label') ?? ''));
    assert.equal(names.filter((n) => CODES.test(n)).length, 0, names.find((n) => CODES.test(n)));
    assert.ok(names.some((n) => n.startsWith('I-285 Outer Loop (counterclockwise), ')));
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
