// stats.js — what a predictor can tell about its own cost: per-stage timings, parser
// counters and memory (the numbers the performance panel shows and bug reports quote), and a
// trace of engine spans in the Chrome trace-event format (c/src/stats.c records them).

import { FC_OK, FC_STAGE_COUNT, MEMORY, SPAN, SPAN_BYTES, STAGE_NAMES, STAGE_STATS, TRACE_CAP } from './abi.js';
import { FlowcastError } from './errors.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */

/**
 * Per-stage timings (medians and p95 over the last 256 calls, totals), counters and memory:
 * the numbers a performance panel shows and users can quote in bug reports.
 * @param {Predictor} p
 * @returns {{ stages: Record<string, { calls: number, totalUs: number, medianUs: number, p95Us: number }>,
 *   counters: { fastParses: number, fallbackParses: number, canonicalReadings: number }, memory: { wasmHeapBytes: number,
 *   historyBytes: number, modelBytes: number, routeBytes: number } }}
 */
export function stats(p) {
  p._live();
  const rt = p.rt, x = rt.x;
  const at = rt.malloc(32); // an fc_stage_stats, two u64 counters or an fc_memory
  try {
    /** @type {Record<string, { calls: number, totalUs: number, medianUs: number, p95Us: number }>} */
    const stages = {};
    const s = STAGE_STATS;
    for (let k = 0; k < FC_STAGE_COUNT; k++) {
      x.fc_engine_stage_stats(p.engine, k, at);
      const v = rt.view;
      stages[rt.cString(x.fc_stage_name(k))] = {
        calls: Number(v.getBigUint64(at + s.calls, true)), totalUs: v.getFloat64(at + s.total_us, true),
        medianUs: v.getFloat32(at + s.median_us, true), p95Us: v.getFloat32(at + s.p95_us, true),
      };
    }
    x.fc_engine_parser_counts(p.engine, at, at + 8);
    let v = rt.view;
    const counters = { fastParses: Number(v.getBigUint64(at, true)), fallbackParses: Number(v.getBigUint64(at + 8, true)),
      canonicalReadings: Number(x.fc_engine_canonical_readings(p.engine)) };
    x.fc_engine_memory(p.engine, at);
    v = rt.view;
    const m = MEMORY;
    const memory = { wasmHeapBytes: rt.heapBytes, historyBytes: Number(v.getBigUint64(at + m.history_bytes, true)),
      modelBytes: Number(v.getBigUint64(at + m.model_bytes, true)), routeBytes: Number(v.getBigUint64(at + m.route_bytes, true)) };
    return { stages, counters, memory };
  } finally {
    x.free(at);
  }
}

/**
 * Records engine spans: `trace({ start: true })` begins (clearing earlier spans),
 * `trace({ stop: true })` ends and returns them as a Chrome trace-event JSON object (save it
 * as .json and open it in Perfetto or chrome://tracing / DevTools' Performance panel).
 * @param {Predictor} p
 * @param {{ start?: boolean, stop?: boolean }} what
 * @returns {{ traceEvents: object[], displayTimeUnit: string } | undefined}
 */
export function trace(p, what) {
  p._live();
  const rt = p.rt, x = rt.x;
  if (what.start) {
    const st = x.fc_engine_trace(p.engine, 1);
    if (st !== FC_OK) throw p._fail(st);
    return undefined;
  }
  if (!what.stop) throw new FlowcastError('E_ARG', 'trace: pass { start: true } or { stop: true }');
  x.fc_engine_trace(p.engine, 0);
  const at = rt.malloc(8);
  try {
    const spans = x.fc_engine_trace_spans(p.engine, at, at + 4);
    const v = rt.view;
    const count = v.getUint32(at, true), next = v.getUint32(at + 4, true);
    /** @type {{ name: string, cat?: string, ph: string, pid: number, tid: number, ts?: number, dur?: number, args: Record<string, string | number> }[]} */
    const traceEvents = [{ name: 'process_name', ph: 'M', pid: 1, tid: 1, args: { name: 'flowcast engine' } }];
    for (let i = 0; i < count; i++) {
      const span = spans + SPAN_BYTES * ((next - count + i + TRACE_CAP) % TRACE_CAP); // the ring's oldest first
      const stage = v.getUint32(span + SPAN.stage, true);
      traceEvents.push({ name: STAGE_NAMES[stage] ?? 'stage', cat: 'flowcast', ph: 'X', pid: 1, tid: 1,
        ts: v.getFloat64(span + SPAN.start_us, true), dur: v.getFloat64(span + SPAN.dur_us, true),
        args: { n: v.getUint32(span + SPAN.arg, true) } });
    }
    return { traceEvents, displayTimeUnit: 'ms' };
  } finally {
    x.free(at);
  }
}
