// The native C tests under valgrind's memcheck: zero leaks and zero memory errors. (The same
// tests also run with ASan/UBSan in native.test.mjs; memcheck catches uninitialised reads that
// ASan does not.) The two randomized stress tests with millions of operations run only under
// the sanitizers: under memcheck they would take minutes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../build/native/flowcast-tests', import.meta.url));
const HEAVY = new Set(['test_fast_numbers', 'test_lru_model_random']);
const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
const skip = valgrind.status === 0 ? false : 'valgrind is not installed (./build.sh installs it)';

test('C tests under valgrind memcheck: no leaks, no errors', { skip }, () => {
  assert.ok(existsSync(bin), `${bin} is missing: run ./build.sh`);
  const names = spawnSync(bin, ['--list'], { encoding: 'utf8' }).stdout.trim().split('\n').filter((n) => !HEAVY.has(n));
  assert.ok(names.length >= 15);
  for (const name of names) {
    const r = spawnSync('valgrind', ['-q', '--leak-check=full', '--show-leak-kinds=all', '--errors-for-leak-kinds=all',
      '--error-exitcode=9', bin, name], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${name} under memcheck (exit ${r.status}):\n${r.stderr.slice(0, 4000)}`);
    assert.match(r.stdout, new RegExp(`^ok - ${name}$`, 'm'));
  }
});
