// The evaluation protocol end to end (flowcast-eval, native build of the same C): on simulated
// Atlanta data the model must beat persistence by a clear margin at 30 and 60 minutes; on the
// real Los-loop data (../shared, present in CI) it must meet the targets recorded in docs/ACCURACY.md;
// the predictions file has exactly the documented shape.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const EVAL = `${root}build/native/bin/flowcast-eval`;
const SIM = `${root}build/native/bin/flowcast-sim`;
const LOS = `${root}../shared/data/los-loop`;

/** Runs flowcast-eval; returns the parsed --json report and the predictions file's lines. */
function evaluate(args, dir) {
  const json = join(dir, 'report.json'), pred = join(dir, 'pred.csv');
  const r = spawnSync(EVAL, [...args, '--json', json, '--predictions-out', pred], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(readFileSync(json, 'utf8')), lines: readFileSync(pred, 'utf8').trim().split('\n'), stdout: r.stdout };
}

/** Checks the PRED.csv contract: one line per (test row, horizon), then one value per sensor. */
function checkPredictions(lines, { trainRows, rows, sensors, horizons }) {
  assert.equal(lines.length, (rows - trainRows) * horizons.length);
  lines.forEach((line, i) => {
    const f = line.split(',');
    assert.equal(f.length, 2 + sensors, `line ${i + 1}`);
    assert.equal(Number(f[0]), trainRows + Math.floor(i / horizons.length));
    assert.equal(Number(f[1]), horizons[i % horizons.length]);
  });
}

test('on 3 weeks of simulated Atlanta traffic the model beats persistence and the historical average', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-eval-'));
  try {
    const sim = spawnSync(SIM, ['--out', join(dir, 'ds'), '--days', '21', '--seed', '5', '--quiet'], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const { report, lines } = evaluate(['--speeds', join(dir, 'ds/speed.csv'), '--network', join(dir, 'ds/network.json'),
      '--interval-min', '5', '--start', '2026-09-07T00:00', '--timezone', 'America/New_York',
      '--train-fraction', '0.6667', '--horizons', '3,6,9,12'], dir);
    assert.equal(report.sensors, 460);
    for (const h of report.horizons) {
      const gain = 1 - h.flowcast.mae / h.persistence.mae;
      if (h.minutes >= 30) assert.ok(gain >= 0.15, `${h.minutes} min: MAE ${h.flowcast.mae} vs persistence ${h.persistence.mae}`);
      assert.ok(h.flowcast.mae < h.historical_average.mae, `${h.minutes} min: worse than the historical average`);
      assert.ok(h.flowcast.coverage > 0.7 && h.flowcast.coverage < 0.9, `${h.minutes} min: coverage ${h.flowcast.coverage}`);
    }
    checkPredictions(lines, { trainRows: report.train_rows, rows: report.rows, sensors: 460, horizons: [3, 6, 9, 12] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const losSkip = existsSync(`${LOS}/los_speed_train.csv`) ? false : `${LOS} is absent (it is present in CI)`;

test('Los-loop validation split: the docs/ACCURACY.md targets hold', { skip: losSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-los-'));
  try {
    const { report, lines } = evaluate(['--speeds', `${LOS}/los_speed_train.csv`, '--adjacency', `${LOS}/los_adj.csv`,
      '--interval-min', '5', '--start', '2012-03-01T00:00', '--timezone', 'America/Los_Angeles',
      '--train-fraction', '0.8', '--horizons', '3,6,9,12'], dir);
    assert.deepEqual([report.sensors, report.rows, report.train_rows], [207, 1612, 1289]);
    const gain = (/** @type {number} */ m) => {
      const h = report.horizons.find((x) => x.minutes === m);
      return 1 - h.flowcast.mae / h.persistence.mae;
    };
    assert.ok(gain(15) >= 0.10, `15 min: ${(100 * gain(15)).toFixed(1)}% lower MAE than persistence (target 10%)`);
    assert.ok(gain(60) >= 0.265, `60 min: ${(100 * gain(60)).toFixed(1)}% lower MAE than persistence (recorded 26.7%; target 25%)`);
    // the figures docs/ACCURACY.md records (PERFORMANCE.md §35), with half a percent of slack for
    // another compiler; RMSE no worse than before the shared network (§32's model)
    const recorded = { 15: [2.626, 4.967], 30: [3.003, 5.766], 45: [3.240, 6.182], 60: [3.406, 6.424] };
    for (const h of report.horizons) {
      const [mae, rmseBefore] = recorded[/** @type {15 | 30 | 45 | 60} */ (h.minutes)];
      assert.ok(h.flowcast.mae <= mae * 1.005, `${h.minutes} min: MAE ${h.flowcast.mae} (recorded ${mae})`);
      assert.ok(h.flowcast.rmse <= rmseBefore, `${h.minutes} min: RMSE ${h.flowcast.rmse} (before the network ${rmseBefore})`);
    }
    for (const h of report.horizons) {
      assert.ok(h.flowcast.mae < h.historical_average.mae);
      assert.ok(h.flowcast.coverage >= 0.75 && h.flowcast.coverage <= 0.85, `${h.minutes} min: coverage ${h.flowcast.coverage}`);
    }
    checkPredictions(lines, { trainRows: 1289, rows: 1612, sensors: 207, horizons: [3, 6, 9, 12] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flowcast-eval rejects bad arguments with a usage error', () => {
  for (const args of [[], ['--speeds'], ['--speeds', 'x.csv', '--interval-min', '5', '--start', '2012-03-01T00:00', '--timezone', 'UTC'],
    ['--speeds', 'x.csv', '--adjacency', 'a.csv', '--interval-min', '5', '--start', 'x', '--timezone', 'UTC', '--horizons', '0']]) {
    const r = spawnSync(EVAL, args, { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage|must be/);
  }
});

test('flowcast-eval refuses a malformed matrix CSV with the parser\'s line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fc-eval-csv-'));
  try {
    const common = ['--interval-min', '5', '--start', '2012-03-01T00:00', '--timezone', 'UTC'];
    for (const [name, text, adj, want] of [
      ['ragged.csv', 'a,b\n1,2\n3\n', null, /ragged\.csv: line 3: 1 cells, expected 2/],
      ['word.csv', 'a,b\n1,x\n', null, /word\.csv: line 2, column 2: not a number/],
      ['huge.csv', 'a,b\n1,1e39\n', null, /huge\.csv: line 2, column 2: 1e39 is beyond the float range/],
      ['dup.csv', 'a,b,a\n1,2,3\n', null, /dup\.csv: line 1: columns 1 and 3 have the same id/],
      ['ok.csv', 'a,b\n1,2\n3,4\n5,6\n', '1,0\n0,1,1\n', /adj\.csv: line 2: more than 2 cells/],
    ]) {
      writeFileSync(join(dir, name), text);
      const args = ['--speeds', join(dir, name), ...common];
      if (adj) {
        writeFileSync(join(dir, 'adj.csv'), adj);
        args.push('--adjacency', join(dir, 'adj.csv'));
      } else {
        args.push('--adjacency', join(dir, 'none.csv'));
      }
      const r = spawnSync(EVAL, args, { encoding: 'utf8' });
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
