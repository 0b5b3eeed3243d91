// The page in a real browser: Debian's Chromium driven by playwright-core loads public/ from the
// feed server, the wasm engine ingests the server's latest snapshot, and the page shows the
// engine's version and counts without console errors. With the API unreachable, the page falls
// back to the sample files beside it (static hosting).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildServer } from '../web/server/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (./build.sh installs it)`;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Awaited<ReturnType<typeof buildServer>>} */
let app;
let url = '';
let dir = '';

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'flowcast-page-'));
  const network = JSON.parse(readFileSync(join(root, 'public/sample/network.json'), 'utf8'));
  network.id = 'page-test';
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network));
  const snap = JSON.parse(readFileSync(join(root, 'public/sample/snapshot.json'), 'utf8'));
  snap.network = 'page-test';
  snap.readings.push({ id: 'NOT-A-SENSOR', speed_mph: 50 });
  writeFileSync(join(dir, '2026-11-25T13-15-00Z.json'), JSON.stringify(snap));
  app = await buildServer({ dir, public: join(root, 'public') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${app.server.address().port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens the page and waits for the engine to report.
 * @param {(page: import('playwright-core').Page) => Promise<void>} [setup]
 */
async function open(setup) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  if (setup) await setup(page);
  await page.goto(url);
  await page.waitForSelector('html[data-ready]', { timeout: 20000 });
  const text = async (/** @type {string} */ id) => (await page.textContent(`#${id}`))?.trim();
  return { page, errors, text };
}

test('the page loads the wasm engine and ingests the server\'s latest snapshot', { skip }, async () => {
  const { page, errors, text } = await open();
  assert.equal(await page.getAttribute('html', 'data-ready'), 'true', await text('status'));
  assert.match(await text('version') ?? '', /^\d+\.\d+\.\d+$/);
  assert.equal(await text('network'), 'page-test');
  assert.equal(await text('sensors'), '4');
  assert.equal(await text('accepted'), '3');
  // the server already dropped the unknown sensor's reading when it loaded the file
  assert.equal(await text('dropped'), '0');
  assert.equal(await text('missing'), '1');
  assert.match(await text('source') ?? '', /api\/v1\/network, api\/v1\/snapshot\/latest/);
  assert.match(await text('status') ?? '', /Engine ready: 3 readings ingested/);
  await page.screenshot({ path: join(tmpdir(), 'flowcast-page.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('without the API the page falls back to the sample data beside it', { skip }, async () => {
  const { page, errors, text } = await open((p) => p.route('**/api/**', (r) => r.abort()));
  assert.equal(await page.getAttribute('html', 'data-ready'), 'true', await text('status'));
  assert.equal(await text('network'), 'sample-atlanta');
  assert.match(await text('source') ?? '', /sample\/network\.json, sample\/snapshot\.json/);
  // the aborted API requests are logged by the browser as network errors, nothing else
  assert.deepEqual(errors.filter((e) => !/net::ERR_FAILED|Failed to load resource/.test(e)), []);
  await page.close();
});
