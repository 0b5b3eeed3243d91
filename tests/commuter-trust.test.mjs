// A detector that never reported shows no invented jam, judged on the page as a commuter sees it
// (issue: "Forecasts and trips a commuter can trust", item 1). The engine's rule and its limits
// are tested in tests/model.test.mjs; here: the map's names, the details and a trip answer on the
// simulated Atlanta feed, whose detectors include some that never report.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPageServer } from './fixtures/page-server.mjs';
import { fullStationName } from '../web/shared/names.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const skip = existsSync(`${root}build/native/bin/flowcast-sim`) && existsSync('/usr/bin/chromium')
  ? false : 'needs ./build.sh and Chromium';

/** @type {Awaited<ReturnType<typeof startPageServer>>} */
let server;
/** @type {any[]} network sensors */
let neverReported = [];

before(async () => {
  if (skip) return;
  server = await startPageServer({ seed: 6 });
  // the stations with no reading in all the history the feed serves
  const h = await (await fetch(`${server.origin}/api/v1/history?hours=192`)).json();
  const ids = h.sensors.filter((/** @type {string} */ _id, /** @type {number} */ i) => h.speed_mph.every((/** @type {(number|null)[]} */ row) => row[i] === null));
  neverReported = server.network.sensors.filter((/** @type {any} */ s) => ids.includes(s.id));
});

after(async () => { await server?.close(); });

/** @param {any} s a network sensor: the map names its segment so (web/shared/names.js) */
const segmentOf = (s) => {
  const corridor = server.network.corridors.find((/** @type {any} */ c) => c.sensors.includes(s.id));
  return `path.fc-seg[aria-label^="${fullStationName(s, corridor)}:"]`;
};

test('a detector that never reported: no jam on the map, "estimated" or "no forecast" in words, at every horizon', { skip }, async () => {
  assert.ok(neverReported.length >= 1, 'the simulated feed has detectors that never report (else this test proves nothing)');
  const { page, errors } = await server.open('/?h=30');
  for (const minutes of [5, 30, 60]) {
    await page.locator('#horizon').fill(String(minutes / 5));
    for (const s of neverReported) {
      const label = /** @type {string} */ (await page.locator(segmentOf(s)).first().getAttribute('aria-label'));
      assert.match(label, /no data now/, label);
      const m = /, (\d+) mph \(estimated\) in \d+ min$/.exec(label);
      assert.ok(m || /no forecast in \d+ min$/.test(label), `+${minutes} min: ${label}`);
      // an estimate from free-flowing or slowing neighbours, never the ~0-6 mph of an empty profile
      if (m) assert.ok(Number(m[1]) >= 20, `+${minutes} min: ${label}`);
      const cls = /** @type {string} */ (await page.locator(segmentOf(s)).first().getAttribute('class'));
      if (m) assert.match(cls, /\bestimated\b/, 'drawn as an estimate');
      else assert.match(cls, /\bspeed-none\b/, 'drawn as no data');
    }
  }
  // the details say where the number comes from, in plain words
  await page.locator('#horizon').fill('6');
  // by keyboard (a short segment's neighbours' tap areas may cover it for a pointer)
  await page.locator(segmentOf(neverReported[0])).first().focus();
  await page.keyboard.press('Enter');
  const details = page.getByRole('region', { name: 'Segment details' });
  await details.waitFor();
  assert.match(await details.innerText(), /Speed now\s+no data/);
  assert.match(await details.innerText(), /estimated from neighbouring detectors|no forecast: this detector and its neighbours have no recent data/);
  // for a person to look at (test-output/ is git-ignored)
  await page.screenshot({ path: fileURLToPath(new URL('../test-output/flowcast-dead-detector.png', import.meta.url)) });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a trip along a road past a detector that never reported says which part is estimated', { skip }, async () => {
  const s = neverReported.find((x) => x.road === 'I-285');
  assert.ok(s, 'an I-285 detector that never reported');
  const { page, errors } = await server.open('/');
  const form = page.getByRole('form', { name: 'Plan a trip' });
  // a few miles either side of it: the short way is along its own carriageway
  const loop = s.direction === 'CW' ? 'Inner Loop' : 'Outer Loop';
  await form.getByLabel('From').fill(`I-285 mile ${Math.floor(s.milepost - 2)} on the ${loop.toLowerCase()}`);
  await form.getByLabel('To').fill(`I-285 mile ${Math.ceil(s.milepost + 2)} on the ${loop.toLowerCase()}`);
  await form.getByRole('button', { name: 'Get travel time' }).click();
  await page.waitForSelector('#trip[data-result]', { timeout: 10000 });
  const answer = await form.locator('[data-field="result"]').innerText();
  if (await page.locator('#trip[data-result="ok"]').count()) {
    assert.match(answer, /no detector data of its own: estimated from the neighbouring detectors/, answer);
  } else {
    // a gap no neighbour covers: said plainly, never the engine's words
    assert.match(answer, /crosses a stretch where no detector reports/, answer);
  }
  assert.doesNotMatch(answer, /E_[A-Z]+|travelTime:/);
  assert.deepEqual(errors, []);
  await page.context().close();
});
