// run.js — `npm run bench`: every benchmark, a table on stdout, and bench/results/latest.json.
//   --quick        few iterations (used by the test that keeps the benchmarks runnable)
//   --out FILE     where to write the JSON (default bench/results/latest.json)
//   --check        only the gate (bench/gate.js): instruction counts, then the start-up byte
//                  budgets (one page load in Chromium); exit 1 over budget
//   --update-baseline   rewrite the gate's baselines, both kinds (say why in the commit)
// The start-up benchmark on a slow mobile link is separate: `npm run startup` (bench/startup.js).
//   --cpu-prof     run the benchmarks under `node --cpu-prof` (profile in profiles/) and print the
//                  top functions by self time and the engine stages' shares (bench/cpuprofile.js)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchIngest } from './ingest.js';
import { benchModel } from './model.js';
import { benchLru } from './lru.js';
import { benchRoute } from './route.js';
import { benchSoak } from './soak.js';
import { benchScaling } from './scaling.js';
import { benchPageLoad } from './pageload.js';
import { benchAccuracy } from './accuracy.js';
import { table } from './harness.js';
import { formatSummary, readProfile, summarise } from './cpuprofile.js';

const args = process.argv.slice(2);
if (args.includes('--cpu-prof')) process.exit(await runProfiled(args.filter((a) => a !== '--cpu-prof')));
if (args.includes('--check') || args.includes('--update-baseline')) {
  const { runGate, runByteGate } = await import('./gate.js');
  const update = args.includes('--update-baseline');
  const instructions = await runGate({ update });
  const bytes = await runByteGate({ update });
  if (!instructions.ok) console.error('bench: instruction budget exceeded (see FAIL lines)');
  if (!bytes.ok) console.error('bench: start-up byte budget exceeded (see FAIL lines)');
  process.exit(instructions.ok && bytes.ok ? 0 : 1);
}
const quick = args.includes('--quick');
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1] : fileURLToPath(new URL('./results/latest.json', import.meta.url));
for (const a of args) {
  if (a.startsWith('--') && !['--quick', '--out'].includes(a)) {
    console.error(`bench: unknown option ${a}`);
    process.exit(2);
  }
}

console.error(`bench: ingest${quick ? ' (quick)' : ''} …`);
const ingest = await benchIngest({ quick });
console.log('\nIngest (median of repeated calls, same run)');
console.log(table(['benchmark', 'sensors', 'KB', 'median µs', 'p95 µs', 'MB/s'],
  ingest.map((r) => [r.name, r.sensors, r.bytes / 1024, r.median_us, r.p95_us, r.mb_per_s])));
for (const n of [1000, 10000]) {
  const at = (/** @type {string} */ name) => ingest.find((r) => r.sensors === n && r.name === name)?.median_us ?? NaN;
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) => `${(a / b).toFixed(1)}x`;
  const fast = at('ingest fast wasm (string)'), fastBytes = at('ingest fast wasm (bytes)');
  const cjson = at('ingest cJSON wasm (string)'), cjsonBytes = at('ingest cJSON wasm (bytes)');
  const stock = at('ingest stock cJSON wasm (string)'), stockBytes = at('ingest stock cJSON wasm (bytes)');
  const js = at('JSON.parse + JS loop');
  console.log(`  ${n} sensors, speed-up of the fast path (same run): vs stock cJSON wasm ${ratio(stock, fast)} (string), ` +
    `${ratio(stockBytes, fastBytes)} (bytes); vs cJSON wasm ${ratio(cjson, fast)} (string), ` +
    `${ratio(cjsonBytes, fastBytes)} (bytes); vs JSON.parse+JS ${ratio(js, fast)} (string), ${ratio(js, fastBytes)} (bytes); ` +
    `binary FCSNAP1 vs fast path (bytes) ${ratio(fastBytes, at('ingest binary FCSNAP1 wasm (bytes)'))}`);
}

console.error(`bench: model${quick ? ' (quick)' : ''} …`);
const model = await benchModel({ quick });
console.log('\nModel in wasm (simulated Atlanta network)');
console.log(table(['benchmark', 'sensors', 'median ms', 'p95 ms', 'runs'],
  model.map((r) => [r.name, r.sensors, r.median_us / 1000, r.p95_us / 1000, String(r.iterations)])));

console.error(`bench: LRU cache${quick ? ' (quick)' : ''} …`);
const lru = await benchLru({ quick });
console.log('\nLRU cache: the C cache in wasm vs lru-cache (npm), same Zipf key stream, same capacity');
console.log(table(['benchmark', 'capacity', 'accesses', 'M accesses/s', 'hit rate', 'bytes/entry'],
  lru.map((r) => [r.name, r.capacity, r.accesses, r.accesses_per_s / 1e6, r.hit_rate.toFixed(6), r.bytes_per_entry])));
console.log(`  same run: C in wasm ${(lru[2].accesses_per_s / lru[0].accesses_per_s).toFixed(1)}x lru-cache's accesses/s ` +
  `(${(lru[1].accesses_per_s / lru[0].accesses_per_s).toFixed(1)}x called from JS); hit rates identical`);

console.error(`bench: route queries${quick ? ' (quick)' : ''} …`);
const route = await benchRoute({ quick });
console.log('\nTravel-time queries in wasm (Atlanta, 460 stations; JS wrapper included)');
console.log(table(['benchmark', 'miles', 'segments', 'median µs', 'p95 µs', 'runs'],
  route.queries.map((r) => [r.name, r.distance_mi, r.segments, r.median_us, r.p95_us, String(r.iterations)])));

console.error(`bench: memory soak${quick ? ' (quick)' : ''} …`);
const soak = await benchSoak({ quick });
console.log(`\nMemory soak: ${soak.snapshots.toLocaleString('en-US')} snapshots of ${soak.sensors} sensors through engine.ingest ` +
  `(${(soak.snapshots_per_s / 1000).toFixed(0)}k/s)`);
console.log(table(['memory', 'after warm-up', 'end', 'growth'], Object.keys(soak.end).map((k) => [k,
  String(soak.after_warmup[/** @type {keyof typeof soak.end} */ (k)]), String(soak.end[/** @type {keyof typeof soak.end} */ (k)]),
  String(soak.growth_bytes[k])])));
console.log(`  memory after warm-up (${soak.warmup.toLocaleString('en-US')} snapshots) ${soak.flat ? 'stays flat: 0 bytes growth' : 'GREW'}`);

console.error(`bench: scaling${quick ? ' (quick)' : ''} …`);
const scaling = await benchScaling({ quick });
console.log('\nScaling: synthetic networks (flowcast-sim --synthetic N), one day of history, medians');
console.log(table(['sensors', 'forecast µs', 'µs/sensor', 'ingest µs', 'µs/sensor', 'ingest MB/s', 'train ms'],
  scaling.sizes.map((r) => [r.sensors, r.forecast.median_us, r.forecast.us_per_sensor, r.ingest.median_us,
    r.ingest.us_per_sensor, r.snapshot_bytes / r.ingest.median_us, r.train_ms])));
const [small, large] = [scaling.sizes[0], scaling.sizes[scaling.sizes.length - 1]];
console.log(`  µs per sensor, ${large.sensors / 1000}k over ${small.sensors / 1000}k: forecast ${scaling.forecast_ratio.toFixed(2)}, ` +
  `ingest ${scaling.ingest_ratio.toFixed(2)} (1.00 = linear)`);

console.error(`bench: page load in Chromium${quick ? ' (quick)' : ''} …`);
const pageload = await benchPageLoad({ quick });
console.log('\nPage start-up (headless Chromium on localhost, fresh context per load)');
console.log(`  navigation -> first forecast drawn: median ${pageload.first_forecast_ms.median.toFixed(0)} ms ` +
  `(min ${pageload.first_forecast_ms.min.toFixed(0)}, max ${pageload.first_forecast_ms.max.toFixed(0)}, ${pageload.first_forecast_ms.loads} loads; goal <= 1500)`);
console.log(`  page's own JS + wasm, gzip: ${(pageload.transfer_gzip_bytes.total / 1024).toFixed(1)} KB ` +
  `(JS ${(pageload.transfer_gzip_bytes.js / 1024).toFixed(1)}, wasm ${(pageload.transfer_gzip_bytes.wasm / 1024).toFixed(1)}; goal <= 150)`);

const accuracy = benchAccuracy();
console.log('\nModel accuracy (npm run eval, native build of the same C)');
if ('skipped' in accuracy) console.log(`  skipped: ${accuracy.skipped}`);
else {
  console.log(table(['horizon', 'MAE', 'persistence MAE', 'gain', '10-90% coverage'],
    accuracy.horizons.map((h) => [`${h.minutes} min`, h.mae, h.persistence_mae, `${(100 * h.gain).toFixed(1)}%`, `${(100 * h.coverage).toFixed(1)}%`])));
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  quick,
  ingest,
  model,
  lru,
  route,
  soak,
  scaling,
  pageload,
  accuracy,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.error(`bench: wrote ${out}`);

/**
 * Runs this script again under `node --cpu-prof` with the other arguments, then summarises the
 * profile it wrote.
 * @param {string[]} rest
 * @returns {Promise<number>} exit status
 */
async function runProfiled(rest) {
  const dir = fileURLToPath(new URL('../profiles/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const name = `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`,
    '--cpu-prof-interval=100', fileURLToPath(import.meta.url), ...rest], { stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  const file = join(dir, name);
  if (!statSync(file, { throwIfNoEntry: false })) {
    console.error(`bench: no profile written (${readdirSync(dir).length} files in ${dir})`);
    return 1;
  }
  console.log(`\n${formatSummary(summarise(readProfile(file)), { title: 'Node CPU profile of the benchmarks' })}`);
  console.log(`wrote ${relative(process.cwd(), file)}`);
  return 0;
}
