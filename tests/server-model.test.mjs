// GET /api/v1/model?profiles=window, as a page on a slow link and an operator see it: the
// window file is small next to the full file, made by the engine for the latest snapshot,
// forecasts exactly as the full file does, is served precompressed with a strong ETag (304 on
// a repeat), stays the same file while the replay clock moves within its 15 minutes and moves
// on when the clock leaves them. Over the benchmark dataset (bench/startup.js: simulated
// Atlanta, 460 sensors, its model trained by flowcast-train).
import test from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, brotliDecompressSync, constants as zc, gunzipSync } from 'node:zlib';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPredictor } from 'flowcast';
import { dataset, FEED_START_MS } from '../bench/startup.js';
import { buildServer } from '../web/server/server.js';
import { rawGet } from './fixtures/raw-get.mjs';

const br9 = (/** @type {Buffer} */ b) => brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 9 } }).length;

/** @param {{ speed?: number }} [opts] */
async function feed(opts = {}) {
  const dir = dataset();
  const app = await buildServer({ dataset: dir, public: null, start_ms: FEED_START_MS, ...opts });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (app.server.address()).port}/api/v1/`;
  return { app, base, dir };
}

test('the window file: a fifth of the full file with brotli, format 6, the same forecasts for the latest snapshot', async () => {
  const { app, base, dir } = await feed();
  try {
    const full = await rawGet(`${base}model`);
    const win = await rawGet(`${base}model?profiles=window`);
    assert.equal(full.status, 200);
    assert.equal(win.status, 200, win.body.toString());
    assert.equal(win.headers['content-type'], 'application/octet-stream');
    assert.equal(win.body.readUInt32LE(8), 6, 'format 6');
    assert.equal(full.body.readUInt32LE(8), 6, 'the dataset\'s model is format 6 (npm start retrains older files)');
    assert.ok(win.body.readUInt32LE(92) & (1 << 17), 'flagged as a window');
    // what a phone downloads before its first forecast: the window, brotli as the server sends it
    const winBr = br9(win.body), fullBr = br9(full.body);
    assert.ok(winBr < 100_000, `window file ${winBr} bytes with brotli`);
    assert.ok(winBr * 2.5 < fullBr, `window ${winBr} bytes, full ${fullBr} (brotli)`);
    // the window names its hour, which holds the latest snapshot and the hour after it
    const latest = await (await fetch(`${base}snapshot/latest`)).text();
    const ts = Date.parse(JSON.parse(latest).ts);
    const [from, to] = String(win.headers['x-flowcast-window']).split('/').map((t) => Date.parse(t));
    assert.ok(from <= ts && to >= ts + 3600_000, `window ${win.headers['x-flowcast-window']}, latest ${new Date(ts).toISOString()}`);
    // the page's view: the window file forecasts exactly as the full file
    const network = readFileSync(`${dir}/network.json`, 'utf8');
    const forecasts = [];
    for (const body of [win.body, full.body]) {
      const p = await createPredictor({ network });
      assert.deepEqual(p.loadModel(body), { ok: true });
      assert.equal(p.ingest(latest).ok, true);
      forecasts.push(p.forecast());
      p.dispose();
    }
    assert.deepEqual(forecasts[0], forecasts[1]);
    assert.equal((await rawGet(`${base}model?profiles=hour`)).status, 400);
  } finally {
    await app.close();
  }
});

test('the window file: strong ETag and 304, brotli and gzip decoding to the same bytes, one file per window', async () => {
  const { app, base } = await feed();
  try {
    const url = `${base}model?profiles=window`;
    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    const etag = String(plain.headers.etag);
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['cache-control'], 'no-cache');
    for (const [accept, encoding, decode] of /** @type {const} */ ([['br', 'br', brotliDecompressSync], ['gzip', 'gzip', gunzipSync]])) {
      const c = await rawGet(url, { 'accept-encoding': accept });
      assert.equal(c.status, 200);
      assert.equal(c.headers['content-encoding'], encoding);
      assert.equal(c.headers.etag, etag, 'the same file, the same ETag');
      assert.match(String(c.headers.vary), /accept-encoding/i);
      assert.deepEqual(decode(c.body), plain.body);
      assert.ok(c.body.length < plain.body.length / 2, `${encoding}: ${c.body.length} of ${plain.body.length} bytes`);
    }
    const again = await rawGet(url, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    // the full file and the window are different files (a cache must not mix them up)
    const full = await rawGet(`${base}model`, { 'if-none-match': etag });
    assert.equal(full.status, 200);
    assert.notEqual(full.headers.etag, etag);
  } finally {
    await app.close();
  }
});

test('the window follows the replay clock: the same file within its 15 minutes, a new one after', async () => {
  // 600x: 15 minutes of feed time in 1.5 s
  const { app, base } = await feed({ speed: 600 });
  try {
    const url = `${base}model?profiles=window`;
    const first = await rawGet(url);
    const [from] = String(first.headers['x-flowcast-window']).split('/').map((t) => Date.parse(t));
    /** @type {any} */
    let next = first;
    const deadline = Date.now() + 10_000;
    while (next.headers.etag === first.headers.etag && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      next = await rawGet(url, { 'if-none-match': String(first.headers.etag) });
      if (next.headers.etag === first.headers.etag) assert.equal(next.status, 304, 'unchanged within the window');
    }
    assert.equal(next.status, 200, 'a new window, not a 304 for the old one');
    const [from2, to2] = String(next.headers['x-flowcast-window']).split('/').map((t) => Date.parse(t));
    assert.equal(from2 - from, 15 * 60_000, 'moved on by one 15-minute step');
    const latest = Date.parse(JSON.parse(await (await fetch(`${base}snapshot/latest`)).text()).ts);
    assert.ok(from2 <= latest && to2 >= latest + 3600_000 - 15 * 60_000);
    assert.equal(next.body.readUInt32LE(8), 6);
  } finally {
    await app.close();
  }
});

test('a model file that does not load: 409 MODEL_MISMATCH for the window, the tiles and the index, then served once the file is fixed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-mismatch-'));
  cpSync(dataset(), dir, { recursive: true });
  const good = readFileSync(join(dir, 'model.fcm'));
  writeFileSync(join(dir, 'model.fcm'), good.subarray(0, good.length >> 1)); // cut short, as by a failed copy
  const app = await buildServer({ dataset: dir, public: null, start_ms: FEED_START_MS });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (app.server.address()).port}/api/v1/`;
  try {
    for (const path of ['model?profiles=window', 'model?profiles=0', 'profiles', 'profiles/I75-NB/weekday']) {
      const r = await fetch(base + path);
      assert.equal(r.status, 409, path);
      const { error } = await r.json();
      assert.equal(error.code, 'MODEL_MISMATCH', path);
      assert.match(error.message, /model file does not fit its network: .+/, path);
    }
    // an operator copies the file again: the next requests load it, without a restart
    writeFileSync(join(dir, 'model.fcm'), good);
    for (const path of ['model?profiles=window', 'model?profiles=0', 'profiles', 'profiles/I75-NB/weekday']) {
      assert.equal((await fetch(base + path)).status, 200, path);
    }
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
