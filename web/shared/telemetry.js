// telemetry.js — opt-in performance beacons from real users (server side: web/server/telemetry.js,
// schema: docs/API.md "Telemetry"). When enabled, a page sends a summary of the engine's
// `stats()` (per-stage medians and p95, parser counters, wasm heap) and two page timings (load
// time and time to the first forecast) with `navigator.sendBeacon` to the feed's
// `POST …/api/v1/telemetry`.
//
// What a beacon never carries: the URL, any location, the segment or trip asked about, an id.
// The server keeps only the User-Agent's browser family.
//
// When: the first beacon as soon as the first forecast is drawn (or when the setting is turned
// on after that), then at most one per `intervalMs` (default 5 min) while the page is visible,
// and one more when the page is hidden if the last is older than that (short visits count too).
// Sampling: each page load is in the sample with probability `rate` (default 1: every opted-in
// page; an operator lowers it with <html data-telemetry-rate="0.1">, a host with
// <flowcast-map telemetry="0.1">).
//
// Defaults: off on flowcast's page until its user ticks the box (remembered in localStorage
// under STORAGE_KEY); off in embeds unless the host page adds the `telemetry` attribute — the
// host's visitors never saw flowcast's setting.

/** localStorage key of the page's setting: "on" when its user opted in. */
export const STORAGE_KEY = 'flowcast.telemetry';
/** At most one beacon per page this often: enough for an hourly view, a few bytes a minute. */
export const DEFAULT_INTERVAL_MS = 5 * 60000;
/** A stats request unanswered this long is given up (the worker was restarted). */
const STATS_TIMEOUT_MS = 10000;

/** @typedef {ReturnType<import('../flowcast.js').Predictor['stats']>} EngineStats */
/** @typedef {import('./types.js').Beacon} Beacon */

/** @param {number} v @param {number} digits */
const round = (v, digits) => Number(v.toFixed(digits));

/**
 * The beacon for some engine stats and page timings: stages that ran, rounded numbers.
 * @param {EngineStats} stats
 * @param {{ loadMs?: number, firstForecastMs?: number }} page
 * @param {boolean} embed
 * @returns {Beacon}
 */
export function buildBeacon(stats, page, embed) {
  /** @type {Record<string, { calls: number, medianUs: number, p95Us: number }>} */
  const stages = {};
  for (const [name, s] of Object.entries(stats.stages)) {
    if (s.calls > 0) stages[name] = { calls: s.calls, medianUs: round(s.medianUs, 1), p95Us: round(s.p95Us, 1) };
  }
  /** @type {{ loadMs?: number, firstForecastMs?: number }} */
  const timings = {};
  if (Number.isFinite(page.loadMs)) timings.loadMs = round(/** @type {number} */ (page.loadMs), 0);
  if (Number.isFinite(page.firstForecastMs)) timings.firstForecastMs = round(/** @type {number} */ (page.firstForecastMs), 0);
  return {
    v: 1, stages, page: timings,
    counters: { fastParses: stats.counters.fastParses, fallbackParses: stats.counters.fallbackParses },
    memory: { wasmHeapBytes: stats.memory.wasmHeapBytes }, embed,
  };
}

/**
 * The page's load time (navigation start to the end of the load event), when known.
 * @returns {number} ms, NaN before the load event
 */
export function pageLoadMs() {
  const nav = /** @type {PerformanceNavigationTiming | undefined} */ (globalThis.performance?.getEntriesByType?.('navigation')[0]);
  return nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : NaN;
}

/**
 * @typedef {object} TelemetryOptions
 * @property {string} url the beacon endpoint (the feed's api/v1/telemetry)
 * @property {() => void} requestStats asks the engine worker for `{ type: 'stats' }`
 * @property {boolean} embed sent in the beacon; embeds send no page load time (it is the host's)
 * @property {number} [intervalMs] at most one beacon per this period (default DEFAULT_INTERVAL_MS)
 * @property {(url: string, body: string) => boolean} [send] default navigator.sendBeacon
 * @property {() => number} [now] ms since navigation start (default performance.now)
 * @property {() => number} [random] in [0, 1) (default Math.random)
 */

export class TelemetryClient {
  /** @param {TelemetryOptions} o */
  constructor(o) {
    this.url = o.url;
    this.requestStats = o.requestStats;
    this.embed = o.embed;
    this.intervalMs = o.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.send = o.send ?? ((url, body) => navigator.sendBeacon(url, body));
    this.now = o.now ?? (() => performance.now());
    this.random = o.random ?? Math.random;
    this.enabled = false;
    /** Whether this page load is in the sample: drawn once, when first enabled. */
    this.sampled = /** @type {boolean | undefined} */ (undefined);
    /** ms since navigation start when the first forecast arrived (NaN: not yet). */
    this.firstForecastMs = NaN;
    this.lastSentMs = -Infinity;
    /** @type {EngineStats | null} the latest stats the worker sent */
    this.stats = null;
    /** When stats were last asked for (a worker restarted meanwhile never answers). */
    this.requestedMs = -Infinity;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.timer = undefined;
    this.onHide = () => {
      if (document.visibilityState === 'hidden' && this.stats) this.#send(this.stats);
    };
  }

  /**
   * Turns beacons on or off. The sampling draw happens at the first enable.
   * @param {boolean} on
   * @param {number} [rate] probability in [0, 1] that this page load sends (default 1)
   */
  setEnabled(on, rate = 1) {
    if (on && this.sampled === undefined) this.sampled = this.random() < (Number.isFinite(rate) ? rate : 1);
    this.enabled = on;
    clearInterval(this.timer);
    this.timer = undefined;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onHide);
    if (!this.active) return;
    this.timer = setInterval(() => this.#request(), this.intervalMs);
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onHide);
    if (Number.isFinite(this.firstForecastMs)) this.#request();
  }

  get active() {
    return this.enabled && this.sampled === true;
  }

  /**
   * Every message of the engine worker goes through here: it notes the first forecast and
   * sends the stats the worker answers with.
   * @param {import('./types.js').WorkerMessage} m
   */
  onMessage(m) {
    if (m.type === 'update' && m.forecast && !Number.isFinite(this.firstForecastMs)) {
      this.firstForecastMs = this.now();
      this.#request();
    } else if (m.type === 'stats') {
      this.requestedMs = -Infinity;
      if (!m.stats) return;
      this.stats = m.stats;
      this.#send(m.stats);
    }
  }

  /** Stops the timer and the page-hide beacon (the worker is going away). */
  stop() {
    this.setEnabled(false);
  }

  get #due() {
    return this.active && this.now() - this.lastSentMs >= this.intervalMs;
  }

  #request() {
    if (!this.#due || this.now() - this.requestedMs < STATS_TIMEOUT_MS) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    this.requestedMs = this.now();
    this.requestStats();
  }

  /** @param {EngineStats} stats */
  #send(stats) {
    if (!this.#due) return;
    const beacon = buildBeacon(stats, { loadMs: this.embed ? NaN : pageLoadMs(), firstForecastMs: this.firstForecastMs }, this.embed);
    this.lastSentMs = this.now();
    this.send(this.url, JSON.stringify(beacon)); // false when the browser's queue is full: skipped
  }
}

/**
 * The page's checkbox: shows the stored setting and stores changes.
 * @param {HTMLInputElement} box
 * @param {TelemetryClient} client
 * @param {number} rate the page's sampling rate
 */
export function bindTelemetrySetting(box, client, rate) {
  const stored = () => {
    try {
      return localStorage.getItem(STORAGE_KEY) === 'on';
    } catch {
      return false; // storage blocked: the default, off
    }
  };
  box.checked = stored();
  client.setEnabled(box.checked, rate);
  box.addEventListener('change', () => {
    try {
      if (box.checked) localStorage.setItem(STORAGE_KEY, 'on');
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage blocked: the setting lasts as long as the page
    }
    client.setEnabled(box.checked, rate);
  });
}
