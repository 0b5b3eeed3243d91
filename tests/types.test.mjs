// The JSDoc types of the page, the embeds, the library, the two workers and the feed server,
// checked as TypeScript in strict mode (tsconfig.check.json, tsconfig.check-workers.json,
// tsconfig.check-server.json): a call on what a function does not return, or a message the
// worker protocol does not have, fails here rather than in a commuter's browser. (It would have caught LastForecastStore.clear() returning
// nothing while main.js waited on it: a TypeError that only a feed whose network had changed
// reached.)
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** @param {string} config a tsconfig, relative to the repository */
const check = (config) => spawnSync(process.execPath, [TSC, '-p', config], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });

for (const config of ['tsconfig.check.json', 'tsconfig.check-workers.json', 'tsconfig.check-server.json']) {
  test(`type check (${config}): no findings`, { timeout: 300_000 }, () => {
    const r = check(config);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
}

mkdirSync(join(ROOT, '.cache'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.cache', 'typecheck-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the type check finds planted mistakes: .then on nothing, a trip answer with neither a result nor an error', { timeout: 300_000 }, () => {
  writeFileSync(join(dir, 'planted.js'), `
/** Forgets the kept forecast (as it was: it returned nothing). */
function clear() {}
clear().then(() => location.reload());

/** @type {import('../../web/shared/types.js').WorkerMessage} */
export const answer = { type: 'trip', id: 1 };
`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    extends: '../../tsconfig.check.json',
    files: ['../../web/types/build-defines.d.ts', 'planted.js'],
  }));
  const r = check(join(dir, 'tsconfig.json'));
  assert.notEqual(r.status, 0, 'the planted mistakes are reported');
  assert.match(r.stdout, /planted\.js\(4,\d+\): error TS2339: Property 'then' does not exist on type 'void'/);
  assert.match(r.stdout, /planted\.js\(7,\d+\): error TS2322/);
  assert.doesNotMatch(r.stdout, /web\//, 'and nothing else');
});
