// harness.js — timing helpers for the benchmarks: warm up, repeat, report median and p95.
// Wall-clock figures on shared 2-core machines are noisy: compare peers within one run and
// quote medians; budgets that gate CI use instruction counts instead (see PERFORMANCE.md).
import { performance } from 'node:perf_hooks';

/**
 * @typedef {object} Stats
 * @property {number} median_us
 * @property {number} p95_us
 * @property {number} min_us
 * @property {number} iterations
 */

/**
 * Runs fn repeatedly: `warmup` untimed calls, then timed calls until both `minIters` calls and
 * `minTimeMs` have passed (or `maxIters`). `prepare(i)` runs untimed before each call and its
 * result is passed to fn.
 * @template T
 * @param {(arg: T, i: number) => unknown} fn
 * @param {{ prepare?: (i: number) => T, warmup?: number, minIters?: number, maxIters?: number, minTimeMs?: number }} [opts]
 * @returns {Stats}
 */
export function measure(fn, { prepare = () => /** @type {T} */ (undefined), warmup = 20, minIters = 30, maxIters = 5000, minTimeMs = 500 } = {}) {
  let i = 0;
  for (; i < warmup; i++) fn(prepare(i), i);
  const samples = [];
  const start = performance.now();
  while (samples.length < maxIters && (samples.length < minIters || performance.now() - start < minTimeMs)) {
    const arg = prepare(i);
    const t0 = performance.now();
    fn(arg, i);
    samples.push((performance.now() - t0) * 1000);
    i++;
  }
  samples.sort((a, b) => a - b);
  const q = (/** @type {number} */ p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { median_us: q(0.5), p95_us: q(0.95), min_us: samples[0], iterations: samples.length };
}

/**
 * Prints rows as an aligned text table.
 * @param {string[]} headers
 * @param {(string | number)[][]} rows
 */
export function table(headers, rows) {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, k) => Math.max(...cells.map((r) => String(r[k]).length)));
  const line = (/** @type {(string|number)[]} */ r) => r.map((c, k) => (k === 0 ? String(c).padEnd(widths[k]) : String(c).padStart(widths[k]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** @param {number} x */
function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
