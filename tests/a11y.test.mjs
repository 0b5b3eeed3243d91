// The page with a keyboard and a screen reader, in Chromium: a segment's accessible name says
// which road, which way, where and how fast; Enter opens its details and leaves focus on it (a
// keyboard user keeps their place on the map); the focus ring is drawn in colours no speed class
// uses and shows on both themes' backgrounds; and axe-core (the accessibility rules engine, run in
// the page) finds no serious or critical violation on the main page, embed.html and
// telemetry.html.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { browserSkip } from './fixtures/browser.mjs';
import { contrast, rgbOf } from './fixtures/wcag.mjs';
import { openPage, startFeed } from './fixtures/feed-page.mjs';
import { NO_DATA_COLOR, SPEED_BINS } from '../web/shared/colors.js';

const skip = browserSkip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** @type {Awaited<ReturnType<typeof startFeed>>} */
let feed;
before(async () => { if (!skip) feed = await startFeed('a11y'); });
after(async () => { await feed?.close(); });


for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  test(`${scheme} theme, keyboard: names with road, direction, place and speed; Enter keeps focus on the segment; a ring in no speed colour`, { skip }, async () => {
    const { page, errors, close } = await openPage(feed.browser, `${feed.origin}/?retry=300`, { colorScheme: scheme });
    try {
      await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
      // Tab from the page's start reaches the map's roads as one stop
      await page.focus('#horizon');
      await page.keyboard.press('Shift+Tab');
      while (!(await page.evaluate(() => document.activeElement?.classList.contains('fc-seg')))) await page.keyboard.press('Tab');
      await page.keyboard.press('PageDown');
      await page.keyboard.press('ArrowRight');
      const focused = () => page.evaluate(() => {
        const el = document.activeElement;
        return { segment: /** @type {HTMLElement} */ (el)?.dataset?.segment, name: el?.getAttribute('aria-label') ?? '', role: el?.getAttribute('role') };
      });
      const before = await focused();
      assert.equal(before.role, 'button');
      const m = /^I-285 Outer Loop \(counterclockwise\), (.+), mile (\d+\.\d)(?: (.+))?: (\d+ mph|no data) now$/.exec(before.name);
      assert.ok(m, `accessible name "${before.name}"`);
      assert.ok(m[1] && m[3], 'the name gives the place (exit or area) and the station label');
      // the browser's own accessibility tree agrees
      assert.equal(await page.getByRole('button', { name: before.name, exact: true }).count(), 1);

      // the ring: drawn, right under the focused segment, black and white, in no speed colour
      const ring = await page.evaluate(() => {
        const el = /** @type {Element} */ (document.activeElement);
        const rings = [...document.querySelectorAll('path.fc-ring')].filter((r) => !r.classList.contains('off'));
        return {
          strokes: rings.map((r) => getComputedStyle(r).stroke),
          widths: rings.map((r) => parseFloat(getComputedStyle(r).strokeWidth)),
          segWidth: parseFloat(getComputedStyle(el).strokeWidth),
          under: rings.length > 0 && rings.every((r) => r.parentNode === el.parentNode && (r.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)),
          mapBg: getComputedStyle(/** @type {Element} */ (document.getElementById('map'))).backgroundColor,
        };
      });
      assert.equal(ring.strokes.length, 2, 'a two-tone ring');
      assert.ok(ring.under, 'the ring is under the focused segment, whose colour stays on top');
      assert.ok(ring.widths.every((w) => w > ring.segWidth + 2), `the ring shows around the segment: ${ring.widths} vs ${ring.segWidth}`);
      const speedColours = [...SPEED_BINS.flatMap((b) => [b.color, b.dark]), NO_DATA_COLOR].map(rgbOf);
      for (const s of ring.strokes) {
        const c = rgbOf(s);
        assert.ok(speedColours.every((k) => contrast(k, c) > 1.5), `ring ${s} is no speed colour`);
      }
      const best = Math.max(...ring.strokes.map((s) => contrast(rgbOf(s), rgbOf(ring.mapBg))));
      assert.ok(best >= 3, `one tone of the ring shows on the ${scheme} map: ${best.toFixed(2)}:1`);

      // Enter: details open, focus stays on the same segment (not <body>)
      await page.keyboard.press('Enter');
      const details = page.getByRole('region', { name: 'Segment details' });
      await details.waitFor();
      const after = await focused();
      assert.equal(after.segment, before.segment, 'focus stays on the segment after Enter');
      const speedNow = /Speed now\s+(\d+ mph|no data)/.exec(await details.innerText())?.[1];
      assert.equal(/: (\d+ mph|no data) now/.exec(after.name)?.[1], speedNow, 'the name says the speed the details show');
      assert.ok(await page.evaluate(() => [...document.querySelectorAll('path.fc-ring')].some((r) => !r.classList.contains('off'))), 'the ring stays');
      // arrows still move along the road from there; Escape closes and focus stays
      await page.keyboard.press('ArrowRight');
      assert.notEqual((await focused()).segment, before.segment);
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Escape');
      assert.ok(await details.isHidden());
      assert.equal((await focused()).segment, before.segment);

      // at a forecast horizon the name adds the forecast the colour shows
      const segment = before.segment;
      await page.focus('#horizon');
      for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
      const ahead = await page.$eval(`path.fc-seg[data-segment="${segment}"]`, (e) => e.getAttribute('aria-label'));
      assert.match(ahead ?? '', /: (\d+ mph|no data) now, (\d+ mph|no forecast) in 30 min$/);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
}

/**
 * Runs axe-core in the page (injected: the site's CSP rightly refuses inline scripts, so this
 * context bypasses it) and returns the serious and critical violations.
 * @param {import('playwright-core').Page} page
 * @param {object} [context] axe's include/exclude
 */
async function seriousViolations(page, context) {
  await page.addScriptTag({ path: AXE });
  /** @type {{ id: string, impact: string, help: string, nodes: { target: string[] }[] }[]} */
  const violations = await page.evaluate(async (ctx) => {
    const axe = /** @type {any} */ (globalThis).axe;
    const r = await axe.run(ctx ?? document, { resultTypes: ['violations'] });
    return r.violations.map((/** @type {any} */ v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((/** @type {any} */ n) => ({ target: n.target })) }));
  }, context);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`);
}

for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  test(`axe-core, ${scheme} theme: the main page (details open, a forecast horizon) has no serious or critical violations`, { skip }, async () => {
    const { page, close } = await openPage(feed.browser, `${feed.origin}/?retry=300`, { colorScheme: scheme, bypassCSP: true });
    try {
      await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
      await page.focus('path.fc-seg[tabindex="0"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#details[data-chart="ready"] .uplot canvas', { timeout: 10000 });
      await page.focus('#horizon');
      await page.keyboard.press('End');
      assert.deepEqual(await seriousViolations(page), []);
    } finally {
      await close();
    }
  });
}

test('axe-core: embed.html and telemetry.html have no serious or critical violations', { skip }, async () => {
  for (const [path, ready] of /** @type {const} */ ([['/embed.html?corridor=I-285&horizon=30', 'flowcast-map[data-ready="forecast"]'], ['/telemetry.html', 'main']])) {
    for (const scheme of /** @type {const} */ (['light', 'dark'])) {
      const { page, close } = await openPage(feed.browser, `${feed.origin}${path}`, { colorScheme: scheme, bypassCSP: true });
      try {
        await page.waitForSelector(ready, { timeout: 30000 });
        await page.waitForTimeout(500);
        assert.deepEqual(await seriousViolations(page), [], `${path} (${scheme})`);
      } finally {
        await close();
      }
    }
  }
});
