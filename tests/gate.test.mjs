// The performance gate: the committed instruction budgets hold on this build (this is what makes
// a regression fail CI), and a deliberately slowed build (compiled with -DFC_SLOW_FOR_TEST, which
// adds work per ingested value) fails the gate, naming the measure, its budget and the value.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runGate } from '../bench/gate.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('instruction counts and same-run ratios are within the budgets in bench/budgets.json', async () => {
  const lines = [];
  const { ok, rows } = await runGate({ log: (s) => lines.push(s) });
  assert.equal(rows.length, 7);
  assert.ok(rows.find((r) => r.name === 'ingest_fast_vs_cjson').value > 5);
  assert.ok(ok, lines.join('\n'));
});

test('a deliberately slowed build fails the gate', async () => {
  const buildDir = `${root}build/gate-slow`;
  const b = spawnSync(`${root}build.sh`, ['--native-only', '--no-install'], {
    encoding: 'utf8', env: { ...process.env, FC_BUILD_DIR: buildDir, EXTRA_CFLAGS: '-DFC_SLOW_FOR_TEST' },
  });
  assert.equal(b.status, 0, b.stderr);
  const lines = [];
  const { ok, rows } = await runGate({ buildDir, log: (s) => lines.push(s), ratios: false });
  assert.equal(ok, false, lines.join('\n'));
  const ingest = rows.find((r) => r.name === 'ingest_1k_snapshot');
  assert.ok(ingest && !ingest.ok && ingest.value > ingest.budget);
  assert.match(lines.join('\n'), /FAIL ingest_1k_snapshot: [\d,]+ instructions per call \(baseline [\d,]+, \+[\d.]+%; budget [\d,]+\)/);
  // the CLI exits non-zero for the same build
  const cli = spawnSync('node', [`${root}bench/gate.js`, '--check', '--build-dir', buildDir], { encoding: 'utf8' });
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /instruction budget exceeded/);
});
