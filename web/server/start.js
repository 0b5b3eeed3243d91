// `npm start` (after the build): make sure the default dataset exists, generating it with the
// simulator when it is missing or older than the simulator binary, then serve a live replay of
// it on 127.0.0.1:8080. Before serving it trains the model file the page loads from
// /api/v1/model (DIR/model.fcm) with flowcast-train when that file is missing, older than the
// dataset or of another model format version; without the tool, pages train in their worker.
//
//   node web/server/start.js [--dataset DIR | --city atlanta|la|all] [--sim PATH] [--train PATH] [--days N] [server options...]
//
// By default (`--city all`) it serves Atlanta and, beside it under /api/v1/networks/la/, Los
// Angeles on its real March 2012 detector data (web/server/la.js, docs/LA.md: the dataset is
// built from ../shared/data/los-loop by the native tools; without that folder, Atlanta alone,
// with the reason printed). `--city atlanta` or `--city la` serves one of them alone.
//
// The dataset is written to DIR.tmp and renamed into place only when the simulator succeeds, so
// an interrupted run never leaves a half-written dataset that looks complete.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { main } from './cli.js';
import { MODEL_FILE, modelFileVersion, modelFormatVersion } from './model-file.js';
import { DEFAULT_DATASET, REPO_ROOT } from './options.js';
import { ensureLaDataset, LA_DATASET } from './la.js';

const DEFAULT_SIM = resolve(REPO_ROOT, 'build/native/bin/flowcast-sim');
const DEFAULT_TRAIN = resolve(REPO_ROOT, 'build/native/bin/flowcast-train');
/** Four weeks: the training window the model's defaults are tuned for (README, model section). */
const TRAIN_DAYS = 28;
/** Eight weeks: enough for weekly profiles, a training split and a test split. */
const DEFAULT_DAYS = 56;
const SEED = 1;

/**
 * Run the simulator into `dir` unless a complete dataset is already there.
 * @param {{ dir: string, sim: string, days: number }} opts
 * @returns {Promise<void>}
 */
export async function ensureDataset({ dir, sim, days }) {
  const meta = join(dir, 'meta.json');
  const show = (/** @type {string} */ p) => relative(process.cwd(), p) || '.';
  if (existsSync(meta)) {
    // A rebuilt simulator (its sources changed) makes the cached dataset out of date.
    if (!existsSync(sim) || statSync(sim).mtimeMs <= statSync(meta).mtimeMs) return;
    console.error(`flowcast: ${show(sim)} is newer than the dataset: regenerating it`);
  }
  if (!existsSync(sim)) {
    throw new Error(`the dataset ${show(dir)} is missing and the simulator ${show(sim)} is not built.\n`
      + `  Build it with:   ./build.sh        (or: npm run build)\n`
      + `  then generate:   ${show(sim)} --out ${show(dir)}.tmp --days ${days} --seed ${SEED} && mv ${show(dir)}.tmp ${show(dir)}`);
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true }); // the simulator creates only its own folder
  console.error(`flowcast: generating the default dataset (${days} days of simulated traffic) into ${show(dir)} ...`);
  const t0 = Date.now();
  const tty = process.stderr.isTTY;
  let progressShown = false;
  const code = await new Promise((resolveExit, reject) => {
    const child = spawn(sim, ['--out', tmp, '--days', String(days), '--seed', String(SEED)], { stdio: ['ignore', 'inherit', 'pipe'] });
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (/** @type {string} */ chunk) => {
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i).replace(/\r$/, '');
        pending = pending.slice(i + 1);
        // "flowcast-sim: day 3/56" lines become one line updated in place on a terminal.
        if (tty && /\bday \d+\/\d+/.test(line)) {
          process.stderr.write(`\r\x1b[K${line}`);
          progressShown = true;
        } else {
          process.stderr.write(`${progressShown ? '\n' : ''}${line}\n`);
          progressShown = false;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (c, signal) => resolveExit(signal ? 128 : c));
  });
  if (progressShown) process.stderr.write('\n');
  if (code !== 0 || !existsSync(join(tmp, 'meta.json'))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`the simulator failed (exit ${code}); the dataset was not written`);
  }
  rmSync(dir, { recursive: true, force: true }); // an older or incomplete dataset
  renameSync(tmp, dir);
  console.error(`flowcast: dataset ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Train DIR/model.fcm with flowcast-train unless an up-to-date one is there (newer than the
 * dataset and in the format this build reads: an older build's file would be refused by every
 * page, which would then train in the browser). Never fatal: the
 * feed works without a model (404 on /api/v1/model), only start-up of the pages is slower.
 * @param {{ dir: string, train: string }} opts
 * @returns {Promise<boolean>} whether a model file is in place
 */
export async function ensureModel({ dir, train }) {
  const model = join(dir, MODEL_FILE);
  const meta = join(dir, 'meta.json');
  if (existsSync(model) && statSync(model).mtimeMs >= statSync(meta).mtimeMs && modelFileVersion(model) === await modelFormatVersion())
    return true;
  const show = (/** @type {string} */ p) => relative(process.cwd(), p) || '.';
  if (!existsSync(train)) {
    console.error(`flowcast: ${show(train)} is not built: serving without a model file (pages train in the browser)`);
    return existsSync(model);
  }
  const tmp = `${model}.tmp`;
  console.error(`flowcast: training the model on the last ${TRAIN_DAYS} days into ${show(model)} ...`);
  const t0 = Date.now();
  const code = await new Promise((resolveExit, reject) => {
    const child = spawn(train, ['--dataset', dir, '--out', tmp, '--days', String(TRAIN_DAYS)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (c, signal) => resolveExit(signal ? 128 : c));
  });
  if (code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    console.error(`flowcast: flowcast-train failed (exit ${code}): serving without a model file`);
    return false;
  }
  renameSync(tmp, model);
  console.error(`flowcast: model ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

/**
 * Pull start.js's own options out of argv; the rest go to the server.
 * @param {string[]} argv
 */
function splitArgs(argv) {
  const own = { dir: DEFAULT_DATASET, sim: DEFAULT_SIM, train: DEFAULT_TRAIN, days: DEFAULT_DAYS, city: 'all' };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dataset') own.dir = resolve(argv[++i] ?? '');
    else if (a === '--sim') own.sim = resolve(argv[++i] ?? '');
    else if (a === '--train') own.train = resolve(argv[++i] ?? '');
    else if (a === '--days') own.days = Number(argv[++i]);
    else if (a === '--city') own.city = argv[++i] ?? '';
    else rest.push(a);
  }
  if (!['all', 'atlanta', 'la'].includes(own.city)) throw new Error(`--city: "all" (the default: Atlanta and Los Angeles), "atlanta" (simulated) or "la" (real March 2012 data), not "${own.city}"`);
  // a dataset of one's own is served alone
  if (own.city === 'all' && own.dir !== DEFAULT_DATASET) own.city = 'atlanta';
  if (own.city === 'la' && own.dir === DEFAULT_DATASET) own.dir = LA_DATASET;
  if (!Number.isInteger(own.days) || own.days < 7) throw new Error('--days: an integer of at least 7 (replay needs whole weeks)');
  return { own, rest };
}

try {
  const { own, rest } = splitArgs(process.argv.slice(2));
  if (own.city === 'la') ensureLaDataset({ dir: own.dir });
  else await ensureDataset(own);
  await ensureModel(own);
  const also = [];
  if (own.city === 'all') {
    try {
      const la = ensureLaDataset({ quiet: true });
      await ensureModel({ dir: la, train: own.train });
      also.push('--also', `la=${la}`);
    } catch (err) {
      console.error(`flowcast: serving Atlanta only, not Los Angeles: ${err instanceof Error ? err.message : err}`);
    }
  }
  await main(['--dataset', own.dir, ...(own.city === 'la' ? ['--id', 'la'] : []), ...also, ...rest]);
} catch (err) {
  console.error(`flowcast: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
