// Incidents as a commuter meets them, in Chromium: the simulator forces a crash on the Inner
// Loop at exit 20 (Cumberland) during the replayed morning; the page shows a warning sign on the
// map at it (with a name that says what and where), lists it, shows it in that segment's details,
// and a trip whose route passes it says so. A trip that does not pass it says nothing of it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SIM, SPEED, START, browserSkip, launchChromium } from './fixtures/browser.mjs';
import { buildServer } from '../web/server/server.js';

/** The crash: I-285 Inner Loop at exit 20, 2 of its 5 lanes, 07:00-10:00 on the dataset's
 * Tuesday, which the replay maps onto START's Tuesday morning. */
const SENSOR = 'I285-CW-019.1';
const CRASH = `${SENSOR},2026-09-08T07:00:00-04:00,180,2`;
const SHOTS = process.env.FLOWCAST_SHOTS; // a folder for screenshots, when set

/** @type {{ app: any, origin: string, browser: import('playwright-core').Browser, dir: string } | null} */
let env = null;

before(async () => {
  if (browserSkip) return;
  const dir = join(mkdtempSync(join(tmpdir(), 'flowcast-incidents-')), 'atlanta');
  const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '3', '--quiet', '--no-random-incidents', '--incident', CRASH], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const app = await buildServer({ dataset: dir, speed: SPEED, start_ms: START, public: join(ROOT, 'public') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  env = { app, origin: `http://127.0.0.1:${app.server.address().port}`, browser: await launchChromium(), dir };
});

after(async () => {
  if (!env) return;
  await env.browser.close();
  await env.app.close();
  rmSync(join(env.dir, '..'), { recursive: true, force: true });
});

test('the simulator writes its incidents into the dataset as a document the feed serves', { skip: browserSkip }, async () => {
  const e = /** @type {NonNullable<typeof env>} */ (env);
  const recorded = JSON.parse(readFileSync(join(e.dir, 'incidents.json'), 'utf8'));
  assert.equal(recorded.schema, 'flowcast.incidents/1');
  assert.deepEqual(recorded.incidents.map((/** @type {any} */ i) => [i.sensor, i.kind, i.lanes_blocked, i.lanes]), [[SENSOR, 'crash', 2, 5]]);
  const served = await (await fetch(`${e.origin}/api/v1/incidents`)).json();
  assert.equal(served.incidents.length, 1);
  assert.equal(served.incidents[0].sensor, SENSOR);
  assert.equal(served.incidents[0].start, '2026-11-24T07:00:00-05:00', 'moved onto the wall clock like the rows');
});

test('a crash on the map, in the list, in the segment\'s details and in a trip across it', { skip: browserSkip }, async () => {
  const e = /** @type {NonNullable<typeof env>} */ (env);
  const ctx = await e.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/net::ERR_FAILED|Failed to load resource/.test(m.text())) errors.push(m.text()); });
  await page.route('https://*.tile.openstreetmap.org/**', (r) => r.abort());
  try {
    await page.goto(`${e.origin}/`);
    await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });

    // the map: a warning sign at the station, named for screen readers
    const marker = page.locator('.fc-incident');
    await marker.first().waitFor({ timeout: 15000 });
    assert.equal(await marker.count(), 1);
    const name = await marker.getAttribute('aria-label');
    assert.match(String(name), /^Crash at I-285 Inner Loop at exit 20 \(Cumberland\), 2 of 5 lanes blocked, since 07:00, expected to clear by 10:00$/);
    assert.equal(await marker.getAttribute('role'), 'button');
    assert.equal(await marker.innerText(), '!', 'a symbol, not a colour alone');

    // the list: where, what, since when
    const list = page.locator('#incidents');
    assert.ok(await list.isVisible());
    assert.equal(await list.locator('li').count(), 1);
    assert.match(await list.locator('li').innerText(), /Crash at I-285 Inner Loop at exit 20.*since 07:00/s);
    assert.match(await list.locator('li').innerText(), /crash blocking 2 of 5 lanes/, 'the feed\'s description');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'incidents-map.png') });

    // the details: choosing the list entry opens that segment's details, which name the crash
    await list.getByRole('button').click();
    const details = page.locator('#details');
    await details.waitFor({ state: 'visible' });
    assert.match(await details.locator('[data-field="incident"]').innerText(), /Crash at I-285 Inner Loop at exit 20.*2 of 5 lanes blocked/);
    // the marker opens the same; a segment without an incident shows no incident line
    await page.keyboard.press('Escape');
    await marker.click();
    await details.waitFor({ state: 'visible' });
    assert.ok(await details.locator('[data-field="incident"]').isVisible());
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'incidents-details.png') });

    // a trip across it (Inner Loop from I-20 west to Perimeter Center passes exit 20) says so
    const form = page.locator('#trip');
    const ask = async (/** @type {string} */ from, /** @type {string} */ to) => {
      await form.getByLabel('From').fill(from);
      await form.getByLabel('To').fill(to);
      await form.getByRole('button', { name: 'Get travel time' }).click();
      await page.waitForSelector('#trip[data-result="ok"]', { timeout: 10000 });
      return form.locator('[data-field="result"]').innerText();
    };
    let answer = await ask('I-20 at I-285 west', 'Perimeter Center (GA-400)');
    assert.match(answer, /crosses a crash at I-285 Inner Loop at exit 20 \(Cumberland\), 2 of 5 lanes blocked/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'incidents-trip.png') });
    // one that stays on I-75 south of it does not
    await page.evaluate(() => { delete /** @type {HTMLElement} */ (document.getElementById('trip')).dataset.result; });
    answer = await ask('Downtown (I-20)', 'I-75 at I-285 south');
    assert.doesNotMatch(answer, /crash/);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
