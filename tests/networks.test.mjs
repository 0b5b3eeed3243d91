// Several networks per server (issue 18): one server serves simulated Atlanta and Los Angeles on
// its real March 2012 detector data. As a partner developer sees it: GET /api/v1/networks lists
// both with what a picker needs, every per-network route answers under /api/v1/networks/<id>/,
// an unknown id is a clear 404. As a commuter sees it: the page's city picker switches to Los
// Angeles, keeps the choice in the address bar, colours LA's freeways from the recorded speeds,
// says it is a replay of March 2012, and answers a trip typed the way its hint suggests. The LA
// data lives in ../shared/data/los-loop: without it these tests skip, saying so.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SIM, browserSkip, launchChromium } from './fixtures/browser.mjs';
import { TILES } from './fixtures/feed-page.mjs';
import { buildServer } from '../web/server/server.js';
import { parseCommandLine } from '../web/server/cli.js';
import { LA_SOURCE, ensureLaDataset } from '../web/server/la.js';
import { shieldKind } from '../web/page/map-labels.js';
import { stationText } from '../web/page/places.js';
import { fullStationName } from '../web/shared/names.js';

/** The Interstate shield's blue (style.css .fc-shield-interstate), as computed styles give it. */
const INTERSTATE_BLUE = 'rgb(29, 79, 145)';
/**
 * WCAG 2 contrast ratio of two opaque computed colours ("rgb(r, g, b)").
 * @param {string} a @param {string} b
 */
function contrast(a, b) {
  const lum = (/** @type {string} */ c) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const laMissing = !existsSync(join(LA_SOURCE, 'sensors.csv')) ? `${LA_SOURCE} is not here (the shared data folder beside the repository)` : false;
const skip = laMissing || (!existsSync(SIM) ? `${SIM} is not built (./build.sh)` : false);
if (skip) console.log(`# networks.test.mjs skipped: ${skip}`);

/** @type {string} */
let dir = '';
/** @type {any} */
let app = null;
let origin = '';

test.before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'flowcast-networks-'));
  const atlanta = join(dir, 'atlanta');
  const sim = spawnSync(SIM, ['--out', atlanta, '--days', '8', '--seed', '4', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const la = ensureLaDataset({ dir: join(dir, 'la'), quiet: true });
  app = await buildServer({ dataset: atlanta, public: join(ROOT, 'public'), networks: [{ id: 'la', dataset: la }] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${app.server.address().port}`;
});

test.after(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A desktop page of the suite's server, map tiles refused (they cannot load here), its page
 * errors collected.
 * @param {import('playwright-core').Browser} browser
 * @param {string} path
 */
async function openDesktop(browser, path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(TILES, (r) => r.abort());
  await page.goto(`${origin}${path}`);
  return { page, errors };
}

/** @param {string} path @param {RequestInit} [init] */
async function get(path, init) {
  const r = await fetch(`${origin}${path}`, init);
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, body };
}

test('a road\'s sign: Interstates, U.S. and state routes as the PeMS import and Atlanta name them; any other name on a plain tag', () => {
  for (const road of ['I-75', 'I-285', 'I-405', 'I 5']) assert.equal(shieldKind(road), 'interstate', road);
  for (const road of ['US-101', 'US 41', 'US-395']) assert.equal(shieldKind(road), 'us', road);
  for (const road of ['SR-134', 'SR 400', 'CA-60', 'GA-400']) assert.equal(shieldKind(road), 'state', road);
  for (const road of ['LA corridor 5', 'Corridor 1', 'Interstate Drive', 'I-', 'USA 1', 'Ring road', '']) assert.equal(shieldKind(road), 'plain', road);
});

test('a detector named by its milepost alone (Los Angeles) is named with it once: "LA corridor 10 westbound, mile 1.2", not "…, mile 1.2, mile 1.2"', () => {
  const st = /** @type {any} */ ({ id: '717445', lat: 34.06913, lon: -118.25932, road: 'LA corridor 10', direction: 'WB', milepost: 1.22, lanes: 4, speed_limit_mph: 65 });
  assert.equal(fullStationName(st, null), 'LA corridor 10 westbound, mile 1.2');
  // with a label, the milepost still tells neighbours apart
  assert.equal(fullStationName({ ...st, label: 'at Main St' }, null), 'LA corridor 10 westbound, at Main St, mile 1.2');
});

test('GET /api/v1/networks lists Atlanta (simulated, the default) and Los Angeles (real) with what a picker needs', { skip }, async () => {
  const r = await get('/api/v1/networks');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.body.schema, 'flowcast.networks/1');
  const [atl, la] = r.body.networks;
  assert.deepEqual(r.body.networks.map((/** @type {any} */ n) => n.id), ['atlanta', 'la']);
  assert.equal(atl.default, true);
  assert.equal(atl.simulated, true);
  assert.equal(atl.city, 'Atlanta', 'the name up to its first road number: "Atlanta I-75 and I-285"');
  assert.equal(atl.timezone, 'America/New_York');
  assert.equal(atl.api, '/api/v1/networks/atlanta/');
  assert.equal(la.default, false);
  assert.equal(la.simulated, false, 'the LA data is recorded, not simulated');
  assert.equal(la.timezone, 'America/Los_Angeles');
  assert.match(la.name, /replay of March 2012/);
  assert.equal(la.city, 'Los Angeles', 'the name up to its parenthesis, when the server was given no city');
  assert.equal(la.sensors, 207);
  assert.equal(la.api, '/api/v1/networks/la/');
  // the bounds hold each city: Atlanta near 33.7 N 84.4 W, the LA detectors near 34.1 N 118.3 W
  const inside = (/** @type {any} */ n, /** @type {number} */ lat, /** @type {number} */ lon) =>
    n.bounds[0][0] < lat && lat < n.bounds[1][0] && n.bounds[0][1] < lon && lon < n.bounds[1][1];
  assert.ok(inside(atl, 33.75, -84.39), JSON.stringify(atl.bounds));
  assert.ok(inside(la, 34.1, -118.3), JSON.stringify(la.bounds));
});

test('every per-network route answers under /api/v1/networks/<id>/; the default network also at /api/v1/; an unknown id is a 404', { skip }, async () => {
  // the default network's routes under its id are the very same as at /api/v1/
  for (const path of ['network', 'snapshot/latest']) {
    const [plain, byId] = [await get(`/api/v1/${path}`), await get(`/api/v1/networks/atlanta/${path}`)];
    assert.equal(byId.status, 200);
    assert.equal(byId.text, plain.text, path);
  }
  // Los Angeles: its network, its recorded speeds, its history and catch-up
  const net = await get('/api/v1/networks/la/network');
  assert.equal(net.status, 200);
  assert.equal(net.body.id, 'los-angeles-metr-la');
  const latest = await get('/api/v1/networks/la/snapshot/latest');
  assert.equal(latest.status, 200);
  assert.equal(latest.body.network, 'los-angeles-metr-la');
  assert.equal(latest.body.readings.length, 207);
  const speeds = latest.body.readings.map((/** @type {any} */ x) => x.speed_mph).filter((/** @type {any} */ v) => v !== null);
  // a replayed March 2012 slot: recorded speeds (or, in the padding of the week, none at all)
  for (const v of speeds) assert.ok(v >= 0 && v < 100, String(v));
  const history = await get('/api/v1/networks/la/history?hours=2');
  assert.equal(history.status, 200);
  assert.equal(history.body.sensors.length, 207);
  const since = new Date(Date.parse(latest.body.ts) - 30 * 60000).toISOString();
  const catchUp = await get(`/api/v1/networks/la/snapshots?since=${encodeURIComponent(since)}`);
  assert.equal(catchUp.status, 200);
  // an id no network has: a 404 that says so, with the API's CORS headers
  const unknown = await get('/api/v1/networks/nowhere/network');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'UNKNOWN_NETWORK');
  assert.equal(unknown.headers.get('access-control-allow-origin'), '*');
  assert.equal((await get('/api/v1/networks/la/nope')).body.error.code, 'NOT_FOUND');
  assert.equal((await get('/api/v1/networks/la/network', { method: 'POST' })).status, 405);
});

test('Los Angeles forecasts from its built network beat persistence on the held-back rows, at every horizon', { skip }, () => {
  // the network the server serves (flowcast-netbuild's, from sensors.csv and the directed
  // kernel), trained on the first 80% of the recorded rows, scored on the last 20%
  const out = join(dir, 'la-eval.json');
  const r = spawnSync(join(ROOT, 'build/native/bin/flowcast-eval'), ['--speeds', join(LA_SOURCE, 'los_speed_train.csv'),
    '--network', `${join(dir, 'la')}.network.json`, '--interval-min', '5', '--start', '2012-03-01T00:00',
    '--timezone', 'America/Los_Angeles', '--train-fraction', '0.8', '--zero-is-missing', 'yes', '--json', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { horizons } = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(horizons.map((/** @type {any} */ h) => h.minutes), [15, 30, 45, 60]);
  for (const h of horizons) {
    console.log(`# LA held-back rows, ${h.minutes} min: flowcast MAE ${h.flowcast.mae}, persistence ${h.persistence.mae}`);
    assert.ok(h.flowcast.mae < h.persistence.mae, `${h.minutes} min: MAE ${h.flowcast.mae} vs persistence ${h.persistence.mae}`);
    assert.ok(h.flowcast.rmse < h.persistence.rmse, `${h.minutes} min: RMSE ${h.flowcast.rmse} vs persistence ${h.persistence.rmse}`);
  }
});

test('the command line: --also ID=DIR serves another dataset; a malformed one is refused', () => {
  const cmd = /** @type {any} */ (parseCommandLine(['--dataset', '/tmp/a', '--also', 'la=/tmp/la', '--also', 'sf=/tmp/sf']));
  assert.deepEqual(cmd.opts.networks.map((/** @type {any} */ n) => [n.id, n.dataset]), [['la', '/tmp/la'], ['sf', '/tmp/sf']]);
  assert.match(cmd.what, /and \/tmp\/la as la/);
  assert.throws(() => parseCommandLine(['--also', 'Los Angeles=/tmp/la']), /--also: ID=DIR/);
  assert.throws(() => parseCommandLine(['--also', 'la']), /--also: ID=DIR/);
});

test('two networks with the same id are refused', { skip }, async () => {
  await assert.rejects(buildServer({ dataset: join(dir, 'atlanta'), public: null, networks: [{ id: 'atlanta', dataset: join(dir, 'la') }] }), /given twice/);
  await assert.rejects(buildServer({ dataset: join(dir, 'atlanta'), public: null, networks: [{ id: '../x', dataset: join(dir, 'la') }] }), /network id/);
});

test('a commuter picks Los Angeles: the address keeps it, real freeways coloured, "replay of March 2012", a trip answered', { skip: skip || browserSkip, timeout: 120000 }, async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openDesktop(browser, '/?tiles=none');
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
    const picker = page.getByRole('combobox', { name: 'City' });
    await picker.waitFor({ timeout: 10000 });
    assert.deepEqual(await picker.locator('option').allTextContents(),
      ['Atlanta (simulated)', 'Los Angeles']);
    assert.equal(await picker.inputValue(), 'atlanta');

    await Promise.all([page.waitForURL(/[?&]network=la\b/), picker.selectOption('la')]);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
    assert.match(await page.textContent('#place') ?? '', /Los Angeles .*replay of March 2012/);
    assert.equal(await page.getByRole('combobox', { name: 'City' }).inputValue(), 'la', 'the picker shows the city chosen');
    assert.ok(await page.locator('#simulated').isHidden(), 'recorded data is not called simulated');
    // LA's freeways, coloured from the recorded speeds: most segments carry a speed colour
    const classes = await page.$$eval('path.fc-seg', (ps) => ps.map((p) => p.getAttribute('class') ?? ''));
    assert.ok(classes.length > 100, `${classes.length} segments`);
    const coloured = classes.filter((c) => /\bspeed-[0-4]\b/.test(c)).length;
    assert.ok(coloured > 0.6 * classes.length, `${coloured} of ${classes.length} segments coloured`);
    // the trip form's hint speaks of this network, not of Atlanta
    const hint = await page.textContent('.trip-examples') ?? '';
    assert.doesNotMatch(hint, /Cumberland|I-285/);
    assert.match(hint, /or select a road on the map: “Trip from here”\.$/, 'and where a name means nothing, the map');
    const example = /“(LA corridor \d+) mile \d+”/.exec(hint);
    assert.ok(example, hint);
    // a trip along that road, typed as the hint shows
    const net = await (await fetch(`${origin}/api/v1/networks/la/network`)).json();
    const corridor = net.corridors.find((/** @type {any} */ c) => c.road === example[1]);
    const miles = corridor.sensors.map((/** @type {string} */ id) => net.sensors.find((/** @type {any} */ s) => s.id === id).milepost);
    await page.fill('#trip-from', `${corridor.road} mile ${Math.min(...miles).toFixed(1)}`);
    await page.fill('#trip-to', `${corridor.road} mile ${Math.max(...miles).toFixed(1)}`);
    await page.getByRole('button', { name: 'Get travel time' }).click();
    await page.waitForFunction(() => document.querySelector('#trip')?.getAttribute('data-result') === 'ok', null, { timeout: 15000 });
    const result = await page.locator('[data-field="result"]').innerText();
    assert.match(result, new RegExp(`${example[1]}`));
    assert.match(result, /\d+ min/);
    await page.screenshot({ path: join(ROOT, 'test-output', 'flowcast-la.png') });

    // and back: the default network has the plain address again
    await Promise.all([page.waitForURL((u) => !u.searchParams.has('network')), page.getByRole('combobox', { name: 'City' }).selectOption('atlanta')]);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
    assert.match(await page.textContent('#place') ?? '', /Atlanta/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('Los Angeles has no place names its commuters know: a trip picked on the map, "Trip from here" on one road segment, "Trip to here" on another', { skip: skip || browserSkip, timeout: 120000 }, async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openDesktop(browser, '/?tiles=none&network=la');
    await page.waitForSelector('html[data-ready="forecast"][data-shown="live"]', { timeout: 60000 });
    const net = await (await fetch(`${origin}/api/v1/networks/la/network`)).json();
    // the longest carriageway: a trip from its second detector to its last but one
    const corridor = net.corridors.reduce((/** @type {any} */ a, /** @type {any} */ b) => (b.sensors.length > a.sensors.length ? b : a));
    const station = (/** @type {string} */ id) => net.sensors.find((/** @type {any} */ s) => s.id === id);
    const [a, b] = [station(corridor.sensors[1]), station(corridor.sensors[corridor.sensors.length - 2])];
    const details = page.getByRole('region', { name: 'Segment details' });
    /** Selects the segment that starts at a detector, as a keyboard user does, and presses a button of its details. @param {any} st @param {string} button */
    const pick = async (st, button) => {
      await page.locator(`path.fc-seg[aria-label^="${fullStationName(st, corridor)}:"]`).first().focus();
      await page.keyboard.press('Enter');
      await details.waitFor();
      assert.equal(await details.locator('[data-field="station"]').textContent(), st.id);
      await details.getByRole('button', { name: button }).click();
    };
    const result = page.locator('#trip [data-field="result"]');

    await pick(a, 'Trip from here');
    assert.equal(await details.isHidden(), true, 'the details close: the map is free for the other end');
    // the box names the start as the map names its segment (or, where two stations share that
    // name, by the station's full text)
    assert.ok([fullStationName(a, corridor), stationText(a)].includes(await page.inputValue('#trip-from')), await page.inputValue('#trip-from'));
    assert.match(await page.inputValue('#trip-from'), new RegExp(`^${corridor.road} `));
    assert.match(await result.innerText(), /^From .+\. Where to\? Type a place, or select a road on the map and choose “Trip to here”\.$/);
    assert.equal(await page.inputValue('#trip-to'), '');
    assert.equal(await page.$eval('#trip', (f) => f.scrollWidth <= f.clientWidth), true, 'the sentence wraps inside the form');
    // the chosen end stays marked on the map, whose view stays for picking the other
    assert.equal(await page.locator('path.fc-seg.route').count(), 1, 'the start marked');

    // the same segment as the other end: said plainly, nothing asked
    await pick(a, 'Trip to here');
    await page.waitForFunction(() => !/** @type {HTMLInputElement} */ (document.getElementById('trip-to')).validity.valid, null, { timeout: 5000 });
    assert.equal(await page.$eval('#trip-to', (e) => /** @type {HTMLInputElement} */ (e).validationMessage), 'From and To are the same place: choose two different places.');

    await pick(b, 'Trip to here');
    await page.waitForFunction(() => document.querySelector('#trip')?.getAttribute('data-result') === 'ok', null, { timeout: 15000 });
    const text = await result.innerText();
    assert.match(text, new RegExp(`Route\\s+${corridor.road}`), text);
    assert.match(text, /Leaving \d\d:\d\d\s+\d+ min/, text);
    const miles = Number(/, ([\d.]+) mi\b/.exec(text)?.[1]);
    assert.ok(Math.abs(miles - Math.abs(b.milepost - a.milepost)) < 0.5 + 0.1 * Math.abs(b.milepost - a.milepost), `${miles} mi from mile ${a.milepost} to ${b.milepost}`);
    assert.ok(await page.locator('path.fc-route').count() > 0, 'the route drawn on the map');
    await page.screenshot({ path: join(ROOT, 'test-output', 'flowcast-la-trip-on-map.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('phone: the picker and the long LA name fit the screen, no horizontal scrolling; the long road shields hide nothing', { skip: skip || browserSkip, timeout: 60000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.route(TILES, (r) => r.abort());
    await page.goto(`${origin}/?tiles=none&network=la`);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 60000 });
    const picker = page.getByRole('combobox', { name: 'City' });
    await picker.waitFor({ timeout: 10000 });
    assert.equal(await picker.inputValue(), 'la');
    const box = await picker.boundingBox();
    assert.ok(box && box.height >= 24 && box.x + box.width <= 390, JSON.stringify(box));
    assert.deepEqual(await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]), [390, 390]);
    // "LA corridor 12" is three times as wide as "I-75": on a phone's first view the shields
    // that fit are whole on the map, apart, and over no road's line and no arrow (a shield
    // over a line hides the speed it is there to name; before, a dozen overlapped, cut at the edges)
    await page.waitForSelector('.fc-shield');
    const m = await page.evaluate(() => {
      const map = document.getElementById('map')?.getBoundingClientRect().toJSON();
      const arrows = [...document.querySelectorAll('svg.fc-arrow')].map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      });
      const shields = [...document.querySelectorAll('.fc-shield')].map((el) => {
        const r = el.getBoundingClientRect();
        // a road's line under the shield: any point of a 3 px grid over its box on a segment
        let over = '';
        for (let x = r.left; x <= r.right && !over; x += 3) {
          for (let y = r.top; y <= r.bottom && !over; y += 3) {
            const seg = document.elementsFromPoint(x, y).find((e) => e.classList.contains('fc-seg'));
            if (seg) over = /** @type {HTMLElement} */ (/** @type {unknown} */ (seg)).dataset.segment ?? '?';
          }
        }
        const css = getComputedStyle(el);
        return { text: el.textContent, r: r.toJSON(), over, bg: css.backgroundColor, fg: css.color };
      });
      return { map, arrows, shields };
    });
    // no route number, no Interstate's shield: "LA corridor 5" is no Interstate (a driver reads
    // red over blue as one); a plain tag, its text legible (WCAG AA, 4.5:1)
    for (const s of m.shields) {
      assert.notEqual(s.bg, INTERSTATE_BLUE, `${s.text} dressed as an Interstate`);
      assert.ok(contrast(s.fg, s.bg) >= 4.5, `${s.text}: ${s.fg} on ${s.bg}, contrast ${contrast(s.fg, s.bg).toFixed(2)}`);
    }
    assert.ok(m.shields.length >= 2, `a few shields on the phone's map: ${JSON.stringify(m.shields.map((s) => s.text))}`);
    const overlaps = (/** @type {any} */ a, /** @type {any} */ b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (const [i, s] of m.shields.entries()) {
      assert.ok(s.r.left >= m.map.left && s.r.right <= m.map.right && s.r.top >= m.map.top && s.r.bottom <= m.map.bottom, `${s.text} whole on the map: ${JSON.stringify(s.r)}`);
      assert.equal(s.over, '', `${s.text} hides segment ${s.over}`);
      for (const a of m.arrows) assert.ok(!(a.x > s.r.left && a.x < s.r.right && a.y > s.r.top && a.y < s.r.bottom), `an arrow under ${s.text}`);
      for (const t of m.shields.slice(i + 1)) assert.ok(!overlaps(s.r, t.r), `shields ${s.text} and ${t.text} overlap`);
    }
  } finally {
    await browser.close();
  }
});

test('<flowcast-map network="la"> draws Los Angeles; a malformed network is BAD_NETWORK', { skip: skip || browserSkip, timeout: 60000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await page.goto(`${origin}/embed.html`);
    const drawn = await page.evaluate(async () => {
      await import('/js/flowcast-embed.js');
      const el = document.createElement('flowcast-map');
      el.setAttribute('network', 'la');
      el.style.cssText = 'display:block;width:600px;height:400px';
      const bad = document.createElement('flowcast-map');
      bad.setAttribute('network', 'Los Angeles');
      const error = new Promise((resolve) => bad.addEventListener('flowcast:error', (e) => resolve(/** @type {CustomEvent} */ (e).detail.code), { once: true }));
      const updated = new Promise((resolve) => el.addEventListener('flowcast:update', resolve, { once: true }));
      document.body.append(el, bad);
      const err = await error;
      await updated;
      return { err, network: /** @type {any} */ (el).network, lines: el.shadowRoot?.querySelectorAll('line').length ?? 0 };
    });
    assert.equal(drawn.err, 'BAD_NETWORK');
    assert.equal(drawn.network, 'la');
    assert.ok(drawn.lines > 100, `${drawn.lines} lines drawn`);
  } finally {
    await browser.close();
  }
});
