// telemetry.js — performance figures from real users: the beacons pages send when their user
// (or an embedding host) opted in (web/shared/telemetry.js), checked strictly and folded into
// fixed-size histograms, and the last hour's percentiles for the telemetry page.
//
//   POST /api/v1/telemetry          a beacon (docs/API.md "Telemetry"): 204, or 400/413/415/429
//   GET  /api/v1/telemetry/summary  p50/p95 per stage and browser family over the last hour
//
// Memory is bounded whatever arrives: a beacon is reduced to a handful of bucket increments in
// one preallocated array (metrics × browser families × histogram buckets × 60 one-minute slots,
// ~700 KB), and nothing of it is kept: no address, no User-Agent string (only its family), no
// Referer. The routes that take and report them are in routes/telemetry.js.

/** The beacon's schema version; a beacon with any other `v` is refused. */
export const BEACON_VERSION = 1;
/** Bodies larger than this are refused with 413: a full beacon is ~600 bytes. */
export const MAX_BEACON_BYTES = 4096;
/** Beacons per minute per client address: a page sends one per 5 minutes by default, so this
 * leaves room for hundreds of tabs behind one NAT and caps what one address can inject. */
export const BEACONS_PER_MIN = 60;

/** The engine's stage timers (c/src/stats.c, `Predictor.stats()` in web/flowcast.js). */
export const ENGINE_STAGES = /** @type {const} */ (['parse', 'commit', 'forecast', 'train', 'route']);
/** Page timings (ms since navigation start) a beacon may carry. */
export const PAGE_TIMINGS = /** @type {const} */ (['loadMs', 'firstForecastMs']);
/** Every histogram kept, with its unit: the engine stages' medians, the page timings and the
 * wasm heap. The summary's rows are named by these. */
export const METRICS = /** @type {const} */ ([
  ...ENGINE_STAGES.map((name) => ({ name, unit: 'ms' })),
  { name: 'page_load', unit: 'ms' }, { name: 'first_forecast', unit: 'ms' }, { name: 'wasm_heap', unit: 'MiB' },
]);
/** Browser families, by engine (every browser on iOS is WebKit, so it counts as safari). */
export const FAMILIES = /** @type {const} */ (['chromium', 'firefox', 'safari', 'node', 'other']);

// Histogram buckets: log-spaced, 8 per decade from 0.001 to 10^6 (1 µs to 17 min in ms, 1 KiB to
// 1 TiB in MiB). Adjacent bounds differ by 10^(1/8) ≈ 1.33, so a percentile reported as its
// bucket's geometric midpoint is within 10^(1/16) ≈ ±15.5 % of the exact one; a value below the
// range counts in an underflow bucket (reported as 0.001), above it in an overflow bucket
// (reported as 10^6).
export const BUCKETS_PER_DECADE = 8;
export const HIST_MIN = 1e-3;
const DECADES = 9;
/** Underflow, the log-spaced buckets, overflow. */
export const BUCKETS = DECADES * BUCKETS_PER_DECADE + 2;
/** One-minute slots in the ring: the summary covers the last hour. */
export const WINDOW_MINUTES = 60;

/** The limits a beacon's numbers must respect (a larger one is a bug or a forgery). */
const MAX_CALLS = 1e12;
const MAX_STAGE_US = 1e9; // 1000 s
const MAX_PAGE_MS = 1e7; // 2.8 h: a tab left open before its first forecast
const MAX_COUNTER = 1e15;
const MAX_HEAP_BYTES = 2 ** 32; // wasm32's address space
const MiB = 1048576;

/** A beacon refused: `status` 400 and an API error code. */
export class BeaconError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The browser family of a User-Agent header: the only thing kept of it.
 * @param {string | undefined} ua
 * @returns {typeof FAMILIES[number]}
 */
export function browserFamily(ua) {
  if (!ua) return 'other';
  if (/^node\b|\bundici\b/i.test(ua)) return 'node';
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return 'safari';
  if (/\bFirefox\//.test(ua)) return 'firefox';
  if (/\b(Chrome|Chromium|HeadlessChrome|Edg|OPR)\//.test(ua)) return 'chromium';
  if (/\bAppleWebKit\//.test(ua) && /\bSafari\//.test(ua)) return 'safari';
  return 'other';
}

/** @param {unknown} v @returns {v is Record<string, unknown>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A finite number in [0, max], or throws naming the field.
 * @param {unknown} v @param {string} path @param {number} max @param {boolean} [integer]
 */
function number(v, path, max, integer = false) {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BeaconError('BAD_BEACON', `${path}: must be a finite number`);
  if (v < 0 || v > max) throw new BeaconError('BAD_BEACON', `${path}: must be in 0..${max}, got ${v}`);
  if (integer && !Number.isInteger(v)) throw new BeaconError('BAD_BEACON', `${path}: must be an integer, got ${v}`);
  return v;
}

/**
 * Fields of an object, refusing any not in `known` (a beacon carries nothing undocumented).
 * @param {unknown} v @param {string} path @param {readonly string[]} known @param {string} [unknownCode]
 * @returns {Record<string, unknown>}
 */
function fields(v, path, known, unknownCode = 'UNKNOWN_FIELD') {
  if (!isObject(v)) throw new BeaconError('BAD_BEACON', `${path}: must be an object`);
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) throw new BeaconError(unknownCode, `${path}: unknown ${unknownCode === 'UNKNOWN_STAGE' ? 'stage' : 'field'} "${k.slice(0, 40)}"`);
  }
  return v;
}

/**
 * @typedef {object} Beacon
 * @property {1} v
 * @property {Partial<Record<typeof ENGINE_STAGES[number], { calls: number, medianUs: number, p95Us: number }>>} [stages]
 * @property {{ loadMs?: number, firstForecastMs?: number }} [page]
 * @property {{ fastParses: number, fallbackParses: number }} [counters]
 * @property {{ wasmHeapBytes: number }} [memory]
 * @property {boolean} [embed]
 */

/**
 * Checks a parsed beacon against the schema (docs/API.md): every field known, every number
 * finite, non-negative and bounded. Unknown fields and stages are refused rather than ignored,
 * so a client that starts sending something new is noticed (in the rejected count) instead of
 * silently shipping data nobody reviewed.
 * @param {unknown} body
 * @returns {Beacon}
 */
export function validateBeacon(body) {
  const b = fields(body, 'beacon', ['v', 'stages', 'page', 'counters', 'memory', 'embed']);
  if (b.v !== BEACON_VERSION) throw new BeaconError('BAD_VERSION', `v: must be ${BEACON_VERSION}, got ${JSON.stringify(b.v)?.slice(0, 20)}`);
  if (b.stages !== undefined) {
    const stages = fields(b.stages, 'stages', ENGINE_STAGES, 'UNKNOWN_STAGE');
    for (const [name, s] of Object.entries(stages)) {
      const st = fields(s, `stages.${name}`, ['calls', 'medianUs', 'p95Us']);
      number(st.calls, `stages.${name}.calls`, MAX_CALLS, true);
      number(st.medianUs, `stages.${name}.medianUs`, MAX_STAGE_US);
      number(st.p95Us, `stages.${name}.p95Us`, MAX_STAGE_US);
    }
  }
  if (b.page !== undefined) {
    const page = fields(b.page, 'page', PAGE_TIMINGS);
    for (const [k, v] of Object.entries(page)) number(v, `page.${k}`, MAX_PAGE_MS);
  }
  if (b.counters !== undefined) {
    const c = fields(b.counters, 'counters', ['fastParses', 'fallbackParses']);
    number(c.fastParses, 'counters.fastParses', MAX_COUNTER, true);
    number(c.fallbackParses, 'counters.fallbackParses', MAX_COUNTER, true);
  }
  if (b.memory !== undefined) {
    const m = fields(b.memory, 'memory', ['wasmHeapBytes']);
    number(m.wasmHeapBytes, 'memory.wasmHeapBytes', MAX_HEAP_BYTES, true);
  }
  if (b.embed !== undefined && typeof b.embed !== 'boolean') throw new BeaconError('BAD_BEACON', 'embed: must be true or false');
  return /** @type {Beacon} */ (b);
}

/** @param {number} v @returns {number} the histogram bucket of a value */
export function bucketOf(v) {
  if (!(v >= HIST_MIN)) return 0;
  return Math.min(BUCKETS - 1, 1 + Math.floor(Math.log10(v / HIST_MIN) * BUCKETS_PER_DECADE));
}

/** @param {number} i @returns {number} the value a bucket stands for in percentiles */
export function bucketValue(i) {
  if (i <= 0) return HIST_MIN;
  if (i >= BUCKETS - 1) return HIST_MIN * 10 ** DECADES;
  return HIST_MIN * 10 ** ((i - 0.5) / BUCKETS_PER_DECADE);
}

/**
 * Nearest-rank percentile of a histogram.
 * @param {ArrayLike<number>} counts BUCKETS counts
 * @param {number} total their sum (> 0)
 * @param {number} p in (0, 1]
 */
function percentile(counts, total, p) {
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += counts[i];
    if (seen >= rank) return bucketValue(i);
  }
  return bucketValue(BUCKETS - 1);
}

/** Rounds a reported value to 3 significant digits (the buckets hold no more). */
const round3 = (/** @type {number} */ v) => Number(v.toPrecision(3));

/**
 * @typedef {object} SummaryRow
 * @property {string} stage a METRICS name
 * @property {string} unit
 * @property {string} family a FAMILIES name, or "all"
 * @property {number} samples values in the window
 * @property {number} p50
 * @property {number} p95
 */

/**
 * The last hour of beacons in fixed-size histograms: a ring of one-minute slots, each with one
 * histogram per metric and browser family. Its size is fixed at construction.
 */
export class TelemetryAggregator {
  /** @param {{ now?: () => number }} [opts] `now`: the clock (Unix ms), for tests */
  constructor(opts = {}) {
    this.now = opts.now ?? Date.now;
    const perSlot = METRICS.length * FAMILIES.length * BUCKETS;
    /** counts[((slot * METRICS + metric) * FAMILIES + family) * BUCKETS + bucket] */
    this.counts = new Uint32Array(WINDOW_MINUTES * perSlot);
    /** The minute (Unix ms / 60000) each slot holds; -1: never used. */
    this.slotMinute = new Float64Array(WINDOW_MINUTES).fill(-1);
    /** Beacons accepted per slot and family. */
    this.beacons = new Uint32Array(WINDOW_MINUTES * FAMILIES.length);
    this.perSlot = perSlot;
    /** Since start: accepted beacons, and refused requests by HTTP status (a fixed small set). */
    this.accepted = 0;
    /** @type {Map<number, number>} */
    this.rejected = new Map();
  }

  /**
   * The slot for the current minute, cleared if it last held an older minute.
   * @param {number} minute
   */
  #slot(minute) {
    const slot = minute % WINDOW_MINUTES;
    if (this.slotMinute[slot] !== minute) {
      this.counts.fill(0, slot * this.perSlot, (slot + 1) * this.perSlot);
      this.beacons.fill(0, slot * FAMILIES.length, (slot + 1) * FAMILIES.length);
      this.slotMinute[slot] = minute;
    }
    return slot;
  }

  /**
   * Folds a validated beacon in.
   * @param {Beacon} b
   * @param {typeof FAMILIES[number]} family
   */
  add(b, family) {
    const f = FAMILIES.indexOf(family);
    const slot = this.#slot(Math.floor(this.now() / 60000));
    const inc = (/** @type {number} */ metric, /** @type {number} */ value) => {
      this.counts[((slot * METRICS.length + metric) * FAMILIES.length + f) * BUCKETS + bucketOf(value)]++;
    };
    ENGINE_STAGES.forEach((name, m) => {
      const s = b.stages?.[name];
      if (s && s.calls > 0) inc(m, s.medianUs / 1000); // a stage that never ran has no time
    });
    const E = ENGINE_STAGES.length;
    if (b.page?.loadMs !== undefined) inc(E, b.page.loadMs);
    if (b.page?.firstForecastMs !== undefined) inc(E + 1, b.page.firstForecastMs);
    if (b.memory) inc(E + 2, b.memory.wasmHeapBytes / MiB);
    this.beacons[slot * FAMILIES.length + f]++;
    this.accepted++;
  }

  /** @param {number} status an HTTP status a beacon was refused with */
  reject(status) {
    this.rejected.set(status, (this.rejected.get(status) ?? 0) + 1);
  }

  /** Typed-array elements and map entries held: constant whatever the traffic (for tests). */
  get size() {
    return this.counts.length + this.slotMinute.length + this.beacons.length + this.rejected.size;
  }

  /**
   * p50/p95 per metric and family (and over all families) from the slots of the last hour.
   * @returns {{ windowMinutes: number, bucketsPerDecade: number, resolutionPct: number,
   *   accepted: number, rejected: Record<string, number>, beacons: Record<string, number>, rows: SummaryRow[] }}
   */
  summary() {
    const minute = Math.floor(this.now() / 60000);
    /** @type {number[]} */
    const live = [];
    for (let s = 0; s < WINDOW_MINUTES; s++) {
      if (this.slotMinute[s] > minute - WINDOW_MINUTES && this.slotMinute[s] <= minute) live.push(s);
    }
    /** @type {Record<string, number>} */
    const beacons = {};
    FAMILIES.forEach((fam, f) => { beacons[fam] = live.reduce((n, s) => n + this.beacons[s * FAMILIES.length + f], 0); });
    /** @type {SummaryRow[]} */
    const rows = [];
    const merged = new Float64Array(BUCKETS), all = new Float64Array(BUCKETS);
    METRICS.forEach((metric, m) => {
      all.fill(0);
      FAMILIES.forEach((family, f) => {
        merged.fill(0);
        for (const s of live) {
          const at = ((s * METRICS.length + m) * FAMILIES.length + f) * BUCKETS;
          for (let i = 0; i < BUCKETS; i++) merged[i] += this.counts[at + i];
        }
        const n = merged.reduce((a, c) => a + c, 0);
        if (!n) return;
        for (let i = 0; i < BUCKETS; i++) all[i] += merged[i];
        rows.push({ stage: metric.name, unit: metric.unit, family, samples: n, p50: round3(percentile(merged, n, 0.5)), p95: round3(percentile(merged, n, 0.95)) });
      });
      const n = all.reduce((a, c) => a + c, 0);
      if (n) rows.push({ stage: metric.name, unit: metric.unit, family: 'all', samples: n, p50: round3(percentile(all, n, 0.5)), p95: round3(percentile(all, n, 0.95)) });
    });
    return {
      windowMinutes: WINDOW_MINUTES, bucketsPerDecade: BUCKETS_PER_DECADE,
      resolutionPct: round3(100 * (10 ** (0.5 / BUCKETS_PER_DECADE) - 1)),
      accepted: this.accepted, rejected: Object.fromEntries(this.rejected), beacons, rows,
    };
  }
}
