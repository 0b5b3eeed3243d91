// accuracy.js — model accuracy in the benchmark report: runs the evaluation protocol
// (build/native/bin/flowcast-eval, the same C as the wasm) on the Los-loop validation split when
// ../shared/data is present, and reports MAE per horizon against persistence.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LOS = `${root}../shared/data/los-loop`;

/** @returns {{ skipped: string } | { dataset: string, train_s: number, horizons: object[] }} */
export function benchAccuracy() {
  if (!existsSync(`${LOS}/los_speed_train.csv`)) return { skipped: `${LOS} is absent` };
  const dir = mkdtempSync(join(tmpdir(), 'flowcast-acc-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(`${root}build/native/bin/flowcast-eval`, ['--speeds', `${LOS}/los_speed_train.csv`,
      '--adjacency', `${LOS}/los_adj.csv`, '--interval-min', '5', '--start', '2012-03-01T00:00',
      '--timezone', 'America/Los_Angeles', '--train-fraction', '0.8', '--horizons', '3,6,9,12', '--json', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`flowcast-eval: ${r.stderr}`);
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    return {
      dataset: 'Los-loop validation (last 20% of the shared training file)',
      train_s: rep.train_s,
      horizons: rep.horizons.map((/** @type {any} */ h) => ({ minutes: h.minutes, mae: h.flowcast.mae, persistence_mae: h.persistence.mae,
        gain: 1 - h.flowcast.mae / h.persistence.mae, coverage: h.flowcast.coverage })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
