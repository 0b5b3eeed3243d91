// run.js — `npm run fuzz -- --seconds N [--runs N] [--only NAME]`: builds the libFuzzer
// harnesses (tests/fuzz/fuzz_*.c: clang-14, ASan + UBSan) and runs each for N seconds (or, with
// --runs, for that many executions: the long runs recorded in docs/TESTING.md) on a working copy of
// its seed corpus (tests/fuzz/corpus/<name>/, plus generated seeds), printing executions, time
// and corpus size. Exit 1 when a harness finds a crash or a sanitizer report; the reproducer is kept
// under build/fuzz/artifacts/ — turn it into a regression test.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * @param {{ seconds?: number, runs?: number, only?: string, log?: (s: string) => void }} opts
 * @returns {{ name: string, ok: boolean, execs: number, seconds: number, corpus: number, output: string }[]}
 */
export function runFuzzers({ seconds = 10, runs, only, log = console.log } = {}) {
  const cjson = readdirSync(`${root}.cache`).find((d) => d.startsWith('cjson-'));
  if (!cjson) throw new Error('cJSON source missing: run ./build.sh first');
  const make = spawnSync('make', ['--no-print-directory', '-C', `${root}c`, `B=${root}build`,
    `CJSON_DIR=${root}.cache/${cjson}`, '-j2', 'fuzz'], { encoding: 'utf8' });
  if (make.status !== 0) throw new Error(`building the fuzzers failed:\n${make.stdout}${make.stderr}`);
  const names = readdirSync(`${root}tests/fuzz`).filter((f) => /^fuzz_.*\.c$/.test(f)).map((f) => f.slice(5, -2))
    .filter((n) => !only || n === only);
  const results = [];
  for (const name of names) {
    const bin = `${root}build/fuzz/fuzz_${name}`;
    const corpus = `${root}build/fuzz/corpus/${name}`, artifacts = `${root}build/fuzz/artifacts/${name}/`;
    rmSync(corpus, { recursive: true, force: true });
    mkdirSync(corpus, { recursive: true });
    mkdirSync(artifacts, { recursive: true });
    if (existsSync(`${root}tests/fuzz/corpus/${name}`)) cpSync(`${root}tests/fuzz/corpus/${name}`, corpus, { recursive: true });
    if (name === 'model' || name === 'tile') {
      // valid files to mutate from (the harness writes them and exits): a model file, tiles
      const target = name === 'model' ? `${corpus}/trained.fcm` : corpus;
      const seed = spawnSync(bin, [], { env: { ...process.env, FC_FUZZ_WRITE_SEED: target } });
      if (seed.status !== 0) throw new Error(`fuzz_${name} could not write its seed: ${seed.stderr}`);
    }
    // model files are ~20 KB: a shorter limit would truncate the seed and hide every check behind
    // the size check (the first long runs did; the longer limit found a NaN forecast at once)
    const maxLen = name === 'model' ? 32768 : 8192;
    const args = [runs ? `-runs=${runs}` : `-max_total_time=${seconds}`, `-max_len=${maxLen}`, `-artifact_prefix=${artifacts}`, '-print_final_stats=1'];
    if (name === 'ingest') args.push(`-dict=${root}tests/fuzz/snapshot.dict`);
    const t0 = Date.now();
    const r = spawnSync(bin, [...args, corpus], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const took = Math.round((Date.now() - t0) / 1000);
    const output = `${r.stdout}${r.stderr}`;
    const execs = Number(/stat::number_of_executed_units:\s*(\d+)/.exec(output)?.[1] ?? 0);
    const res = { name, ok: r.status === 0, execs, seconds: took, corpus: readdirSync(corpus).length, output };
    log(`${res.ok ? 'ok  ' : 'FAIL'} fuzz_${name}: ${execs.toLocaleString('en-US')} executions in ${took} s, corpus ${res.corpus}`);
    if (!res.ok) log(output.split('\n').filter((l) => /ERROR|SUMMARY|crash|differ|abort/i.test(l)).slice(0, 20).join('\n'));
    results.push(res);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (/** @type {string} */ k) => (args.indexOf(k) >= 0 ? args[args.indexOf(k) + 1] : undefined);
  for (const a of args) {
    if (a.startsWith('--') && !['--seconds', '--runs', '--only'].includes(a)) {
      console.error(`fuzz: unknown option ${a} (--seconds N, --runs N, --only NAME)`);
      process.exit(2);
    }
  }
  const runs = get('--runs') === undefined ? undefined : Number(get('--runs'));
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) {
    console.error(`fuzz: --runs needs a positive integer, not ${get('--runs')}`);
    process.exit(2);
  }
  const results = runFuzzers({ seconds: Number(get('--seconds') ?? 10), runs, only: get('--only') });
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
