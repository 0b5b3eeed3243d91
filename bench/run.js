// run.js — `npm run bench`: every benchmark, a table on stdout, and bench/results/latest.json.
//   --quick        few iterations (used by the test that keeps the benchmarks runnable)
//   --out FILE     where to write the JSON (default bench/results/latest.json)
//   --check        only the instruction-count gate (bench/gate.js): exit 1 over budget
//   --update-baseline   rewrite the gate's baselines (say why in the commit)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchIngest } from './ingest.js';
import { benchModel } from './model.js';
import { benchLru } from './lru.js';
import { benchRoute } from './route.js';
import { table } from './harness.js';

const args = process.argv.slice(2);
if (args.includes('--check') || args.includes('--update-baseline')) {
  const { runGate } = await import('./gate.js');
  const { ok } = runGate({ update: args.includes('--update-baseline') });
  if (!ok) console.error('bench: instruction budget exceeded (see FAIL lines)');
  process.exit(ok ? 0 : 1);
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
  const js = at('JSON.parse + JS loop');
  console.log(`  ${n} sensors, speed-up of the fast path (same run): vs cJSON wasm ${ratio(cjson, fast)} (string), ` +
    `${ratio(cjsonBytes, fastBytes)} (bytes); vs JSON.parse+JS ${ratio(js, fast)} (string), ${ratio(js, fastBytes)} (bytes)`);
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
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.error(`bench: wrote ${out}`);
