// Runs the C unit tests (built with AddressSanitizer and UBSan by ./build.sh) and reports each C
// test as its own node:test case, so `npm test` is the one command for everything.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../build/asan/flowcast-tests', import.meta.url));

test('the C unit test binary is built', () => {
  assert.ok(existsSync(bin), `${bin} is missing: run ./build.sh`);
});

if (existsSync(bin)) {
  const names = spawnSync(bin, ['--list'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  test('the C test list is not empty', () => assert.ok(names.length >= 10, `only ${names.length} C tests listed`));
  for (const name of names) {
    test(`C: ${name}`, () => {
      const r = spawnSync(bin, [name], {
        encoding: 'utf8',
        env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' },
      });
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.status, 0, out);
      assert.match(r.stdout, new RegExp(`^ok - ${name}$`, 'm'), out);
      assert.doesNotMatch(out, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, out);
    });
  }
}
