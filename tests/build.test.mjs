// The build's promises: incremental rebuilds compile nothing, the wasm keeps C names and needs
// no stdio/WASI imports, and the native build of the same C agrees with the wasm bit for bit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPredictor } from 'flowcast';

const root = fileURLToPath(new URL('..', import.meta.url));
const wasmPath = `${root}public/flowcast.wasm`;

test('a second ./build.sh with nothing changed compiles nothing', () => {
  const r = spawnSync('./build.sh', ['--no-install'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const compiles = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^(cc|gcc|emcc|ar|cp) /.test(l));
  assert.deepEqual(compiles, [], 'these commands ran on an up-to-date tree');
  assert.match(r.stdout, /\[build\] ok/);
});

test('build.sh rejects unknown arguments with a usage error', () => {
  const r = spawnSync('./build.sh', ['--frobnicate'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown argument '--frobnicate'/);
});

test('the release wasm imports only what web/flowcast.js provides and keeps C names', () => {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort(), ['env.emscripten_notify_memory_growth', 'env.fc_js_now_us']);
  const names = Buffer.from(WebAssembly.Module.customSections(module, 'name')[0] ?? new ArrayBuffer(0)).toString('latin1');
  for (const fn of ['fc_ingest_json', 'fc_json_parse', 'fc_utf8_check', 'cJSON_Delete']) {
    assert.ok(names.includes(fn), `function name ${fn} missing from the name section`);
  }
});

test('native and wasm builds of the same C reach the same state digest', async () => {
  const net = `${root}tests/fixtures/sample/network.json`, snap = `${root}tests/fixtures/sample/snapshot.json`;
  const r = spawnSync(`${root}build/native/bin/flowcast-ingest`, ['--repeat', '5', net, snap], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { file: snap, ok: true, ts: Date.parse('2026-11-25T08:15:00-05:00'), accepted: 3, dropped: 0, missing: 1 });
  const nativeDigest = lines.at(-1).digest;

  const p = await createPredictor({ network: readFileSync(net, 'utf8') });
  const base = JSON.parse(readFileSync(snap, 'utf8'));
  for (let round = 0; round < 5; round++) {
    const ts = new Date(Date.parse(base.ts) + round * 300_000).toISOString().replace('.000Z', 'Z');
    assert.equal(p.ingest({ ...base, ts }).ok, true);
  }
  assert.equal(p.digest(), nativeDigest);
  p.dispose();
});

test('flowcast-ingest reports rejected snapshots as JSON with the error code and exits 1', () => {
  const r = spawnSync(`${root}build/native/bin/flowcast-ingest`, [`${root}tests/fixtures/sample/network.json`, `${root}tests/fixtures/networks.mjs`], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  const first = JSON.parse(r.stdout.split('\n')[0]);
  assert.equal(first.ok, false);
  assert.equal(first.code, 'E_JSON');
  const usage = spawnSync(`${root}build/native/bin/flowcast-ingest`, ['--repeat', 'x'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: flowcast-ingest/);
});
