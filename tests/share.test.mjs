// Save and share, in Chromium, as a commuter uses them: the horizon, the chosen segment and the
// trip live in the address bar; a copied link opens on the same view in another browser; the back
// button steps back through the segments chosen (a slider drag is no step); one saved commute is
// asked for on the next visit, and forgotten on request.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip } from './fixtures/browser.mjs';
import { startPageServer } from './fixtures/page-server.mjs';
import { stationText } from '../web/page/trip.js';
import { corridorOf, stationName } from '../web/shared/names.js';

const skip = browserSkip;

/** @type {Awaited<ReturnType<typeof startPageServer>>} */
let server;

before(async () => {
  if (!skip) server = await startPageServer({ seed: 7 });
});
after(() => server?.close());

/**
 * What the page shows: the horizon's text, the details' headline (null when closed), the trip.
 * @param {import('playwright-core').Page} page
 */
const shown = (page) => page.evaluate(() => ({
  horizon: document.getElementById('horizon-out')?.textContent,
  details: document.getElementById('details')?.hidden ? null : document.querySelector('#details h2')?.textContent,
  from: /** @type {HTMLInputElement} */ (document.getElementById('trip-from')).value,
  to: /** @type {HTMLInputElement} */ (document.getElementById('trip-to')).value,
}));

/** @param {string} text @returns {string} `text` matched literally in a RegExp */
const literally = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @param {any} st a network sensor @returns {RegExp} the details' headline for its segment */
const headline = (st) => new RegExp(`^${literally(stationName(st, corridorOf(server.network, st.id)))}`);

test('a shared link restores horizon, segment and trip; the back button steps back', { skip }, async () => {
  const net = server.network;
  const { ctx, page, errors } = await server.open('/');
  const slider = page.getByRole('slider', { name: 'Forecast horizon' });
  await slider.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  assert.match((await shown(page)).horizon, /^\+30 min from \d\d:\d\d$/);
  const entries = await page.evaluate(() => history.length);
  assert.equal(new URL(page.url()).searchParams.get('h'), '30');

  // two segments chosen one after the other: the link names the detector whose details show
  const chosen = async (/** @type {number} */ nth) => {
    await page.locator('path.fc-seg').nth(nth).dispatchEvent('click');
    const id = new URL(page.url()).searchParams.get('seg');
    const st = net.sensors.find((/** @type {any} */ s) => s.id === id);
    assert.ok(st, `seg=${id}`);
    assert.match((await shown(page)).details ?? '', headline(st));
    return st;
  };
  const a = await chosen(30), b = await chosen(300);
  assert.notEqual(a.id, b.id);
  assert.equal(await page.evaluate(() => history.length), entries + 2, 'the slider added no history entry, each segment one');

  // a trip: its ends go into the link too
  const cw = net.corridors.find((/** @type {any} */ c) => c.id === 'I285-CW').sensors;
  const station = (/** @type {string} */ id) => net.sensors.find((/** @type {any} */ st) => st.id === id);
  const tripForm = page.getByRole('form', { name: 'Plan a trip' });
  await tripForm.getByLabel('From').fill(stationText(station(cw[10])));
  await tripForm.getByLabel('To').fill(stationText(station(cw[40])));
  await tripForm.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result="ok"]', { timeout: 5000 });
  const answer = await page.textContent('#trip [data-field="result"]');
  const link = page.url();

  // the link in another browser: the same horizon, segment and trip, with an answer
  const other = await server.open(new URL(link).pathname + new URL(link).search);
  await other.page.waitForSelector('#trip[data-result="ok"]', { timeout: 5000 });
  const there = await shown(other.page);
  assert.match(there.horizon, /^\+30 min from \d\d:\d\d$/);
  assert.match(there.details ?? '', headline(b));
  assert.deepEqual([there.from, there.to], [stationText(station(cw[10])), stationText(station(cw[40]))]);
  assert.match(await other.page.textContent('#trip [data-field="result"]') ?? '', /\d+ min/);
  await other.page.waitForSelector('#details[data-chart="ready"] .uplot canvas', { timeout: 10000 });
  assert.equal(other.page.url(), link, 'opening a link changes it not');
  assert.deepEqual(other.errors, []);
  await other.ctx.close();
  assert.ok(answer);

  // back: before the trip (the details stay on b), then to segment a, then no segment
  await page.goBack();
  assert.equal(new URL(page.url()).searchParams.get('from'), null);
  assert.match((await shown(page)).details ?? '', headline(b));
  await page.goBack();
  assert.match((await shown(page)).details ?? '', headline(a));
  await page.goBack();
  assert.equal((await shown(page)).details, null);
  assert.match((await shown(page)).horizon, /^\+30 min from /, 'the horizon is no step of its own');
  await page.goForward();
  assert.match((await shown(page)).details ?? '', headline(a));
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the saved commute is asked for on the next visit, until forgotten', { skip }, async () => {
  const net = server.network;
  const ccw = net.corridors.find((/** @type {any} */ c) => c.id === 'I285-CCW').sensors;
  const text = (/** @type {string} */ id) => stationText(net.sensors.find((/** @type {any} */ st) => st.id === id));
  const { ctx, page, errors } = await server.open('/');
  const commute = page.getByRole('region', { name: 'My commute' });
  assert.ok(await commute.isHidden(), 'nothing to save, nothing saved: no commute panel');
  const tripForm = page.getByRole('form', { name: 'Plan a trip' });
  await tripForm.getByLabel('From').fill(text(ccw[5]));
  await tripForm.getByLabel('To').fill(text(ccw[30]));
  await tripForm.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result="ok"]', { timeout: 5000 });
  await commute.getByRole('button', { name: 'Save as my commute' }).click();
  assert.match(await commute.innerText(), new RegExp(`My commute: ${literally(text(ccw[5]))} → `));

  // the next visit, a plain address: the commute's travel time is on screen without a click
  const again = await server.open('/', undefined, ctx);
  await again.page.waitForSelector('#trip[data-result="ok"]', { timeout: 5000 });
  const trip = await shown(again.page);
  assert.deepEqual([trip.from, trip.to], [text(ccw[5]), text(ccw[30])]);
  assert.ok(await again.page.getByRole('region', { name: 'My commute' }).isVisible());
  assert.match(await again.page.textContent('#trip [data-field="result"]') ?? '', /\d+ min/);
  await again.page.getByRole('button', { name: 'Forget my commute' }).click();
  await again.page.close();

  const third = await server.open('/', undefined, ctx);
  await third.page.waitForTimeout(1000); // time in which a saved commute would have been asked for
  assert.equal(await third.page.getAttribute('#trip', 'data-result'), null);
  assert.ok(await third.page.getByRole('region', { name: 'My commute' }).isHidden());
  assert.deepEqual([...errors, ...again.errors, ...third.errors], []);
  await ctx.close();
});
