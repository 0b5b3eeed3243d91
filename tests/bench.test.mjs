// Keeps `npm run bench` runnable: a quick run must produce the report with every benchmark and
// sensible (positive, finite) figures. Speed itself is never asserted here (see PERFORMANCE.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBounded } from './fixtures/run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

test('npm run bench -- --quick writes a complete report', { timeout: 600000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-bench-'));
  try {
    const out = join(dir, 'latest.json');
    const r = await runBounded('node', [`${root}bench/run.js`, '--quick', '--out', out], { ms: 540000 });
    assert.ok(!r.timedOut, `npm run bench -- --quick did not finish in 9 minutes\n${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Ingest \(median/);
    assert.match(r.stdout, /Model in wasm/);
    assert.match(r.stdout, /navigation -> first forecast drawn: median \d+ ms/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.quick, true);
    assert.ok(report.pageload.first_forecast_ms.median > 0 && report.pageload.transfer_gzip_bytes.total > 10000);
    assert.deepEqual(report.ingest.map((x) => `${x.name}/${x.sensors}`).sort(), [
      'JSON.parse + JS loop/1000', 'JSON.parse + JS loop/10000', 'ingest binary FCSNAP1 wasm (bytes)/1000',
      'ingest binary FCSNAP1 wasm (bytes)/10000', 'ingest binary FCSNAP1 wasm (bytes, one per slot)/1000',
      'ingest binary FCSNAP1 wasm (bytes, one per slot)/10000', 'ingest cJSON wasm (bytes)/1000',
      'ingest cJSON wasm (bytes)/10000', 'ingest cJSON wasm (string)/1000', 'ingest cJSON wasm (string)/10000',
      'ingest cJSON wasm (string, first call)/1000', 'ingest fast wasm (bytes)/1000', 'ingest fast wasm (bytes)/10000',
      'ingest fast wasm (string)/1000', 'ingest fast wasm (string)/10000', 'ingest fast wasm (string, first call)/1000',
      'ingest stock cJSON wasm (bytes)/1000', 'ingest stock cJSON wasm (bytes)/10000',
      'ingest stock cJSON wasm (string)/1000', 'ingest stock cJSON wasm (string)/10000']);
    assert.match(r.stdout, /speed-up of the fast path \(same run\): vs stock cJSON wasm [\d.]+x .*; vs cJSON wasm [\d.]+x/);
    for (const x of [...report.ingest, ...report.model]) {
      assert.ok(Number.isFinite(x.median_us) && x.median_us > 0, JSON.stringify(x));
      assert.ok(x.p95_us >= x.median_us);
    }
    assert.equal(report.model.length, 4);
    // tile mode: a cap of one tile evicts and refetches; the cached run does not
    assert.equal(report.model[2].tile_cache.evictions, 0);
    assert.ok(report.model[3].tile_cache.evictions > 0);
    assert.match(r.stdout, /LRU cache: the C cache in wasm vs lru-cache/);
    assert.match(r.stdout, /Travel-time queries in wasm/);
    assert.deepEqual(report.lru.map((x) => x.name), ['lru-cache (npm) from JS', 'C LRU wasm, called from JS', 'C LRU wasm, key stream in wasm']);
    for (const x of report.lru) {
      assert.ok(x.accesses_per_s > 0 && x.bytes_per_entry > 0, JSON.stringify(x));
      assert.equal(x.hit_rate, report.lru[0].hit_rate, 'the C LRU and lru-cache must agree on every hit');
    }
    assert.equal(report.route.queries.length, 4);
    for (const x of report.route.queries) {
      assert.ok(Number.isFinite(x.median_us) && x.median_us > 0 && x.p95_us >= x.median_us, JSON.stringify(x));
      assert.ok(x.distance_mi > 63 && x.distance_mi < 64.5 && x.segments === 159, JSON.stringify(x));
    }
    assert.ok(report.route.cache.hits > 0);
    assert.ok(report.model[0].model_bytes > 1000);
    // the soak: memory after warm-up stays flat, and the report says so
    assert.match(r.stdout, /Memory soak: 20,000 snapshots/);
    assert.match(r.stdout, /stays flat: 0 bytes growth/);
    assert.equal(report.soak.snapshots, 20000);
    assert.equal(report.soak.flat, true);
    for (const g of Object.values(report.soak.growth_bytes)) assert.equal(g, 0);
    assert.ok(report.soak.end.wasmHeapBytes > 0 && report.soak.end.historyBytes > 0);
    // scaling: every size measured, per-sensor figures and the growth ratios
    assert.match(r.stdout, /Scaling: synthetic networks/);
    assert.deepEqual(report.scaling.sizes.map((x) => x.sensors), [1000, 5000]);
    for (const x of report.scaling.sizes) {
      for (const m of [x.forecast, x.ingest]) {
        assert.ok(Number.isFinite(m.median_us) && m.median_us > 0 && m.p95_us >= m.median_us, JSON.stringify(m));
        assert.ok(Math.abs(m.us_per_sensor - m.median_us / x.sensors) < 1e-9);
      }
    }
    assert.ok(report.scaling.forecast_ratio > 0 && report.scaling.ingest_ratio > 0);
    const bad = spawnSync('node', [`${root}bench/run.js`, '--frob'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
