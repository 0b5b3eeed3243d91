// The start-up byte budgets: the compressed bytes the page fetches before its first speeds and
// before its first forecast (bench/startup.js: one unthrottled load in Chromium, every request
// issued before each milestone, bodies as the server encodes them for the browser) are within
// bench/budgets.json; and a heavier site fails: a copy of public/ whose page bundle (the one
// index.html loads, app/main-HASH.js) carries 171 KB of incompressible padding (about 130 KB
// after compression: far over either budget's 3% tolerance).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runByteGate } from '../bench/gate.js';
import { browserSkip } from './fixtures/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

test('the bytes before the first speeds and the first forecast are within bench/budgets.json', { skip: browserSkip }, async () => {
  const lines = [];
  const { ok, rows } = await runByteGate({ log: (s) => lines.push(s) });
  assert.deepEqual(rows.map((r) => r.name), ['before_first_speeds', 'before_first_forecast']);
  for (const r of rows) assert.ok(r.value > 100_000, `${r.name}: ${r.value} bytes (the page, the wasm and the data at least)`);
  assert.ok(rows[1].value >= rows[0].value);
  assert.ok(ok, lines.join('\n'));
});

test('a heavier site fails the byte budgets', { skip: browserSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-heavy-'));
  try {
    cpSync(`${root}public`, dir, { recursive: true, dereference: true });
    const bundle = readFileSync(join(dir, 'index.html'), 'utf8').match(/<script type="module" src="(app\/main-[A-Z0-9]{8}\.js)"/)?.[1];
    assert.ok(bundle, 'index.html loads the page bundle');
    appendFileSync(join(dir, bundle), `\n// ${randomBytes(128 * 1024).toString('base64')}\n`);
    const lines = [];
    const { ok, rows } = await runByteGate({ publicDir: dir, log: (s) => lines.push(s) });
    assert.equal(ok, false, lines.join('\n'));
    for (const r of rows) assert.ok(!r.ok && r.value > r.budget, lines.join('\n'));
    assert.match(lines.join('\n'), /FAIL bytes before_first_speeds: [\d,]+ bytes compressed \(baseline [\d,]+, \+[\d.]+%; budget [\d,]+\)/);
    // the command line exits non-zero for the same site
    const cli = spawnSync('node', [`${root}bench/gate.js`, '--bytes', '--public', dir], { encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /start-up byte budget exceeded/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
