// cpuprofile.js — reads a V8 CPU profile (.cpuprofile: what `node --cpu-prof` and the DevTools
// Protocol's Profiler.stop produce) and summarises it: self time per function (WebAssembly
// functions keep their C names in the release build) and the share of each engine stage, found
// by the C entry point a sample runs under. Shared by bench/profile.js (the page's worker) and
// `npm run bench -- --cpu-prof` (the Node benchmarks).
import { readFileSync } from 'node:fs';
import { table } from './harness.js';

/**
 * @typedef {{ functionName: string, url: string, scriptId?: string, lineNumber?: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} CpuProfile
 */

/** Pseudo-frames V8 adds: not functions of ours. */
const IDLE = '(idle)';
const META = new Set(['(root)', IDLE]);

/**
 * C functions that open an engine stage (innermost match wins, so `commit` under
 * `fc_ingest_json` counts as commit). The names are those of c/src/engine.c's stage timers.
 */
const STAGE_OF = /** @type {Record<string, string>} */ ({
  fc_ingest_json: 'parse',
  commit: 'commit',
  fc_ingest_values: 'commit',
  fc_model_forecast: 'forecast',
  fc_engine_forecast: 'forecast',
  fc_engine_forecast_now: 'forecast', // the engine's forecast step when the compiler keeps it apart
  fc_engine_train_step: 'train',
  fc_trainer_step: 'train',
  fc_engine_travel_time: 'route',
  fc_engine_best_departure: 'route',
});

/** @param {CallFrame} f */
export const isWasm = (f) => /\.wasm$|^wasm:/.test(f.url);

/**
 * Parses and checks a profile's shape.
 * @param {string | CpuProfile} src file path, or the profile object itself
 * @returns {CpuProfile}
 */
export function readProfile(src) {
  const p = typeof src === 'string' ? JSON.parse(readFileSync(src, 'utf8')) : src;
  if (!Array.isArray(p?.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) {
    throw new Error('not a V8 CPU profile: nodes, samples and timeDeltas are required');
  }
  return p;
}

/**
 * Self time per function and time per engine stage.
 * @param {CpuProfile} profile
 */
export function summarise(profile) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // a sample lasts until the next one (timeDeltas[i] is the gap before sample i)
  const dur = profile.samples.map((_, i) => profile.timeDeltas[i + 1] ?? 0);
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + dur[i]));

  let totalUs = 0, idleUs = 0;
  /** @type {Map<string, { name: string, url: string, wasm: boolean, selfUs: number }>} */
  const fns = new Map();
  /** @type {Map<string, number>} */
  const stages = new Map();
  /** @type {Map<number, string>} */
  const stageOfNode = new Map();
  for (const [id, us] of selfUs) {
    const node = /** @type {ProfileNode} */ (byId.get(id));
    const f = node.callFrame;
    totalUs += us;
    if (f.functionName === IDLE) { idleUs += us; continue; }
    if (META.has(f.functionName)) continue;
    const key = `${f.functionName}\u0000${f.url}`;
    const e = fns.get(key) ?? { name: f.functionName || '(anonymous)', url: f.url, wasm: isWasm(f), selfUs: 0 };
    e.selfUs += us;
    fns.set(key, e);
    const stage = stageOf(id, byId, parent, stageOfNode);
    stages.set(stage, (stages.get(stage) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (/** @type {number} */ us) => (busyUs > 0 ? us / busyUs : 0);
  return {
    totalUs, idleUs, busyUs, samples: profile.samples.length,
    functions: [...fns.values()].sort((a, b) => b.selfUs - a.selfUs).map((f) => ({ ...f, share: share(f.selfUs) })),
    stages: [...stages].sort((a, b) => b[1] - a[1]).map(([stage, us]) => ({ stage, us, share: share(us) })),
  };
}

/**
 * The stage a node's samples belong to: the innermost C stage entry on its stack; otherwise
 * other wasm, the JS wrapper (flowcast.js), other JS, or V8's own pseudo-frames.
 * @param {number} id
 * @param {Map<number, ProfileNode>} byId
 * @param {Map<number, number>} parent
 * @param {Map<number, string>} memo
 */
function stageOf(id, byId, parent, memo) {
  const hit = memo.get(id);
  if (hit) return hit;
  const leaf = /** @type {ProfileNode} */ (byId.get(id)).callFrame;
  let stage = '';
  let jsUrl = '';
  for (let at = /** @type {number | undefined} */ (id); at !== undefined && !stage; at = parent.get(at)) {
    const f = /** @type {ProfileNode} */ (byId.get(at)).callFrame;
    if (isWasm(f) && Object.hasOwn(STAGE_OF, f.functionName)) stage = STAGE_OF[f.functionName];
    else if (!jsUrl && f.url && !isWasm(f)) jsUrl = f.url;
  }
  if (!stage) {
    if (leaf.functionName.startsWith('(')) stage = leaf.functionName;
    else if (isWasm(leaf)) stage = 'other wasm';
    else stage = /\/flowcast\.js$/.test(jsUrl) ? 'JS wrapper (flowcast.js)' : 'other JS';
  }
  memo.set(id, stage);
  return stage;
}

/** @param {string} url */
const shortUrl = (url) => (url.startsWith('wasm:') ? 'wasm module' : url.replace(/^.*\//, '') || '(native)');

/**
 * The printed summary: the top functions by self time and the stage shares.
 * @param {ReturnType<typeof summarise>} s
 * @param {{ top?: number, title?: string }} [opts]
 */
export function formatSummary(s, { top = 15, title = 'CPU profile' } = {}) {
  const ms = (/** @type {number} */ us) => us / 1000;
  const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(1)}%`;
  return [
    `${title}: ${s.samples} samples over ${ms(s.totalUs).toFixed(0)} ms; busy ${ms(s.busyUs).toFixed(1)} ms ` +
      `(${pct(s.totalUs ? s.busyUs / s.totalUs : 0)}), idle ${ms(s.idleUs).toFixed(0)} ms. Shares are of busy time.`,
    '',
    table(['function (self time)', 'where', 'kind', 'self ms', 'share'],
      s.functions.slice(0, top).map((f) => [f.name, shortUrl(f.url), f.wasm ? 'wasm' : 'JS', ms(f.selfUs), pct(f.share)])),
    '',
    table(['engine stage (by C entry point)', 'ms', 'share'], s.stages.map((x) => [x.stage, ms(x.us), pct(x.share)])),
  ].join('\n');
}
