// gate.js — the performance gate: deterministic instruction counts of the native build of the
// same C as the wasm, measured with callgrind on fixed workloads (c/tools/workload.c), checked
// against the budgets in bench/budgets.json. Wall-clock figures are reported elsewhere and never
// gated: the machines are shared and noisy; instruction counts repeat exactly. So do the
// compressed bytes the page fetches before its first speeds and first forecast (bench/startup.js,
// one unthrottled load in Chromium): they are gated too, in the budgets' "bytes" section.
//
//   node bench/gate.js --check                  exit 1 when a measure exceeds its budget
//   node bench/gate.js --update-baseline        rewrite the baselines (commit with the reason)
//   node bench/gate.js --check --build-dir DIR  gate another build (the gate's own test)
//   node bench/gate.js --bytes [--public DIR]   only the start-up byte budgets (of another site)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const budgetsPath = fileURLToPath(new URL('./budgets.json', import.meta.url));

/**
 * Instructions executed inside the workload's measured calls, per call.
 * @param {string} buildDir
 * @param {{ workload: string, calls: number }} m
 */
export function measureInstructions(buildDir, m) {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--callgrind-out-file=/dev/null',
    `${buildDir}/native/bin/flowcast-workload`, m.workload], { encoding: 'utf8' });
  if (r.error) throw new Error(`valgrind: ${r.error.message} (./build.sh installs it)`);
  if (r.status !== 0) throw new Error(`flowcast-workload ${m.workload} failed: ${r.stderr}`);
  const hit = /Collected : (\d+)/.exec(r.stderr);
  if (!hit) throw new Error(`no callgrind total in: ${r.stderr}`);
  return Math.round(Number(hit[1]) / m.calls);
}

/**
 * @param {{ buildDir?: string, update?: boolean, log?: (s: string) => void }} opts
 * @returns {{ ok: boolean, rows: { name: string, value: number, baseline: number, budget: number, ok: boolean }[] }}
 */
export async function runGate({ buildDir = `${root}build`, update = false, log = console.log, ratios = true } = {}) {
  const budgets = JSON.parse(readFileSync(budgetsPath, 'utf8'));
  const rows = [];
  for (const [name, m] of Object.entries(budgets.instructions)) {
    const value = measureInstructions(buildDir, m);
    if (update) m.baseline = value;
    const budget = Math.floor(m.baseline * (1 + budgets.tolerance));
    rows.push({ name, value, baseline: m.baseline, budget, ok: value <= budget });
  }
  if (update) writeFileSync(budgetsPath, `${JSON.stringify(budgets, null, 2)}\n`);
  // same-run ratios: the fast path against cJSON (instructions, exact), the C LRU against
  // lru-cache (wall clock, with a wide margin)
  for (const [name, r] of Object.entries(ratios ? budgets.ratios ?? {} : {})) {
    let value;
    if (r.bench === 'lru') {
      const { benchLru } = await import('./lru.js');
      const rows = await benchLru({ quick: true });
      value = rows[2].accesses_per_s / rows[0].accesses_per_s;
    } else {
      const num = rows.find((x) => x.name === r.numerator), den = rows.find((x) => x.name === r.denominator);
      value = num.value / den.value;
    }
    rows.push({ name, value, baseline: r.min, budget: r.min, ok: value >= r.min, ratio: true });
  }
  for (const r of rows.filter((x) => x.ratio)) {
    log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.value.toFixed(2)}x (at least ${r.budget}x)`);
  }
  for (const r of rows.filter((x) => !x.ratio)) {
    log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.value.toLocaleString('en-US')} instructions per call`
      + ` (baseline ${r.baseline.toLocaleString('en-US')}, ${percent(r.value, r.baseline)}%; budget ${r.budget.toLocaleString('en-US')})`);
  }
  return { ok: rows.every((r) => r.ok), rows };
}

/**
 * The start-up byte budgets: compressed bytes of the requests the page issues before its first
 * speeds and before its first forecast, measured by one load of the site in `publicDir`.
 * @param {{ publicDir?: string, update?: boolean, log?: (s: string) => void }} opts
 * @returns {Promise<{ ok: boolean, rows: { name: string, value: number, baseline: number, budget: number, ok: boolean }[] }>}
 */
export async function runByteGate({ publicDir, update = false, log = console.log } = {}) {
  const budgets = JSON.parse(readFileSync(budgetsPath, 'utf8'));
  const { measureStartupBytes } = await import('./startup.js');
  const measured = await measureStartupBytes({ publicDir });
  const rows = [];
  for (const [name, m] of Object.entries(budgets.bytes.measures)) {
    const value = measured[/** @type {'before_first_speeds' | 'before_first_forecast'} */ (name)];
    if (update) m.baseline = value;
    const budget = Math.floor(m.baseline * (1 + budgets.bytes.tolerance));
    rows.push({ name, value, baseline: m.baseline, budget, ok: value <= budget });
  }
  if (update) writeFileSync(budgetsPath, `${JSON.stringify(budgets, null, 2)}\n`);
  for (const r of rows) {
    log(`${r.ok ? 'ok  ' : 'FAIL'} bytes ${r.name}: ${r.value.toLocaleString('en-US')} bytes compressed`
      + ` (baseline ${r.baseline.toLocaleString('en-US')}, ${percent(r.value, r.baseline)}%; budget ${r.budget.toLocaleString('en-US')})`);
  }
  return { ok: rows.every((r) => r.ok), rows };
}

/** @param {number} value @param {number} baseline "+1.23" or "-0.50" */
function percent(value, baseline) {
  const delta = (value / baseline - 1) * 100;
  return `${delta >= 0 ? '+' : '-'}${Math.abs(delta).toFixed(2)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const known = ['--check', '--update-baseline', '--build-dir', '--bytes', '--public'];
  for (const a of args) {
    if (a.startsWith('--') && !known.includes(a)) {
      console.error(`gate: unknown option ${a}`);
      process.exit(2);
    }
  }
  const update = args.includes('--update-baseline');
  if (args.includes('--bytes')) {
    const publicAt = args.indexOf('--public');
    const { ok } = await runByteGate({ publicDir: publicAt >= 0 ? args[publicAt + 1] : undefined, update });
    if (!ok) console.error('gate: start-up byte budget exceeded (see FAIL lines); if the change is intended, run --bytes --update-baseline and say why in the commit and PERFORMANCE.md');
    process.exit(ok ? 0 : 1);
  }
  const dirAt = args.indexOf('--build-dir');
  const { ok } = await runGate({ buildDir: dirAt >= 0 ? args[dirAt + 1] : undefined, update });
  if (!ok) console.error('gate: instruction budget exceeded (see FAIL lines); if the change is intended, run --update-baseline and say why in the commit and PERFORMANCE.md');
  process.exit(ok ? 0 : 1);
}
