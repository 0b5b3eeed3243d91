// The build's promises: incremental rebuilds compile nothing, the wasm keeps C names and needs
// no stdio/WASI imports, its exports are exactly what the JavaScript calls (c/wasm/exports.txt),
// and the native build of the same C agrees with the wasm bit for bit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPredictor } from 'flowcast';
import { checkExports, scanCalls } from '../c/wasm/check-exports.js';

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

test('the release wasm imports only what web/engine/runtime.js provides and keeps C names', () => {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort(), ['env.emscripten_notify_memory_growth', 'env.fc_js_now_us']);
  const names = Buffer.from(WebAssembly.Module.customSections(module, 'name')[0] ?? new ArrayBuffer(0)).toString('latin1');
  for (const fn of ['fc_ingest_json', 'fc_json_parse', 'fc_utf8_check', 'cJSON_Delete']) {
    assert.ok(names.includes(fn), `function name ${fn} missing from the name section`);
  }
});

/**
 * Runs the export check as build.sh does, on a copy of web/ (without the server) that `edit`
 * may change.
 * @param {(dir: string) => void} edit
 */
function checkCopyOfWeb(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-exports-'));
  try {
    cpSync(`${root}web`, join(dir, 'web'), { recursive: true, filter: (src) => !src.startsWith(`${root}web/server`) });
    edit(join(dir, 'web'));
    return spawnSync(process.execPath, ['c/wasm/check-exports.js', '--src', join(dir, 'web'), 'public/flowcast.wasm'],
      { cwd: root, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the wasm exports exactly what web/ calls, the release and the debug build alike', async () => {
  const problems = await checkExports({ listPath: `${root}c/wasm/exports.txt`, srcDirs: [`${root}web`],
    excludeDirs: [`${root}web/server`], wasmPaths: [wasmPath, `${root}public/flowcast-debug.wasm`] });
  assert.deepEqual(problems, []);
  assert.equal(checkCopyOfWeb(() => {}).status, 0, 'an unchanged copy passes');
});

test('the export check fails the build on a call to a function the wasm does not export', () => {
  const r = checkCopyOfWeb((web) => appendFileSync(join(web, 'engine/stats.js'),
    '\nexport function nope(p) { return p.rt.x.fc_nope(p.engine); }\n'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /engine\/stats\.js:\d+ calls fc_nope, which public\/flowcast\.wasm does not export: add it to c\/wasm\/exports\.txt/);
});

test('the export check fails on a listed export that nothing calls', () => {
  const r = checkCopyOfWeb((web) => rmSync(join(web, 'lru.js')));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /exports\.txt names fc_lru_create, which no JavaScript calls: remove the dead export/);
  assert.doesNotMatch(r.stderr, /fc_ingest_json/);
});

test('the export scan counts calls, not prose', () => {
  const found = scanCalls('// rt.x.fc_nope()\n/* x.fc_gone */\nconst x = rt.x; x.free(p); rt.x.fcw_digest(e, o); p.x.push(1);\n');
  assert.deepEqual([...found], [['free', 3], ['fcw_digest', 3]]);
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
