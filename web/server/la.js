// la.js — Los Angeles on its real 2012 detector data (docs/LA.md): the dataset folder
// `.cache/datasets/la`, made from ../shared/data/los-loop by the native tools, read from there
// at run time (the data is never copied into the repository). flowcast-netbuild builds the
// network from sensors.csv and the directed road-distance kernel; flowcast-replayset turns the
// recorded speeds into a dataset folder (padded with missing rows to one whole week).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './options.js';

export const LA_DATASET = resolve(REPO_ROOT, '.cache/datasets/la');
export const LA_SOURCE = resolve(REPO_ROOT, '../shared/data/los-loop');
/** The first row of los_speed_train.csv: Thursday 2012-03-01 00:00 Pacific Standard Time. */
export const LA_START = '2012-03-01T00:00:00-08:00';
export const LA_NAME = 'Los Angeles (METR-LA detectors): replay of March 2012';
const BIN = resolve(REPO_ROOT, 'build/native/bin');

/**
 * Make the LA dataset unless an up-to-date one is there (newer than both tools).
 * @param {{ dir?: string, source?: string, quiet?: boolean }} [opts]
 * @returns {string} the dataset folder
 */
export function ensureLaDataset({ dir = LA_DATASET, source = LA_SOURCE, quiet = false } = {}) {
  const netbuild = join(BIN, 'flowcast-netbuild');
  const replayset = join(BIN, 'flowcast-replayset');
  for (const tool of [netbuild, replayset])
    if (!existsSync(tool)) throw new Error(`${tool} is not built: run ./build.sh`);
  const meta = join(dir, 'meta.json');
  if (existsSync(meta) && [netbuild, replayset].every((t) => statSync(t).mtimeMs <= statSync(meta).mtimeMs)) return dir;
  for (const f of ['sensors.csv', 'adj_directed.csv', 'los_speed_train.csv'])
    if (!existsSync(join(source, f))) throw new Error(`${join(source, f)} is missing: the LA data lives in ../shared/data/los-loop`);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const run = (/** @type {string} */ tool, /** @type {string[]} */ args) => {
    const r = spawnSync(tool, args, { stdio: ['ignore', 'inherit', quiet ? 'pipe' : 'inherit'] });
    if (r.status !== 0) throw new Error(`${tool} failed (exit ${r.status})${quiet ? `: ${r.stderr}` : ''}`);
  };
  const network = `${dir}.network.json`;
  run(netbuild, ['--sensors', join(source, 'sensors.csv'), '--graph', join(source, 'adj_directed.csv'),
    '--id', 'los-angeles-metr-la', '--name', LA_NAME, '--timezone', 'America/Los_Angeles',
    '--road-prefix', 'LA corridor', '--out', network, '--report', `${dir}.report.json`]);
  run(replayset, ['--network', network, '--speeds', join(source, 'los_speed_train.csv'), '--start', LA_START,
    '--out', dir, '--whole-weeks', '--source', 'METR-LA detectors (DCRNN sensor graph), Los-loop speeds (T-GCN)']);
  return dir;
}
