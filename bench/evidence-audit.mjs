// evidence-audit.mjs — what each station's forecast stands on, across the default Atlanta feed
// (issue 15, "never invent a forecast"): the dataset `npm start` generates (flowcast-sim, seed 1,
// 56 days) with the model it trains (flowcast-train, 28 days), replayed row by row; at every
// hour of the last day it counts the stations per evidence level (EVIDENCE, web/engine/abi.js)
// and the stations forecast under 20 mph at some horizon without evidence of their own
// (evidence neighbours or none). With --before OLD_WEB_DIR OLD_WASM it also runs an earlier build
// (its web/ folder and its flowcast.wasm) on the same rows and model, and counts how many of those
// stations that build forecast under 20 mph: the invented jams.
//
//   node bench/evidence-audit.mjs [--days 56] [--train-days 28] [--seed 1] [--dataset DIR]
//                                 [--before OLD_WEB_DIR OLD_WASM]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPredictor } from '../web/flowcast.js';
import { EVIDENCE, EVIDENCE_NAMES } from '../web/engine/abi.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1]; };
const days = Number(opt('--days', 56)), trainDays = Number(opt('--train-days', 28)), seed = Number(opt('--seed', 1));
const before = args.includes('--before') ? [resolve(opt('--before')), resolve(args[args.indexOf('--before') + 2])] : null;
/** Below this a forecast paints the slowest colour: a jam. */
const JAM_MPH = 20;

const tmp = mkdtempSync(join(tmpdir(), 'flowcast-audit-'));
try {
  const ds = opt('--dataset', join(tmp, 'ds'));
  const run = (bin, a) => {
    const r = spawnSync(join(root, 'build/native/bin', bin), a, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${bin}: ${r.stderr}`);
  };
  if (!existsSync(join(ds, 'speed.csv'))) run('flowcast-sim', ['--out', ds, '--days', String(days), '--seed', String(seed), '--quiet']);
  run('flowcast-train', ['--dataset', ds, '--out', join(tmp, 'model.fcm'), '--days', String(trainDays)]);
  const network = readFileSync(join(ds, 'network.json'), 'utf8');
  const model = readFileSync(join(tmp, 'model.fcm'));
  const start = Date.parse(JSON.parse(readFileSync(join(ds, 'meta.json'), 'utf8')).start);
  const rows = readFileSync(join(ds, 'speed.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => Float32Array.from(line.split(','), (v) => (v === '' ? NaN : Number(v))));

  /** Replays every row into an engine with the model; calls at(forecast, row) at every hour of the last day. */
  async function replay(create, at) {
    const p = await create({ network, config: { historyS: 2 * 86400 } });
    const loaded = p.loadModel(model);
    if (!loaded.ok) throw new Error(`loadModel: ${loaded.message}`);
    for (let r = 0; r < rows.length; r++) {
      const res = p.ingestValues(start + (r + 1) * 300_000, rows[r]);
      if (!res.ok) throw new Error(`row ${r}: ${res.message}`);
      if (r >= rows.length - 288 && (rows.length - 1 - r) % 12 === 0) at(p.forecast(), r);
    }
    p.dispose();
  }

  const n = JSON.parse(network).sensors.length;
  const ids = JSON.parse(network).sensors.map((s) => s.id);
  const perLevel = new Map(); // row -> counts per level
  const noEvidence = new Map(); // row -> stations without evidence of their own
  let jamsAfter = 0, checks = 0;
  const minMid = (f, s) => { let m = Infinity; for (let h = 0; h < f.horizons; h++) m = Math.min(m, f.mid[s * f.horizons + h]); return m; };
  await replay(createPredictor, (f, r) => {
    const counts = new Array(EVIDENCE_NAMES.length).fill(0);
    const none = [];
    for (let s = 0; s < n; s++) {
      counts[f.evidence[s]]++;
      if (f.evidence[s] >= EVIDENCE.neighbours) {
        none.push(s);
        if (minMid(f, s) < JAM_MPH) jamsAfter++; // NaN compares false: never a jam
      }
    }
    perLevel.set(r, counts);
    noEvidence.set(r, none);
    checks++;
  });
  const last = [...perLevel.keys()].at(-1);
  const lastCounts = Object.fromEntries(EVIDENCE_NAMES.map((name, v) => [name, perLevel.get(last)[v]]));
  const unionNo = new Set([...noEvidence.values()].flat());
  console.log(`evidence audit: ${n} stations, ${rows.length} rows (${days} days, seed ${seed}), model trained on ${trainDays} days; ${checks} forecasts (every hour of the last day)`);
  console.log(`  stations per evidence level at the last row: ${JSON.stringify(lastCounts)}`);
  console.log(`  stations without evidence of their own at some hour: ${unionNo.size} (${[...unionNo].map((s) => ids[s]).join(', ')})`);
  console.log(`  after:  station-hours without evidence forecast under ${JAM_MPH} mph at some horizon: ${jamsAfter}`);
  if (before) {
    const { createPredictor: createOld } = await import(pathToFileURL(join(before[0], 'flowcast.js')).href);
    let jamsBefore = 0;
    const stations = new Set();
    await replay((o) => createOld({ ...o, wasmUrl: pathToFileURL(before[1]) }), (f, r) => {
      for (const s of noEvidence.get(r)) if (minMid(f, s) < JAM_MPH) { jamsBefore++; stations.add(ids[s]); }
    });
    console.log(`  before: station-hours without evidence forecast under ${JAM_MPH} mph at some horizon: ${jamsBefore} (stations: ${[...stations].join(', ') || 'none'})`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
