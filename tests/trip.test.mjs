// The trip planner as a commuter uses it, in Chromium against a real feed server replaying a
// simulated Atlanta week: places typed in words ("Cumberland", "Spaghetti Junction", "Exit 255",
// "I-285 mile 20", "Inner Loop at …", "airport"), the direction inferred (never a loop the wrong
// way round), a bad value then a good one, swap, arrive by, and "My location" granted and
// refused. Screenshots: test-output/trip-desktop.png, trip-phone.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SIM, SPEED, START, browserSkip, launchChromium } from './fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';
import { PlaceIndex } from '../web/page/places.js';
import { minutes, rangeText } from '../web/page/trip.js';

const skip = browserSkip;
const TILES = 'https://*.tile.openstreetmap.org/**';
const EXPECTED = /net::ERR_FAILED|Failed to load resource/;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {any} */
let app;
let port = 0;
let dir = '';
/** @type {any} */
let network;

before(async () => {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  if (skip) return;
  dir = join(mkdtempSync(join(tmpdir(), 'flowcast-trip-')), 'atlanta');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  network = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8'));
  app = await buildServer({ dataset: dir, speed: SPEED, start_ms: START, public: join(ROOT, 'public') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = app.server.address().port;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** @param {import('playwright-core').BrowserContextOptions} [context] */
async function open(context = { viewport: { width: 1280, height: 800 } }) {
  const ctx = await browser.newContext(context);
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !EXPECTED.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(TILES, (r) => r.abort());
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
  const form = page.getByRole('form', { name: 'Plan a trip' });
  return { ctx, page, form, errors };
}

/**
 * Types both ends (and optionally the time), asks, and waits for the answer.
 * @param {import('playwright-core').Page} page
 * @param {string} from @param {string} to
 */
async function ask(page, from, to) {
  const form = page.getByRole('form', { name: 'Plan a trip' });
  await form.getByLabel('From').fill(from);
  await form.getByLabel('To').fill(to);
  await form.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result]', { timeout: 10000 });
  return form.locator('[data-field="result"]').innerText();
}

/** @param {string} text "19 min (likely 18–21 min), 14.0 mi" → [minutes, miles] */
function timeAndMiles(text) {
  const m = /Leaving \d\d:\d\d\s+(?:(\d+) h)?\s*(?:(\d+) min)?.*?, (\d+\.\d) mi/s.exec(text);
  assert.ok(m, text);
  return [Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0), Number(m[3])];
}

test('the network carries place words, and what people type resolves to every carriageway there', { skip }, () => {
  assert.equal(network.corridors.find((/** @type {any} */ c) => c.id === 'I285-CW').name, 'Inner Loop');
  assert.equal(network.corridors.find((/** @type {any} */ c) => c.id === 'I285-CCW').name, 'Outer Loop');
  assert.ok(network.sensors.filter((/** @type {any} */ s) => s.exit).length > 100);
  const ix = new PlaceIndex(network);
  const roads = (/** @type {string} */ t) => {
    const r = ix.resolve(t);
    assert.ok('stations' in r, `${t}: ${JSON.stringify(r)}`);
    return r.stations.map((id) => id.replace(/-\d+\.\d$/, '')).sort();
  };
  assert.deepEqual(roads('Cumberland'), ['I285-CCW', 'I285-CW', 'I75-NB', 'I75-SB']);
  assert.deepEqual(roads('I-75 at I-285'), ['I285-CCW', 'I285-CW', 'I75-NB', 'I75-SB']);
  assert.deepEqual(roads('spaghetti junction'), ['I285-CCW', 'I285-CW']);
  // the trip form's hint: places as people say them, and every example is understood
  const examples = ix.examples().map((e) => e.replace(/^“|”$/g, ''));
  assert.equal(examples.at(-1), 'My location');
  assert.ok(examples.includes('Cumberland'), examples.join(', '));
  for (const e of examples.slice(0, -1)) roads(e);
  assert.deepEqual(roads('Airport'), ['I285-CCW', 'I285-CW']);
  assert.deepEqual(roads('Exit 255'), ['I75-NB', 'I75-SB']);
  assert.deepEqual(roads('exit 33'), ['I285-CCW', 'I285-CW']);
  assert.deepEqual(roads('Inner Loop at Cumberland'), ['I285-CW']);
  assert.deepEqual(roads('Cumberland on the outer loop'), ['I285-CCW']);
  const mile = ix.resolve('I-285 mile 20');
  assert.ok('stations' in mile && mile.stations.every((id) => Math.abs(Number(id.slice(-5)) - 20) <= 0.3), JSON.stringify(mile));
  for (const bad of ['nowhere', 'Inner Loop', 'Inner Loop at Downtown', 'I-75 mile 300', 'exit 999']) {
    const r = ix.resolve(bad);
    assert.ok('error' in r && !/E_[A-Z]/.test(r.error), `${bad}: ${JSON.stringify(r)}`);
  }
  assert.ok('error' in ix.nearest(34.5, -84.4), 'forty miles out is not on these roads');
  // a station picked on the map ("Trip from here") goes in a box as the details name it, and
  // means that station and no other; most read as the details do (a name two stations share
  // falls back to the station's full text)
  let named = 0;
  for (const s of network.sensors) {
    const text = ix.textOf(s.id);
    const r = ix.resolve(text);
    assert.deepEqual('stations' in r ? r.stations : r, [s.id], text);
    if (text.startsWith(ix.describe(s.id))) named++;
  }
  assert.ok(named > 0.9 * network.sensors.length, `${named} of ${network.sensors.length} by their names`);
  // ranges never read "likely 10–10 min"
  assert.equal(rangeText(9.6, 10.4), '');
  assert.equal(rangeText(18.2, 21.4), 'likely 18–21 min');
  assert.equal(minutes(59.7), '1 h');
  assert.equal(minutes(69), '1 h 9 min');
});

test('desktop: places in words, direction inferred, bad then good, swap, arrive by', { skip }, async () => {
  const { ctx, page, form, errors } = await open();

  // suggestions as the commuter types: interchange names, exits, mileposts, loop words
  const suggestions = async (/** @type {string} */ text) => {
    await form.getByLabel('From').fill(text);
    return page.$$eval('#trip-from-list option', (os) => os.map((o) => `${/** @type {HTMLOptionElement} */ (o).value} | ${/** @type {HTMLOptionElement} */ (o).label}`));
  };
  assert.ok((await suggestions('I-75 at I-2')).some((s) => s.startsWith('I-75 at I-285')), 'I-75 at I-285');
  assert.ok((await suggestions('Exit 25')).some((s) => /^Exit 255 \| I-75/.test(s)), 'Exit 255');
  assert.ok((await suggestions('I-285 mile 20')).some((s) => /^I-285 mile 20 \| I-285 mile 20/.test(s)), 'milepost');
  assert.ok((await suggestions('Inner Loop at Sp')).some((s) => s.startsWith('Inner Loop at Spaghetti Junction')), 'Inner Loop');
  assert.ok((await suggestions('air')).some((s) => /airport \| Hartsfield-Jackson/.test(s)), 'airport');
  assert.equal((await suggestions(''))[0], 'My location | nearest road to you');

  // Cumberland to Spaghetti Junction: the Inner Loop, about 14 miles, not 50 the wrong way
  let text = await ask(page, 'Cumberland', 'Spaghetti Junction');
  assert.equal(await page.getAttribute('#trip', 'data-result'), 'ok', text);
  let [min, mi] = timeAndMiles(text);
  assert.ok(mi > 12 && mi < 16, `${mi} mi: ${text}`);
  // the morning peak on the top end can be slow; the distance is what tells the direction
  assert.ok(min >= 12 && min < 90, `${min} min: ${text}`);
  assert.match(text, /Route\s+I-285 Inner Loop \(clockwise\), exit 20 \(Cumberland\) to exit 33 \(Spaghetti Junction\)/);
  assert.doesNotMatch(text, /likely (\d+)–\1 min/);
  const routeSegments = await page.locator('path.fc-seg.route').count();
  assert.ok(routeSegments >= 30 && routeSegments <= 40, `${routeSegments} segments drawn`);
  await page.screenshot({ path: join(ROOT, 'test-output', 'trip-desktop.png') });

  // the way back: swap takes the Outer Loop, the same length
  await form.getByRole('button', { name: 'Swap start and destination' }).click();
  await page.waitForFunction(() => /Outer Loop \(counterclockwise\), exit 33/.test(document.querySelector('#trip [data-field="route"]')?.textContent ?? ''), null, { timeout: 10000 });
  assert.equal(await form.getByLabel('From').inputValue(), 'Spaghetti Junction');
  [min, mi] = timeAndMiles(await form.locator('[data-field="result"]').innerText());
  assert.ok(mi > 12 && mi < 16, `back: ${mi} mi`);

  // a bad value: a friendly message on that box, no answer and no route left from before
  await form.getByLabel('From').fill('nowhere');
  await form.getByRole('button', { name: 'Get travel time' }).click();
  const message = await form.getByLabel('From').evaluate((el) => /** @type {HTMLInputElement} */ (el).validationMessage);
  assert.match(message, /"nowhere" is not a place on these roads/);
  assert.equal(await form.locator('[data-field="result"]').innerText(), '');
  assert.equal(await page.locator('path.fc-seg.route').count(), 0, 'old route gone');
  // then a good one: the message clears as soon as the box is edited, and a new answer comes
  await form.getByLabel('From').fill('Exit 255');
  assert.equal(await form.getByLabel('From').evaluate((el) => /** @type {HTMLInputElement} */ (el).validationMessage), '');
  await form.getByLabel('To').fill('Marietta');
  await form.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result="ok"]', { timeout: 10000 });
  text = await form.locator('[data-field="result"]').innerText();
  assert.match(text, /Route\s+I-75 northbound, exit 255 \(Buckhead\) to (exit \d+ \(|)[A-Z]/);
  assert.ok(await page.locator('path.fc-seg.route').count() > 10, 'new route drawn');

  // the same place twice, and a corridor word with no place: plain words, never the engine's
  await form.getByLabel('From').fill('airport');
  await form.getByLabel('To').fill('Hartsfield-Jackson Airport');
  await form.getByRole('button', { name: 'Get travel time' }).click();
  assert.match(await form.getByLabel('To').evaluate((el) => /** @type {HTMLInputElement} */ (el).validationMessage), /same place/);
  await form.getByLabel('To').fill('Inner Loop');
  await form.getByRole('button', { name: 'Get travel time' }).click();
  assert.match(await form.getByLabel('To').evaluate((el) => /** @type {HTMLInputElement} */ (el).validationMessage), /Say where on the Inner Loop/);
  assert.doesNotMatch(await page.locator('#trip').innerText(), /E_[A-Z]|travelTime|station "/);

  // arrive by: when to leave so as to be there in time
  await form.getByLabel('Departure or arrival').selectOption('arrive');
  await form.getByLabel('Arrive by').selectOption({ label: 'in 60 min' });
  text = await ask(page, 'I-285 mile 20', 'Perimeter Center');
  assert.match(text, /Arrive by \d\d:\d\d\s+(leave (now|\d\d:\d\d \(in \d+ min\)), arrive about \d\d:\d\d|even leaving now)/, text);
  assert.match(text, /Trip\s+\d+ min/);

  assert.deepEqual(errors, []);
  await ctx.close();
});

test('phone: my location granted gives a trip from the nearest road; refused says so plainly', { skip }, async () => {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
  // standing near the Cumberland interchange
  const granted = await open({ ...phone, permissions: ['geolocation'], geolocation: { latitude: 33.8830, longitude: -84.4660 } });
  const text = await ask(granted.page, 'My location', 'airport');
  assert.equal(await granted.page.getAttribute('#trip', 'data-result'), 'ok', text);
  // from the nearest road (I-75 or I-285 at Cumberland) by the short way, not round the loop
  assert.match(text, /Route\s+I-(75 (north|south)bound|285 (Inner|Outer) Loop \((counter)?clockwise\)), exit (259|20) \(Cumberland\) to I-285 (Inner|Outer) Loop/);
  const [, mi] = timeAndMiles(text);
  assert.ok(mi < 30, `${mi} mi`);
  await granted.form.scrollIntoViewIfNeeded();
  await granted.page.screenshot({ path: join(ROOT, 'test-output', 'trip-phone.png'), fullPage: true });
  assert.ok(await granted.page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal overflow');
  assert.deepEqual(granted.errors, []);
  await granted.ctx.close();

  const refused = await open(phone); // no permission granted: the browser refuses
  await refused.form.getByLabel('From').fill('My location');
  await refused.form.getByLabel('To').fill('airport');
  await refused.form.getByRole('button', { name: 'Get travel time' }).click();
  await refused.page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('trip-from')).validationMessage !== '', null, { timeout: 15000 });
  assert.match(await refused.form.getByLabel('From').evaluate((el) => /** @type {HTMLInputElement} */ (el).validationMessage), /location is blocked.*type a place/i);
  assert.equal(await refused.page.$('#trip[data-result]'), null);
  await refused.ctx.close();
});
