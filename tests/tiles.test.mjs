// History profile tiles (issue 6): the engine in tile mode reads its time-of-day profiles from
// tiles fetched through JavaScript into its LRU cache; a cap too small for the network's tiles
// forces eviction and refetch, and the forecasts stay identical; untrusted tiles are validated;
// the feed server serves the tiles cut from its model file by the same engine.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createPredictor, FlowcastError } from 'flowcast';
import { buildServer } from '../web/server/server.js';
import { browserSkip, launchChromium, SPEED, START } from './fixtures/browser.mjs';
import { networkBytes, pooledCorrectionBytes } from './fixtures/model-file.mjs';
import { rawGet } from './fixtures/raw-get.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const INTERVAL_MS = 300_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC
const DAYS = 9;

/** Two corridors (4 and 3 stations) and two stations in no corridor: three tile groups. */
const network = {
  schema: 'flowcast.network/1', id: 'tiles', timezone: 'UTC', interval_s: 300,
  sensors: Array.from({ length: 9 }, (_, k) => ({ id: `S${k}`, lat: 33, lon: -84 - 0.03 * k, road: k < 4 ? 'A' : 'B',
    direction: 'E', milepost: 2 * k, lanes: 3, speed_limit_mph: 60 })),
  corridors: [
    { id: 'A-E', road: 'A', direction: 'E', sensors: ['S0', 'S1', 'S2', 'S3'] },
    { id: 'B-E', road: 'B', direction: 'E', sensors: ['S4', 'S5', 'S6'] },
  ],
};

/** A daily rush hour that moves upstream, weekends lighter, a little deterministic noise. */
function speedAt(/** @type {number} */ t, /** @type {number} */ s) {
  const day = Math.floor(t / 288), tod = t % 288, weekend = day % 7 >= 5;
  const dip = Math.exp(-(((tod - 96 - 2 * s) / 14) ** 2)) * (weekend ? 10 : 28);
  return 62 - dip - (s % 3) + (((t * 7919 + s * 104729) % 97) / 97) * 3;
}

/**
 * An engine with rows [from, to) ingested.
 * @param {number} from
 * @param {number} to
 */
async function engineWith(from, to) {
  const p = await createPredictor({ network, config: { historyS: 14 * 86400 } });
  const row = new Float32Array(p.sensorCount);
  for (let t = from; t < to; t++) {
    for (let s = 0; s < row.length; s++) row[s] = speedAt(t, s);
    const r = p.ingestValues(T0 + (t + 1) * INTERVAL_MS, row);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  return p;
}

const END = DAYS * 288 + 100; // the last row: a weekday morning, inside the rush hour
let trainer = /** @type {import('flowcast').Predictor} */ (/** @type {unknown} */ (null));
let model = new Uint8Array();
/** @type {Map<string, Uint8Array>} */
const tiles = new Map();

test.before(async () => {
  trainer = await engineWith(0, END);
  trainer.trainSync({ maxSamples: 300 });
  model = trainer.saveModel();
  for (const g of trainer.tileGroups()) for (const d of /** @type {const} */ (['weekday', 'weekend'])) tiles.set(`${g}/${d}`, trainer.profileTile(g, d));
});
test.after(() => trainer?.dispose());

/**
 * An engine that loaded the model, holds the last two days of data, and reads profiles from
 * `tiles` under a cache of maxBytes; fetches are counted.
 * @param {number} maxBytes
 */
async function tiled(maxBytes) {
  const p = await engineWith(END - 2 * 288, END);
  assert.equal(p.loadModel(model).ok, true);
  const fetched = /** @type {string[]} */ ([]);
  p.useProfileTiles({
    maxBytes,
    fetchTile: async (group, daytype) => {
      fetched.push(`${group}/${daytype}`);
      await new Promise((r) => setTimeout(r, 1)); // a real fetch is asynchronous
      const t = tiles.get(`${group}/${daytype}`);
      if (!t) throw new Error(`no tile ${group}/${daytype}`);
      return t;
    },
  });
  return { p, fetched };
}

/**
 * The smallest cache that holds a tile of fileBytes: the engine caches the payload (the file
 * without its 48-byte header and 8-byte checksum) in 4 KB chunks, each chaining to the next
 * with its last 4 bytes (c/src/lru.h).
 * @param {number} fileBytes
 */
const capFor = (fileBytes) => Math.ceil((fileBytes - 56 - 4) / 4092) * 4096;

test('groups: the corridors, then ~rest for the stations in no corridor', () => {
  assert.deepEqual(trainer.tileGroups(), ['A-E', 'B-E', '~rest']);
  const t = /** @type {Uint8Array} */ (tiles.get('A-E/weekday'));
  assert.equal(new TextDecoder().decode(t.subarray(0, 7)), 'FCTILE1');
  // header 48 + 4 sensors x 289 slots (a local day has up to 25 hours) x (sum, count) x 4
  // bytes + 4 x (sum, count) x 8 + checksum 8
  assert.equal(t.length, 48 + 4 * 289 * 8 + 4 * 16 + 8);
  assert.deepEqual(trainer.profileTile('A-E', 'weekday'), t, 'export is deterministic');
  assert.throws(() => trainer.profileTile('nope', 'weekday'), (e) => e instanceof FlowcastError && e.code === 'E_NOT_FOUND');
  assert.throws(() => trainer.profileTile('A-E', /** @type {any} */ ('monday')), (e) => e instanceof FlowcastError && e.code === 'E_RANGE');
});

test('tile mode: fetches each needed tile once, then serves from the cache; forecasts close to the local profiles', async () => {
  const { p, fetched } = await tiled(1 << 20);
  try {
    const f = await p.forecastAsync();
    // a weekday morning window needs the weekday tile of every group, nothing else
    assert.deepEqual(fetched.sort(), ['A-E/weekday', 'B-E/weekday', '~rest/weekday']);
    assert.equal(f.mid.length, 9 * f.horizons);
    assert.ok(f.mid.every(Number.isFinite) && f.lo.every(Number.isFinite) && f.hi.every(Number.isFinite));
    assert.deepEqual(await p.forecastAsync(), f, 'same data, same tiles: same forecast');
    assert.equal(fetched.length, 3, 'the second forecast fetched nothing');
    const cs = p.tileCacheStats();
    assert.equal(cs.entries, 3);
    assert.equal(cs.evictions, 0);
    assert.ok(cs.hits >= 3, JSON.stringify(cs));

    // the same model with its own profile arrays (they also hold the last two days, which it
    // leaves out around the origin as tiles, cut from complete history, need not) forecasts
    // nearly the same: the tiles are that model's profiles
    const local = await engineWith(END - 2 * 288, END);
    assert.equal(local.loadModel(model).ok, true);
    const g = local.forecast();
    let diff = 0;
    for (let i = 0; i < f.mid.length; i++) diff += Math.abs(f.mid[i] - g.mid[i]);
    assert.ok(diff / f.mid.length < 0.3, `mean |tiles - local| = ${diff / f.mid.length} mph`);
    local.dispose();
  } finally {
    p.dispose();
  }
});

test('a cap smaller than the tiles it needs: eviction and refetch, forecasts identical', async () => {
  const big = await tiled(1 << 20);
  // room for the largest tile's payload (3 chunks), never for two tiles at once (the others
  // take 2 chunks each)
  const small = await tiled(capFor(/** @type {Uint8Array} */ (tiles.get('A-E/weekday')).length));
  try {
    const want = await big.p.forecastAsync();
    const got = await small.p.forecastAsync();
    assert.deepEqual(got, want);
    const cs = small.p.tileCacheStats();
    assert.ok(cs.evictions >= 2, `evictions ${cs.evictions}`);
    assert.ok(cs.bytesInUse <= cs.maxBytes && cs.peakBytes <= cs.maxBytes);
    assert.equal(cs.entries, 1);
    // the next snapshot: forecast again, every tile but the last one refetched
    const row = new Float32Array(9).map((_, s) => speedAt(END, s));
    for (const e of [big.p, small.p]) assert.equal(e.ingestValues(T0 + (END + 1) * INTERVAL_MS, row).ok, true);
    assert.throws(() => small.p.forecast(), (e) => e instanceof FlowcastError && e.code === 'E_STATE' && /tile forecast/.test(e.message),
      'forecast() does not serve the previous data version');
    const before = small.fetched.length;
    const want2 = await big.p.forecastAsync();
    assert.deepEqual(await small.p.forecastAsync(), want2);
    // cycling through three tiles with room for one, LRU keeps only the last one used, which the
    // next forecast needs last: every tile is fetched again
    assert.equal(small.fetched.length - before, 3, 'the evicted tiles were fetched again');
    assert.notDeepEqual(want2.mid, want.mid, 'the new snapshot changed the forecast');
    // travel times read the tile-mode forecast
    const tt = small.p.travelTime({ from: 'S0', to: 'S3' });
    const tt2 = big.p.travelTime({ from: 'S0', to: 'S3' });
    assert.equal(tt.minutes, tt2.minutes);
  } finally {
    big.p.dispose();
    small.p.dispose();
  }
});

test('a model file without profiles: a fraction of the size, forecasts only in tile mode, identical to the full file\'s', async () => {
  const stripped = trainer.saveModel({ profiles: false });
  // (format 3 packs the profiles tighter than the weights: a third of the file here, 4 sensors,
  // not counting the pooled correction and the network of format 6, a fixed 432 cells and 604
  // weights for 12 horizons in both)
  const rc = pooledCorrectionBytes(model) + networkBytes(model);
  assert.ok(stripped.length - rc < (model.length - rc) / 2.5, `${stripped.length} of ${model.length} bytes, correction and network ${rc}`);
  // the header says so (regimes 2, bit 16: no profiles), and the size follows
  assert.equal(new DataView(stripped.buffer, stripped.byteOffset).getUint32(92, true), 2 | (1 << 16));
  const full = await tiled(1 << 20);
  const p = await engineWith(END - 2 * 288, END);
  const code = (/** @type {() => unknown} */ fn, /** @type {string} */ c, /** @type {RegExp} */ m) =>
    assert.throws(fn, (e) => e instanceof FlowcastError && e.code === c && m.test(e.message));
  try {
    assert.equal(p.loadModel(stripped).ok, true);
    code(() => p.forecast(), 'E_STATE', /carries no profiles/);
    code(() => p.travelTime({ from: 'S0', to: 'S3' }), 'E_STATE', /carries no profiles/);
    code(() => p.saveModel(), 'E_STATE', /profiles are not here/);
    code(() => p.profileTile('A-E', 'weekday'), 'E_STATE', /no profiles to export/);
    assert.deepEqual(p.saveModel({ profiles: false }), stripped, 'round trip');
    // a truncated or mislabelled file is refused like any other
    assert.equal(p.loadModel(stripped.subarray(0, stripped.length - 1)).ok, false);
    const relabelled = stripped.slice();
    new DataView(relabelled.buffer).setUint32(92, 2, true); // claims profiles it does not have
    const r = /** @type {any} */ (p.loadModel(relabelled));
    assert.equal(r.code, 'E_FIELD');
    assert.match(r.message, /checksum mismatch/); // format 6's checksum covers its header
    p.useProfileTiles({ maxBytes: 1 << 20, fetchTile: async (g, d) => /** @type {Uint8Array} */ (tiles.get(`${g}/${d}`)) });
    assert.deepEqual(await p.forecastAsync(), await full.p.forecastAsync(), 'the same weights and tiles: the same forecast');
    assert.ok(p.stats().memory.modelBytes < full.p.stats().memory.modelBytes + 1 && p.stats().memory.modelBytes > 0);
  } finally {
    p.dispose();
    full.p.dispose();
  }
});

test('untrusted tiles: every defect refused with a clear error, the cache untouched', async () => {
  const { p } = await tiled(1 << 20);
  const good = /** @type {Uint8Array} */ (tiles.get('B-E/weekend'));
  /** @param {Uint8Array} bytes @param {string} code @param {RegExp} message */
  const refused = (bytes, code, message) => assert.throws(() => p.putProfileTile(bytes),
    (e) => e instanceof FlowcastError && e.code === code && message.test(e.message), `${code} ${message}`);
  try {
    refused(good.subarray(0, 20), 'E_FIELD', /too short/);
    refused(good.subarray(0, good.length - 1), 'E_FIELD', /bytes, the header implies/);
    const magic = good.slice(); magic[0] = 0x58;
    refused(magic, 'E_SCHEMA', /bad magic/);
    const version = good.slice(); version[8] = 9;
    refused(version, 'E_SCHEMA', /format version 9/);
    const flipped = good.slice(); flipped[200] ^= 1;
    refused(flipped, 'E_FIELD', /checksum/);
    const group = good.slice(); new DataView(group.buffer).setUint32(24, 7, true);
    refused(group, 'E_FIELD', /group 7, the network has 3/);
    const sizes = good.slice(); new DataView(sizes.buffer).setUint32(32, 4, true);
    refused(sizes, 'E_FIELD', /4 sensors x 289 slots, group 1 has 3 sensors/);
    // another model of the same network
    const other = await engineWith(0, 4 * 288);
    other.trainSync({ maxSamples: 100 });
    refused(other.profileTile('B-E', 'weekend'), 'E_NETWORK_ID', /another model/);
    other.dispose();
    // another network
    const net2 = { ...network, id: 'other' };
    const o2 = await createPredictor({ network: net2 });
    assert.equal(o2.loadModel(model).ok, false, 'the model is tied to its network too');
    o2.dispose();
    assert.equal(p.tileCacheStats().entries, 0, 'nothing was cached');
    p.putProfileTile(good);
    assert.equal(p.tileCacheStats().entries, 1);

    // a cache too small for one tile
    const tiny = await engineWith(END - 288, END);
    tiny.loadModel(model);
    tiny.useProfileTiles({ maxBytes: 4096, fetchTile: async () => good });
    assert.throws(() => tiny.putProfileTile(good), (e) => e instanceof FlowcastError && e.code === 'E_TOO_LARGE' &&
      /B-E\/weekend \(\d+ bytes\) is larger than the tile cache \(4096 bytes\)/.test(e.message));
    tiny.dispose();
  } finally {
    p.dispose();
  }
});

test('tile mode refuses what needs profile arrays: training, saving, clearing; bad sizes; a second enable', async () => {
  const { p } = await tiled(1 << 20);
  const code = (/** @type {() => unknown} */ fn, /** @type {string} */ c, /** @type {RegExp} */ m) =>
    assert.throws(fn, (e) => e instanceof FlowcastError && e.code === c && m.test(e.message));
  try {
    code(() => p.saveModel(), 'E_STATE', /./);
    code(() => p.trainSync(), 'E_STATE', /profile tiles are enabled/);
    code(() => p.useProfileTiles({ maxBytes: 1 << 20, fetchTile: async () => new Uint8Array() }), 'E_STATE', /already enabled/);
    code(() => p.forecast(), 'E_STATE', /tile forecast/);
    // loading the model again keeps tile mode; its tiles stay valid (same model)
    assert.equal(p.loadModel(model).ok, true);
    assert.ok((await p.forecastAsync()).mid.every(Number.isFinite));
  } finally {
    p.dispose();
  }
  const q = await engineWith(END - 288, END);
  try {
    code(() => q.useProfileTiles({ maxBytes: 1 << 20, fetchTile: async () => new Uint8Array() }), 'E_STATE', /load a model first/);
    q.loadModel(model);
    code(() => q.useProfileTiles({ maxBytes: 100, fetchTile: async () => new Uint8Array() }), 'E_RANGE', /cache of 100 bytes/);
    code(() => q.useProfileTiles(/** @type {any} */ ({ maxBytes: 1 << 20 })), 'E_ARG', /fetchTile/);
    // a fetch that fails surfaces as the forecast's error, and the engine stays usable
    q.useProfileTiles({ maxBytes: 1 << 20, fetchTile: async () => { throw new Error('feed down'); } });
    await assert.rejects(q.forecastAsync(), /feed down/);
    const local = tiles.get('A-E/weekday');
    assert.ok(local);
  } finally {
    q.dispose();
  }
});

// ---- the feed server ----

const SIM = join(root, 'build/native/bin/flowcast-sim');
const TRAIN = join(root, 'build/native/bin/flowcast-train');
const serverSkip = existsSync(SIM) && existsSync(TRAIN) ? false : 'flowcast-sim / flowcast-train are not built (./build.sh)';

test('GET /api/v1/profiles/<group>/<daytype>: the model\'s tiles, ETag and 304, errors; an engine forecasts from them',
  { skip: serverSkip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowcast-tiles-'));
    const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '7', '--quiet'], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const app0 = await buildServer({ dataset: dir, public: null });
    await app0.listen({ port: 0, host: '127.0.0.1' });
    const base0 = `http://127.0.0.1:${app0.server.address().port}/api/v1/`;
    try {
      const none = await fetch(`${base0}profiles/I75-N/weekday`);
      assert.equal(none.status, 404);
      assert.equal((await none.json()).error.code, 'NO_MODEL');
    } finally {
      await app0.close();
    }
    const tr = spawnSync(TRAIN, ['--dataset', dir, '--out', join(dir, 'model.fcm'), '--days', '7'], { encoding: 'utf8' });
    assert.equal(tr.status, 0, tr.stderr);
    const app = await buildServer({ dataset: dir, public: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${app.server.address().port}/api/v1/`;
    try {
      const index = await (await fetch(`${base}profiles`)).json();
      assert.ok(index.groups.length >= 4, JSON.stringify(index));
      assert.deepEqual(index.daytypes, ['weekday', 'weekend']);
      const g = index.groups[0];
      const r = await fetch(`${base}profiles/${encodeURIComponent(g)}/weekday`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/octet-stream');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const etag = r.headers.get('etag') ?? '';
      assert.match(etag, /^"[^"]+"$/);
      const body = new Uint8Array(await r.arrayBuffer());
      assert.equal((await fetch(`${base}profiles/${encodeURIComponent(g)}/weekday`, { headers: { 'if-none-match': etag } })).status, 304);
      // compressed once per tile and encoding, as browsers ask: the same stored bytes (with a
      // length, not a per-request chunked stream) each time, decoding to the tile
      for (const [accept, encoding, decode] of /** @type {const} */ ([['br, gzip', 'br', brotliDecompressSync], ['gzip', 'gzip', gunzipSync]])) {
        const bodies = await Promise.all([0, 1].map(() => rawGet(`${base}profiles/${encodeURIComponent(g)}/weekday`, { 'accept-encoding': accept })));
        for (const b of bodies) {
          assert.equal(b.headers['content-encoding'], encoding, accept);
          assert.equal(Number(b.headers['content-length']), b.body.length, `${accept}: a stored copy has a length`);
          assert.match(String(b.headers.vary), /accept-encoding/i);
          assert.ok(b.body.length < body.length / 3, `${accept}: ${b.body.length} of ${body.length} B`);
          assert.deepEqual(new Uint8Array(decode(b.body)), body);
        }
        assert.deepEqual(bodies[0].body, bodies[1].body);
      }

      // byte-identical to what an engine with the same model exports
      const net = await (await fetch(`${base}network`)).text();
      const modelBytes = new Uint8Array(readFileSync(join(dir, 'model.fcm')));
      const ref = await createPredictor({ network: net });
      assert.equal(ref.loadModel(modelBytes).ok, true);
      assert.deepEqual(body, ref.profileTile(g, 'weekday'));
      ref.dispose();

      for (const [path, status, c] of [['profiles/nope/weekday', 404, 'UNKNOWN_GROUP'], [`profiles/${g}/monday`, 400, 'BAD_DAYTYPE']]) {
        const e = await fetch(base + path);
        assert.equal(e.status, status, path);
        assert.equal((await e.json()).error.code, c);
      }
      assert.equal((await fetch(`${base}profiles/${g}/weekday`, { method: 'POST' })).status, 405);
      // the model without its profiles, for tile mode: what an engine exports, and it loads
      const mr = await fetch(`${base}model?profiles=0`);
      assert.equal(mr.status, 200);
      const strippedModel = new Uint8Array(await mr.arrayBuffer());
      assert.ok(strippedModel.length < modelBytes.length / 3);
      const ref2 = await createPredictor({ network: net });
      assert.equal(ref2.loadModel(modelBytes).ok, true);
      assert.deepEqual(strippedModel, ref2.saveModel({ profiles: false }));
      ref2.dispose();
      assert.equal((await fetch(`${base}model?profiles=0`, { headers: { 'if-none-match': mr.headers.get('etag') ?? '' } })).status, 304);
      const badQ = await fetch(`${base}model?profiles=2`);
      assert.equal(badQ.status, 400);
      assert.equal((await badQ.json()).error.code, 'BAD_PROFILES');

      // an engine in tile mode on the served tiles, under a cap of one tile
      const snap = await (await fetch(`${base}history?hours=3`)).json();
      const p = await createPredictor({ network: net });
      assert.equal(p.loadModel(strippedModel).ok, true);
      // rows of the history (row r covers [start + r interval, + interval): ingest at its end)
      const start = Date.parse(snap.start);
      let ingested = 0;
      snap.speed_mph.forEach((/** @type {(number|null)[]} */ row, /** @type {number} */ r) => {
        const values = Float32Array.from(row, (v) => (v == null ? NaN : v));
        if (p.ingestValues(start + (r + 1) * snap.interval_s * 1000, values).ok) ingested++;
      });
      assert.ok(ingested >= 30, `ingested ${ingested} rows`);
      let fetches = 0;
      const largest = Math.max(...await Promise.all(index.groups.map(async (/** @type {string} */ k) =>
        (await (await fetch(`${base}profiles/${encodeURIComponent(k)}/weekday`)).arrayBuffer()).byteLength)));
      p.useProfileTiles({
        maxBytes: capFor(largest), // one tile at a time
        fetchTile: async (group, daytype) => {
          fetches++;
          const t = await fetch(`${base}profiles/${encodeURIComponent(group)}/${daytype}`);
          if (!t.ok) throw new Error(`tile ${group}/${daytype}: HTTP ${t.status}`);
          return new Uint8Array(await t.arrayBuffer());
        },
      });
      const f = await p.forecastAsync();
      assert.ok(f.mid.every(Number.isFinite));
      assert.ok(fetches >= index.groups.length, `fetches ${fetches}`);
      assert.ok(p.tileCacheStats().evictions > 0, 'a cap of one tile evicted');
      p.dispose();
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

// ---- the page in tile mode ----

test('the page with ?profiles=1: tile mode in the worker, tiles fetched (and refetched under a 1 MB cap), forecasts drawn',
  { skip: serverSkip || browserSkip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowcast-tiles-page-'));
    const sim = spawnSync(SIM, ['--out', dir, '--days', '8', '--seed', '7', '--quiet'], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const tr = spawnSync(TRAIN, ['--dataset', dir, '--out', join(dir, 'model.fcm'), '--days', '7'], { encoding: 'utf8' });
    assert.equal(tr.status, 0, tr.stderr);
    const app = await buildServer({ dataset: dir, speed: SPEED, start_ms: START, public: join(root, 'public') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      /** @type {string[]} */
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      /** @type {string[]} */
      const tileRequests = [];
      /** @type {string[]} */
      const modelRequests = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/v1/profiles/')) tileRequests.push(u.pathname);
        if (u.pathname === '/api/v1/model') modelRequests.push(u.pathname + u.search);
      });
      await page.route(/tile\.openstreetmap\.org/, (r) => r.abort());
      await page.goto(`http://127.0.0.1:${app.server.address().port}/?profiles=1`);
      await page.waitForSelector('html[data-ready="forecast"]', { timeout: 30000 });
      const strokes = await page.$$eval('path.fc-seg', (ps) => ps.map((p) => p.getAttribute('stroke')));
      assert.ok(strokes.length > 100 && strokes.every((c) => /^#[0-9a-f]{6}$/.test(c ?? '')), 'every segment coloured');
      // a forecast horizon shows forecast colours, which came from tile-mode forecasts
      await page.fill('#horizon', '12');
      await page.dispatchEvent('#horizon', 'input');
      assert.ok(tileRequests.length >= 4, `tile requests: ${tileRequests.join(' ')}`);
      assert.deepEqual(modelRequests, ['/api/v1/model?profiles=0'], 'the worker fetched the model without profiles');
      // the next snapshots (every 2.5 s): the 1 MB cap holds two of the four ~370 KB tiles, so
      // each forecast refetches
      const before = tileRequests.length;
      for (const end = Date.now() + 20000; tileRequests.length <= before && Date.now() < end;) await new Promise((r) => setTimeout(r, 200));
      assert.ok(tileRequests.length > before, `tiles refetched after new snapshots (${before} -> ${tileRequests.length})`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
