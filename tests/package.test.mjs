// The npm package as a user gets it: `npm pack` in this repo, then `npm install` of the tarball in
// a fresh project with no network (the package has no dependencies), where README.md's example
// runs unchanged against a local feed server and forecasts sensible speeds, the engine finds its
// packaged wasm by default, and the generated TypeScript declarations type a consumer (and
// refuse a wrong one). The tarball holds exactly the modules the entry points load, the release
// wasm and the declarations: no tests, C sources, benchmarks or server.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, SIM } from './fixtures/browser.mjs';
import { readWeb, staticGraph } from './fixtures/imports.mjs';
import { buildServer } from '../web/server/server.js';

const WASM = join(ROOT, 'public/flowcast.wasm');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const skip = !existsSync(WASM) ? 'public/flowcast.wasm is not built (./build.sh)'
  : !existsSync(SIM) ? `${SIM} is not built (./build.sh)`
  : !existsSync(TSC) ? 'typescript is not installed (npm ci)' : false;
/** The entry points: the package's exports, and the worker the embeds start by URL. */
const ENTRIES = ['flowcast.js', 'flowcast-leaflet.js', 'flowcast-embed.js', 'worker/worker.js'];
/** The README's example talks to this address; the test's server listens elsewhere. */
const README_API = 'http://127.0.0.1:8080/api/v1/';

const work = mkdtempSync(join(tmpdir(), 'flowcast-package-'));
const app = join(work, 'app');
/** @type {{ tarball: string, files: string[], manifest: any }} */
let pack;

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} cwd
 */
function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
}

before(() => {
  if (skip) return;
  const r = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  assert.equal(r.status, 0, r.out);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  const tarball = join(work, info.filename);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  pack = { tarball, files: info.files.map((/** @type {{ path: string }} */ f) => f.path).sort(), manifest };
  // a fresh project, installed without the network: nothing but the tarball may be needed
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'flowcast-consumer', private: true, type: 'module' }));
  const i = run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  assert.equal(i.status, 0, `npm install of the tarball, offline:\n${i.out}`);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the entry points and every module they load, the release wasm and declarations, nothing else', { skip }, () => {
  const modules = readWeb();
  const graph = new Set(ENTRIES.flatMap((e) => [...staticGraph(modules, e)]));
  const packedJs = pack.files.filter((f) => f.startsWith('web/')).map((f) => f.slice(4));
  assert.deepEqual(packedJs, [...graph].sort(), 'web/ files in the tarball (left: packed, right: the entry points\' graph)');

  // the wasm is the release build, at the root where web/engine/runtime.js looks in a package
  assert.ok(pack.files.includes('flowcast.wasm'), 'flowcast.wasm is packed');
  const installed = join(app, 'node_modules/flowcast');
  const sha = (/** @type {string} */ p) => createHash('sha256').update(readFileSync(p)).digest('hex');
  assert.equal(sha(join(installed, 'flowcast.wasm')), sha(WASM), 'the packed wasm is public/flowcast.wasm');

  // declarations for each export, generated (types/ is not in git)
  for (const [sub, target] of Object.entries(pack.manifest.exports)) {
    const paths = typeof target === 'string' ? [target] : Object.values(target);
    for (const p of paths) assert.ok(pack.files.includes(p.replace(/^\.\//, '')), `export ${sub} → ${p} is in the tarball`);
  }
  assert.ok(pack.files.includes('types/flowcast.d.ts') && pack.files.includes('types/engine/predictor.d.ts'));

  const tops = new Set(pack.files.map((f) => f.split('/')[0]));
  assert.deepEqual([...tops].sort(), ['README.md', 'flowcast.wasm', 'package.json', 'types', 'web']);
  for (const f of pack.files) assert.doesNotMatch(f, /^(tests|c|bench|docs|public|build)\/|^web\/(server|page)\/|\.test\.|\.c$|\.h$/, f);
  // installable offline, and by anyone: the server's and the page's packages are not the package's
  assert.deepEqual(Object.keys(pack.manifest.dependencies ?? {}), [], 'runtime dependencies');
});

test('in an installed package the engine finds the packaged wasm by default', { skip }, () => {
  writeFileSync(join(app, 'default-wasm.mjs'), `import { createPredictor } from 'flowcast';
    const engine = await createPredictor({ network: ${JSON.stringify(readFileSync(join(ROOT, 'tests/fixtures/sample/network.json'), 'utf8'))} });
    console.log(JSON.stringify({ version: engine.version, sensors: engine.sensorCount }));`);
  const r = run(process.execPath, ['default-wasm.mjs'], app);
  assert.equal(r.status, 0, r.out);
  const { version, sensors } = JSON.parse(r.stdout);
  assert.equal(version, pack.manifest.version);
  assert.ok(sensors > 0);
});

/** README.md's package example: the one js block of its npm package section. */
function readmeExample() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('In your own project: the npm package'));
  assert.ok(section, 'README.md has its npm package section');
  const blocks = [...section.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assert.equal(blocks.length, 1, 'one js example in the section');
  assert.equal(blocks[0].split(README_API).length, 2, `the example names its feed once, as ${README_API}`);
  return blocks[0];
}

test("README's example, run in the installed package against a local feed, trains or loads the feed's model and forecasts sensible speeds", { skip, timeout: 180_000 }, async () => {
  const dataset = join(work, 'atlanta');
  const sim = spawnSync(SIM, ['--out', dataset, '--days', '8', '--seed', '18', '--quiet'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const server = await buildServer({ dataset, start_ms: Date.parse('2026-11-24T07:45:00-05:00'), public: null });
  await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = `http://127.0.0.1:${server.server.address().port}/api/v1/`;
    // The example exactly as printed, its feed address pointed at this server, then what the
    // test reads from the module's own variables (engine, model, loaded, f) as JSON.
    const report = `
;import { writeFileSync as __write } from 'node:fs';
if (process.env.SAVE_MODEL) __write(process.env.SAVE_MODEL, engine.saveModel());
const __now = engine.latest();
console.log(JSON.stringify({ modelStatus: model.status, loaded, ts: f.ts, latestTs: __now.ts, H: f.horizons, ids: engine.sensorIds,
  now: Array.from(__now.speedMph), mid: Array.from(f.mid), lo: Array.from(f.lo), hi: Array.from(f.hi) }));
`;
    writeFileSync(join(app, 'example.mjs'), readmeExample().replace(README_API, api) + report);

    // 1. The feed has no trained model (404): the example trains on the history it ingested.
    const model = join(dataset, 'model.fcm');
    const trained = await runExample({ SAVE_MODEL: join(work, 'model.fcm') });
    assert.equal(trained.modelStatus, 404);
    assert.equal(trained.loaded, false);
    checkSensible(trained);
    // what the engine holds as "now" is the feed's newest snapshot, with no reading where it has
    // none (the example's null → NaN): a missing reading never becomes a speed
    const latest = await (await fetch(`${api}snapshot/latest`)).json();
    assert.equal(trained.latestTs, Date.parse(latest.ts));
    const feedSpeed = new Map(latest.readings.map((/** @type {any} */ r) => [r.id, r.speed_mph]));
    const engineSpeed = trained.ids.map((/** @type {string} */ id, /** @type {number} */ s) => [id, trained.now[s]]);
    assert.ok(engineSpeed.filter(([id]) => feedSpeed.get(id) == null).length > 0, 'the newest snapshot has sensors without a reading');
    for (const [id, v] of engineSpeed) {
      const want = feedSpeed.get(id);
      if (want == null) assert.equal(v, null, `${id}: no reading in the feed, ${v} mph in the engine`);
      else assert.ok(Math.abs(v - want) < 0.01, `${id}: ${want} mph in the feed, ${v} in the engine`);
    }

    // 2. The feed offers a model (the one just trained, as a server keeps it): the example
    // loads it, and forecasts exactly what the engine that trained it did.
    writeFileSync(model, readFileSync(join(work, 'model.fcm')));
    const loaded = await runExample({});
    assert.equal(loaded.modelStatus, 200);
    assert.equal(loaded.loaded, true);
    assert.equal(loaded.ts, trained.ts);
    assert.deepEqual(loaded.mid, trained.mid, 'the loaded model forecasts as the trained one');
  } finally {
    await server.close();
  }

  /**
   * Runs the example in its own process, asynchronously: this process serves its requests.
   * @param {Record<string, string>} env
   */
  async function runExample(env) {
    const r = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, ...env } })
      .catch((/** @type {any} */ e) => assert.fail(`README example:\n${e.stdout}\n${e.stderr}`));
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  }
});

/**
 * What a user would accept from forecasts 5 and 30 minutes ahead: speeds a freeway has
 * (0–90 mph), ranges around them, near the speeds just observed, for almost every sensor that
 * has a reading now. JSON turns NaN into null.
 * @param {{ ts: number, latestTs: number, H: number, ids: string[], now: (number | null)[], mid: (number | null)[], lo: (number | null)[], hi: (number | null)[] }} r
 */
function checkSensible(r) {
  assert.equal(r.H, 12, 'forecasts 12 steps (an hour) ahead');
  assert.equal(r.ts, r.latestTs, 'forecasts start from the newest data');
  const n = r.now.length;
  let observed = 0, forecast = 0;
  /** @type {number[]} */
  const gap5 = [];
  /** @type {number[]} */
  const gap30 = [];
  for (let s = 0; s < n; s++) {
    const now = r.now[s];
    if (now == null) continue;
    observed++;
    const m5 = r.mid[s * r.H], m30 = r.mid[s * r.H + 5];
    if (m5 == null || m30 == null) continue;
    forecast++;
    for (const step of [0, 5]) {
      const i = s * r.H + step, mid = /** @type {number} */ (r.mid[i]), lo = r.lo[i], hi = r.hi[i];
      assert.ok(mid >= 0 && mid <= 90, `sensor ${s} step ${step + 1}: ${mid} mph`);
      assert.ok(lo != null && hi != null && lo <= mid + 1e-3 && mid <= hi + 1e-3, `sensor ${s} step ${step + 1}: ${lo} ≤ ${mid} ≤ ${hi}`);
    }
    gap5.push(Math.abs(m5 - now));
    gap30.push(Math.abs(m30 - now));
  }
  assert.ok(observed > 0.9 * n, `${observed} of ${n} sensors have a reading now`);
  assert.ok(forecast >= 0.95 * observed, `${forecast} of ${observed} observed sensors have forecasts`);
  const median = (/** @type {number[]} */ a) => a.sort((x, y) => x - y)[a.length >> 1];
  assert.ok(median(gap5) < 5, `5 minutes ahead, the median sensor is ${median(gap5).toFixed(1)} mph from its speed now`);
  assert.ok(median(gap30) < 10, `30 minutes ahead, the median sensor is ${median(gap30).toFixed(1)} mph from its speed now`);
}

test('the declarations type a consumer: correct use compiles under strict, wrong use does not', { skip }, () => {
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2023', 'dom'], types: [], skipLibCheck: false },
  };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  const good = `import { createPredictor, FlowcastError, EVIDENCE, type Forecast, type TravelTime, type PredictorConfig } from 'flowcast';
import { flowcastLayer, type FlowcastLayerOptions } from 'flowcast/leaflet';
import { FlowcastMapElement } from 'flowcast/embed';

const config: PredictorConfig = { parser: 'fast', historyS: 86400 };
export async function use(network: string, snapshot: Uint8Array): Promise<number> {
  const engine = await createPredictor({ network, config, wasmUrl: new URL('https://example.org/flowcast.wasm') });
  const r = engine.ingest(snapshot);
  if (!r.ok) throw new FlowcastError(r.code, r.message);
  const accepted: number = r.accepted;
  await engine.train({ onProgress: (fraction: number) => void fraction });
  const f: Forecast = engine.forecast();
  const mid: number = f.mid[0 * f.horizons + 5];
  const observed: boolean = f.evidence[0] === EVIDENCE.observed;
  const t: TravelTime = engine.travelTime({ from: 'A', to: 'B' });
  const speeds: Float32Array = engine.latest().speedMph;
  engine.dispose();
  return accepted + mid + t.minutes + speeds.length + (observed ? 1 : 0);
}
const layer: FlowcastLayerOptions = { feed: 'https://example.org/api/v1/', corridor: 'I-285', horizon: 30, legend: true };
export const l = flowcastLayer(layer);
export const isElement = (e: Element): boolean => e instanceof FlowcastMapElement;
`;
  writeFileSync(join(app, 'consumer.ts'), good);
  const ok = run(process.execPath, [TSC, '-p', '.'], app);
  assert.equal(ok.status, 0, `tsc on a correct consumer:\n${ok.out}`);

  // each line marked "wrong" is a mistake the declarations must catch
  const bad = `import { createPredictor } from 'flowcast';
import { flowcastLayer } from 'flowcast/leaflet';
export async function misuse(network: string) {
  const engine = await createPredictor({ network, wasmUrl: 42 }); // wrong: a URL is a string or URL
  const mid: string = engine.forecast().mid[0]; // wrong: speeds are numbers
  engine.ingest(7); // wrong: a snapshot is text, bytes or an object
  const r = engine.ingest('{}');
  const n: number = r.accepted; // wrong: only an accepted snapshot has counts (check r.ok)
  engine.travelTime({ from: 'A' }); // wrong: a trip needs its destination
  flowcastLayer({ horizon: '30' }); // wrong: minutes are a number
  return mid + n;
}
`;
  writeFileSync(join(app, 'consumer.ts'), bad);
  const no = run(process.execPath, [TSC, '-p', '.'], app);
  assert.notEqual(no.status, 0, 'tsc accepts a wrong consumer');
  const wrongLines = bad.split('\n').flatMap((l, i) => (l.includes('// wrong') ? [i + 1] : []));
  const errorLines = [...new Set([...no.out.matchAll(/consumer\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])))];
  assert.deepEqual(errorLines.sort((a, b) => a - b), wrongLines, `errors exactly on the wrong lines:\n${no.out}`);
});
