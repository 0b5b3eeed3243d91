// The map as a commuter reads it, in Chromium (light and dark themes, tiles blocked so the map's
// own background is what the roads sit on): conventional speed colours whose every class keeps
// 3:1 contrast against that background (WCAG 1.4.11), measured from the page's computed styles;
// a legend that shows exactly what the map draws; the jam class told apart by a dash as well as
// by colour; and old data that looks old — the map fades after two missed feed intervals, the
// header gives the data's time and age, the horizon is labelled from the data's time, and all of
// it recovers when fresh data comes.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROOT, browserSkip } from './fixtures/browser.mjs';
import { contrast, luminance, rgbOf } from './fixtures/wcag.mjs';
import { LIVE, openPage, startFeed } from './fixtures/feed-page.mjs';
import { NO_DATA_COLOR, SPEED_BINS } from '../web/shared/colors.js';

const skip = browserSkip;

test('every speed class keeps 3:1 against the map background of both themes in style.css, lightness falling toward the jam', () => {
  // the same check as in the browser below, from the source files, for machines without Chromium
  const css = readFileSync(`${ROOT}public/style.css`, 'utf8');
  const light = /:root\s*{[^}]*--map-bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
  const dark = /prefers-color-scheme: dark\)\s*{\s*:root\s*{[^}]*--map-bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
  assert.ok(light && dark, 'style.css defines --map-bg for both themes');
  for (const [scheme, bg] of /** @type {const} */ ([['color', light], ['dark', dark]])) {
    const colours = SPEED_BINS.map((b) => b[scheme]);
    for (const c of [...colours, NO_DATA_COLOR]) {
      assert.ok(contrast(rgbOf(c), rgbOf(bg)) >= 3, `${c} on ${bg}: ${contrast(rgbOf(c), rgbOf(bg)).toFixed(2)}:1`);
    }
    const l = colours.map((c) => luminance(rgbOf(c)));
    assert.ok(l.every((v, i) => i === 0 || v > l[i - 1]), `${scheme}: lighter with every faster class`);
  }
});

/** @type {Awaited<ReturnType<typeof startFeed>>} */
let feed;
before(async () => { if (!skip) feed = await startFeed('commuter-map'); });
after(async () => { await feed?.close(); });

/**
 * What the map and its legend show, from computed styles.
 * @param {import('playwright-core').Page} page
 */
const readMap = (page) => page.evaluate(() => {
  const mapBg = getComputedStyle(/** @type {Element} */ (document.getElementById('map'))).backgroundColor;
  const legend = [...document.querySelectorAll('#legend li')].map((li) => {
    const sw = /** @type {Element} */ (li.querySelector('.swatch'));
    return { bin: Number(/** @type {HTMLElement} */ (li).dataset.bin), text: li.textContent ?? '', color: getComputedStyle(sw).color, pattern: getComputedStyle(sw).backgroundImage };
  });
  const segs = [...document.querySelectorAll('path.fc-seg')].map((p) => {
    const cs = getComputedStyle(p);
    return { cls: [...p.classList].find((c) => c.startsWith('speed-')) ?? '', stroke: cs.stroke, dash: cs.strokeDasharray };
  });
  return { mapBg, legend, segs };
});

for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  test(`${scheme} theme: conventional colours, each class 3:1 against the map, the legend matches the map`, { skip }, async () => {
    const { page, errors, close } = await openPage(feed.browser, `${feed.origin}/?retry=300`, { colorScheme: scheme });
    try {
      await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
      const { mapBg, legend, segs } = await readMap(page);

      // the legend: fastest first, thresholds in mph, then "no data"
      assert.deepEqual(legend.map((l) => l.bin), [4, 3, 2, 1, 0, -1]);
      assert.match(legend[0].text, /^50\+ mph \(free flow\)$/);
      assert.deepEqual(legend.slice(1, 4).map((l) => l.text), ['40–50 mph', '30–40 mph', '15–30 mph']);
      assert.match(legend[4].text, /^under 15 mph \(stop and go\)$/);
      assert.equal(legend[5].text, 'no data');
      // green for free flow, then yellow, orange, red, dark red: the hue a commuter expects
      const hue = (/** @type {number[]} */ [r, g, b]) => {
        const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min || 1;
        const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
        return (h * 60 + 360) % 360;
      };
      const hues = legend.slice(0, 5).map((l) => hue(rgbOf(l.color)));
      assert.ok(hues[0] > 90 && hues[0] < 160, `free flow is green (hue ${hues[0].toFixed(0)})`);
      assert.ok(hues[1] > 40 && hues[1] < 60, `slowing is yellow (hue ${hues[1].toFixed(0)})`);
      assert.ok(hues[2] > 15 && hues[2] < 40, `slow is orange (hue ${hues[2].toFixed(0)})`);
      assert.ok(hues[3] < 12 || hues[3] > 345, `heavy is red (hue ${hues[3].toFixed(0)})`);
      assert.ok(hues[4] < 12 || hues[4] > 345, `stop and go is red (hue ${hues[4].toFixed(0)})`);

      // every class, and no data, readable against the map's own background (no tiles here)
      for (const l of legend) {
        const c = contrast(rgbOf(l.color), rgbOf(mapBg));
        assert.ok(c >= 3, `${scheme}: "${l.text}" ${l.color} on ${mapBg} is ${c.toFixed(2)}:1`);
      }
      // lightness falls class by class toward the jam, so order survives without hue
      const lum = legend.slice(0, 5).map((l) => luminance(rgbOf(l.color)));
      assert.ok(lum.every((v, i) => i === 0 || v < lum[i - 1]), `${scheme}: darker with every slower class`);
      // the jam class and no data carry line patterns in the legend; the other classes are solid
      assert.match(legend[4].pattern, /repeating-linear-gradient/);
      assert.match(legend[5].pattern, /repeating-linear-gradient/);
      assert.ok(legend.slice(0, 4).every((l) => l.pattern === 'none'));

      // the map draws exactly the legend's colours, and only the jam class and no data dashed
      const byClass = new Map(legend.map((l) => [l.bin < 0 ? 'speed-none' : `speed-${l.bin}`, l.color]));
      assert.ok(segs.length > 400 && segs.every((s) => byClass.has(s.cls)), 'every segment has a speed class');
      for (const s of segs) assert.equal(s.stroke, byClass.get(s.cls), `${s.cls} drawn in the legend's colour`);
      assert.ok(new Set(segs.map((s) => s.cls)).size >= 3, 'the morning peak shows several classes');
      for (const s of segs) assert.equal(s.dash !== 'none', s.cls === 'speed-0' || s.cls === 'speed-none', `${s.cls} dash ${s.dash}`);
      const jamDash = segs.find((s) => s.cls === 'speed-0')?.dash, gapDash = segs.find((s) => s.cls === 'speed-none')?.dash;
      if (jamDash && gapDash) assert.notEqual(jamDash, gapDash, 'the jam dash differs from the no-data dash');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
}

test('stale data: after two missed intervals the map fades, the header says how old, the horizon counts from the data time; fresh data restores it', { skip }, async () => {
  // the page's clock is ours to move; the engine worker and the server keep real time
  const { page, errors, close } = await openPage(feed.browser, `${feed.origin}/?retry=300&timeout=2000&watchdog=100000000`,
    { colorScheme: 'light' }, (p) => p.clock.install());
  try {
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
    await page.waitForFunction(() => document.documentElement.dataset.feed === 'live', null, { timeout: 15000 });
    const isStale = () => page.evaluate(() => document.getElementById('map')?.classList.contains('old-data'));
    assert.equal(await isStale(), false);
    const mapBox = () => page.$eval('#map', (e) => JSON.stringify(e.getBoundingClientRect()));
    const freshBox = await mapBox();
    assert.match(await page.textContent('#updated') ?? '', /^Updated \d\d:\d\d$/);
    assert.match(await page.textContent('#horizon-out') ?? '', /^\d\d:\d\d \(latest data\)$/);

    // the feed goes quiet: live requests fail and the open stream drops
    await page.route(LIVE, (r) => r.abort());
    await feed.restart();
    await page.waitForFunction(() => document.documentElement.dataset.feed === 'down', null, { timeout: 30000 });
    const dataTime = /Updated (\d\d:\d\d)/.exec(await page.textContent('#updated') ?? '')?.[1];
    assert.ok(dataTime);

    // one interval late is not yet stale (the data is every 5 min)
    await page.clock.fastForward('08:00');
    await page.waitForTimeout(1500);
    assert.equal(await isStale(), false, '8 min without data: not yet stale');

    // 25 min: faded, dated, and the horizon counts from the data's time
    await page.clock.fastForward('17:00');
    await page.waitForFunction(() => document.getElementById('map')?.classList.contains('old-data'), null, { timeout: 5000 });
    assert.equal(await page.textContent('#updated'), `Data from ${dataTime} (25 min old)`);
    const filter = await page.$eval('#map .leaflet-overlay-pane', (e) => getComputedStyle(e).filter);
    assert.match(filter, /saturate\(0\.\d+\)/, 'the roads lose their colour');
    assert.equal(await mapBox(), freshBox, 'the map fades in place');
    assert.match(await page.innerText('#stale'), /^Feed unreachable\. Retrying automatically…$/);
    const slider = page.getByRole('slider', { name: 'Forecast horizon' });
    await slider.focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await slider.getAttribute('aria-valuetext'), `+30 min from ${dataTime}`);
    assert.equal(await page.textContent('#horizon-out'), `+30 min from ${dataTime}`);
    assert.equal(await page.getAttribute('html', 'data-feed'), 'down');

    // the feed returns: fresh data, full colour, "Updated" again
    await page.unroute(LIVE);
    await page.waitForFunction(() => !document.getElementById('map')?.classList.contains('old-data'), null, { timeout: 30000 });
    assert.match(await page.textContent('#updated') ?? '', /^Updated \d\d:\d\d$/);
    assert.notEqual(/Updated (\d\d:\d\d)/.exec(await page.textContent('#updated') ?? '')?.[1], dataTime, 'newer data shown');
    assert.match(await page.textContent('#horizon-out') ?? '', /^\+30 min from \d\d:\d\d$/);
    assert.equal(await page.$eval('#map .leaflet-overlay-pane', (e) => getComputedStyle(e).filter), 'none');
    assert.ok(await page.locator('#stale').isHidden());
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
