// Embeds that fail loudly, as a partner's developer meets them: in Chromium, on a partner page
// of another origin under the documented CSP (tests/fixtures/partner.mjs). A <flowcast-map>
// whose feed cannot be reached (refused, or a host that never answers) or answers 404, a bad
// corridor, a bad horizon: each fires `flowcast:error` with its documented code within the
// documented time, shows a plain message instead of "Loading…", and recovers when the value is
// set right. The element's attributes are reflected as properties. The Leaflet layer reports the
// same codes, and a map with no height. Screenshot: os.tmpdir()/flowcast-embed-errors.png.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSkip } from './fixtures/browser.mjs';
import { NONCE, PARTNER_LEAFLET, html, startPartnerSite } from './fixtures/partner.mjs';
import { LOAD_TIMEOUT_MS } from '../web/embed/errors.js';

const skip = browserSkip;

/** @type {Awaited<ReturnType<typeof startPartnerSite>>} */
let site;

before(async () => {
  if (skip) return;
  site = await startPartnerSite();
});

after(async () => {
  await site?.close();
});

/**
 * Makes feed paths of flowcast's origin fail as a broken feed does: `down` refuses the
 * connection, `hang` never answers (the case that used to show "Loading…" for over a minute),
 * `gone` answers 404 with CORS headers (a host with CORS on all its paths, at a wrong address;
 * a 404 without them is unreadable to the page and looks unreachable, as the doc says).
 * @param {import('playwright-core').Page} page
 */
async function breakFeeds(page) {
  await page.context().route(`${site.flowcast}/api/down/**`, (route) => route.abort('connectionrefused'));
  await page.context().route(`${site.flowcast}/api/hang/**`, () => {}); // never fulfilled
  await page.context().route(`${site.flowcast}/api/gone/**`, (route) => route.fulfill({
    status: 404, headers: { 'access-control-allow-origin': '*' }, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND"}}',
  }));
}

/** What the partner sees and hears of each element on the page. */
const look = (/** @type {import('playwright-core').Page} */ page) => page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('flowcast-map')].map((el) => {
    const root = /** @type {ShadowRoot} */ (el.shadowRoot);
    const notice = /** @type {HTMLElement} */ (root.querySelector('[part="notice"]'));
    const p = /** @type {any} */ (window).partner;
    return [el.id, {
      events: p.errors.filter((/** @type {any} */ e) => e.id === el.id),
      error: /** @type {any} */ (el).error,
      status: /** @type {HTMLElement} */ (root.querySelector('[role="status"]')).hidden ? '' : root.querySelector('[role="status"]')?.textContent,
      notice: notice.hidden ? '' : notice.textContent,
      lines: root.querySelectorAll('line').length,
    }];
  })));

test('<flowcast-map>: an unreachable feed, a wrong feed address, a bad corridor and a bad horizon each fire flowcast:error with their code', { skip }, async () => {
  const { flowcast, partner } = site;
  const { page, close } = await site.page({
    '/errors.html': html(`
<script nonce="${NONCE}">window.partner = { errors: [], t0: performance.now() };
  addEventListener('flowcast:error', (e) => partner.errors.push({ id: e.target.id, ...e.detail, ms: performance.now() - partner.t0 }));</script>
<script type="module" src="${flowcast}/js/flowcast-embed.js"></script>
<div class="small"><flowcast-map id="down" feed="${flowcast}/api/down/"></flowcast-map></div>
<div class="small"><flowcast-map id="hang" feed="${flowcast}/api/hang/"></flowcast-map></div>
<div class="small"><flowcast-map id="wrong" feed="${flowcast}/api/gone/"></flowcast-map></div>
<div class="small"><flowcast-map id="corridor" feed="${flowcast}/api/v1/" corridor="I-85"></flowcast-map></div>
<div class="small"><flowcast-map id="horizon" feed="${flowcast}/api/v1/" corridor="I-75" horizon="soon"></flowcast-map></div>`),
  });
  await breakFeeds(page);
  await page.goto(`${partner}/errors.html`);
  await page.waitForFunction(() => new Set((/** @type {any} */ (window)).partner.errors.map((/** @type {any} */ e) => e.id)).size === 5,
    null, { timeout: LOAD_TIMEOUT_MS + 4000 });
  const v = await look(page);
  await page.screenshot({ path: join(tmpdir(), 'flowcast-embed-errors.png'), fullPage: true });

  const first = (/** @type {string} */ id) => v[id].events[0];
  assert.equal(first('down').code, 'FEED_UNREACHABLE');
  assert.equal(first('down').retrying, true);
  assert.ok(first('down').ms < 3000, `a refused connection is known at once: ${first('down').ms} ms`);
  assert.equal(first('hang').code, 'FEED_UNREACHABLE');
  assert.ok(first('hang').ms >= LOAD_TIMEOUT_MS - 500 && first('hang').ms < LOAD_TIMEOUT_MS + 3000,
    `a host that never answers is reported at the ${LOAD_TIMEOUT_MS} ms deadline: ${first('hang').ms} ms`);
  assert.equal(first('wrong').code, 'FEED_NOT_FOUND');
  assert.equal(first('wrong').retrying, false);
  assert.match(first('wrong').message, /HTTP 404.*check the feed address/);
  assert.equal(first('corridor').code, 'BAD_CORRIDOR');
  assert.match(first('corridor').message, /"I-85".*Try: I-285, I-75, I285-CW/);
  assert.equal(first('horizon').code, 'BAD_HORIZON');
  assert.match(first('horizon').message, /"soon" is not a horizon: use minutes from 0 to 60/);
  for (const [id, el] of Object.entries(v)) {
    assert.equal(el.events.length, 1, `${id}: one event per problem, not one per retry: ${JSON.stringify(el.events)}`);
    assert.deepEqual({ code: el.error?.code, message: el.error?.message }, { code: el.events[0].code, message: el.events[0].message }, `${id}: el.error`);
  }
  // with no roads to draw, the message stands where they would be (once: not in the status
  // line too); a bad horizon keeps the map, and the status line says it; no "Loading…" anywhere
  for (const id of ['down', 'hang', 'wrong', 'corridor']) assert.deepEqual([v[id].notice, v[id].status], [v[id].events[0].message, ''], id);
  assert.deepEqual([v.horizon.notice, v.horizon.status], ['', v.horizon.events[0].message]);
  assert.ok(v.horizon.lines > 0, 'a bad horizon shows current speeds');

  // set right, through the properties: the problem goes, the view comes
  await page.evaluate(() => {
    const byId = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
    byId('corridor').corridor = 'I-75';
    byId('horizon').horizon = 30;
  });
  await page.waitForFunction(() => /** @type {any} */ (document.getElementById('horizon')).shadowRoot
    .querySelector('[role="status"]').textContent.startsWith('Updated'), null, { timeout: 5000 });
  const fixed = await look(page);
  for (const id of ['corridor', 'horizon']) {
    assert.equal(fixed[id].error, null, id);
    assert.equal(fixed[id].notice, '', id);
    assert.ok(fixed[id].lines > 0, id);
    assert.match(fixed[id].status ?? '', /^Updated \d\d:\d\d/, id);
  }
  assert.equal(await page.getAttribute('#horizon', 'horizon'), '30');
  // a bad value set by property is reported too, at once
  const again = await page.evaluate(() => {
    const el = /** @type {any} */ (document.getElementById('horizon'));
    el.horizon = 90;
    return { code: el.error?.code, horizon: el.horizon, attr: el.getAttribute('horizon') };
  });
  assert.deepEqual(again, { code: 'BAD_HORIZON', horizon: 0, attr: '90' });
  await close();
});

test('<flowcast-map>: attributes reflected as properties, also when set before the script loads', { skip }, async () => {
  const { flowcast, partner } = site;
  const { page, errors, close } = await site.page({
    '/props.html': html(`
<div class="small"><flowcast-map id="m" feed="${flowcast}/api/v1/" corridor="I-75"></flowcast-map></div>
<script nonce="${NONCE}">document.getElementById('m').horizon = 45; // before flowcast-embed.js has defined the element</script>
<script type="module" src="${flowcast}/js/flowcast-embed.js"></script>`),
  });
  await page.goto(`${partner}/props.html`);
  await page.waitForSelector('#m[data-ready]', { timeout: 20000 });
  const props = await page.evaluate(() => {
    const el = /** @type {any} */ (document.getElementById('m'));
    const before = { feed: el.feed, corridor: el.corridor, horizon: el.horizon, telemetry: el.telemetry, attr: el.getAttribute('horizon'), own: Object.hasOwn(el, 'horizon') };
    el.corridor = 'I285-CW';
    el.telemetry = true;
    el.horizon = '15';
    const set = { corridor: el.getAttribute('corridor'), telemetry: el.getAttribute('telemetry'), horizon: el.horizon };
    el.corridor = null;
    el.telemetry = false;
    return { before, set, removed: { corridor: el.hasAttribute('corridor'), value: el.corridor, telemetry: el.hasAttribute('telemetry') } };
  });
  assert.deepEqual(props.before, { feed: `${flowcast}/api/v1/`, corridor: 'I-75', horizon: 45, telemetry: false, attr: '45', own: false });
  assert.deepEqual(props.set, { corridor: 'I285-CW', telemetry: '', horizon: 15 });
  assert.deepEqual(props.removed, { corridor: false, value: '', telemetry: false });
  // the view follows the properties: the whole network, +15 min
  await page.waitForFunction(() => /\+15 min$/.test(/** @type {any} */ (document.getElementById('m')).shadowRoot.querySelector('[role="status"]').textContent),
    null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => document.getElementById('m')?.shadowRoot?.querySelectorAll('line').length), site.segmentsOf(() => true));
  assert.deepEqual(errors, []);
  await close();
});

test('Leaflet layer: the same codes, a map with no height, and the legend shows the problem', { skip }, async () => {
  const { flowcast, partner } = site;
  const { page, close } = await site.page({
    '/layer-errors.html': html(`<div id="map"></div><div id="flat"></div>
<script nonce="${NONCE}" type="module">
  await import('${flowcast}/js/flowcast-leaflet.js');
  const log = (name) => (e) => partner.errors.push({ name, code: e.code, message: e.message, retrying: e.retrying });
  const map = L.map('map').setView([33.84, -84.42], 10);
  partner.bad = L.flowcastLayer({ feed: '${flowcast}/api/v1/', corridor: 'I-85', legend: true }).on('flowcast:error', log('bad')).addTo(map);
  partner.bad.setHorizon('soon');
  partner.down = L.flowcastLayer({ feed: '${flowcast}/api/down/' }).on('flowcast:error', log('down')).addTo(map);
  const flat = L.map('flat').setView([33.84, -84.42], 10); // the partner forgot its height
  L.flowcastLayer({ feed: '${flowcast}/api/v1/' }).on('flowcast:error', log('flat')).addTo(flat);
</script>`, PARTNER_LEAFLET),
  });
  await breakFeeds(page);
  await page.goto(`${partner}/layer-errors.html`);
  await page.waitForFunction(() => (/** @type {any} */ (window)).partner.errors.length >= 4, null, { timeout: LOAD_TIMEOUT_MS + 4000 });
  await page.waitForTimeout(500);
  const got = await page.evaluate(() => (/** @type {any} */ (window)).partner.errors);
  const codes = got.map((/** @type {any} */ e) => `${e.name}:${e.code}`).sort();
  assert.deepEqual(codes, ['bad:BAD_CORRIDOR', 'bad:BAD_HORIZON', 'down:FEED_UNREACHABLE', 'flat:MAP_HAS_NO_SIZE']);
  assert.match(got.find((/** @type {any} */ e) => e.code === 'MAP_HAS_NO_SIZE').message, /× 0 px: give its container a height/);
  assert.match(got.find((/** @type {any} */ e) => e.code === 'BAD_CORRIDOR').message, /Try: I-285, I-75/);
  // the legend shows the partner's mistake (the one it can fix) over the data time
  const status = await page.textContent('.flowcast-legend [role="status"]');
  assert.match(status ?? '', /^No corridor "I-85" on this map/);
  assert.equal(await page.locator('.flowcast-legend-status.problem').count(), 1);
  await page.evaluate(() => {
    const p = /** @type {any} */ (window).partner;
    p.bad.setCorridor('I-75');
    p.bad.setHorizon(30);
  });
  await page.waitForFunction(() => /^Updated/.test(document.querySelector('.flowcast-legend [role="status"]')?.textContent ?? ''), null, { timeout: 5000 });
  assert.equal(await page.locator('.flowcast-legend-status.problem').count(), 0);
  await close();
});
