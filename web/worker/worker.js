// worker.js — the page's engine thread (a module worker). It owns the wasm engine: loads the
// network and recent history, gets a model (the server's model file, else trains one here from
// a longer history), ingests every live snapshot and posts current speeds and forecasts to the
// page as transferable typed arrays. The page never parses a snapshot or runs the model.
//
// Messages in:  { type: 'start', base, recentHours?, trainHours?, pollMs?, retryBaseMs?, retryMaxMs?, timeoutMs? }
//               { type: 'history', sensor, slots }
//               { type: 'trip', pairs: [[from, to], …], leaveMin? | arriveMin? }
//               { type: 'ping' } (the page's watchdog; answered with { type: 'pong' })
//               { type: 'stats' } (telemetry; answered with { type: 'stats', stats }: engine.stats())
// Messages out: see the WorkerMessage typedef in shared/types.js.

import { EVIDENCE, FlowcastError, createPredictor, wasmHeapBytes, wasmRuntime } from '../flowcast.js';
import { FeedConnection, fetchOptional, parseHistoryBinary } from './feed.js';
import { IncidentFeed } from './incidents.js';

/** History posted first: the chart's few hours plus the model's lags (25 slots of 5 min). */
const RECENT_HOURS = 4;
/** History the worker trains on when the server has no model file: one week covers every
 * day of the week once, enough for the time-of-day profiles (training ~1 s in wasm). */
const TRAIN_HOURS = 168;
/** Progress messages during training at most this often. */
const PROGRESS_MS = 100;

/** @type {import('../flowcast.js').Predictor | null} */
let engine = null;
let hasModel = false;
/** @type {FeedConnection | null} */
let feed = null;
/** @type {IncidentFeed | null} the feed's incidents, fetched again after each new snapshot */
let incidents = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let updateTimer;
/** Arrival time (Unix ms, this machine's clock) of the newest snapshot. */
let receivedAt = NaN;
/** Time of the newest committed data (Unix ms). */
let latestTs = NaN;
/** Tile mode (`?profiles=MB` on the page): the forecast in flight, shared by overlapping updates. */
let tileForecast = /** @type {Promise<import('../flowcast.js').Forecast> | null} */ (null);
let tileMode = false;

/** Until the first forecast is posted (or forecasts are given up): stages are also User Timing entries. */
let startingUp = true;
/** Per-stage timings in ms: the numbers the performance panel shows. */
const stages = /** @type {Record<string, { last: number, total: number, count: number, max: number }>} */ ({});

/**
 * @param {string} name
 * @param {number} ms
 */
function record(name, ms) {
  const s = (stages[name] ??= { last: 0, total: 0, count: 0, max: 0 });
  s.last = ms;
  s.total += ms;
  s.count++;
  s.max = Math.max(s.max, ms);
  // during start-up also a User Timing entry: the start-up benchmark adds up the worker's CPU
  // before the first forecast, which DevTools cannot slow down in a worker (bench/startup.js);
  // not after it, or a page left open would collect one per snapshot for good
  if (startingUp) performance.measure(`flowcast:${name}`, { start: performance.now() - ms, duration: ms });
}

/**
 * @template T
 * @param {string} name
 * @param {() => T} fn
 * @returns {T}
 */
function timed(name, fn) {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    record(name, performance.now() - t0);
  }
}

/**
 * @param {string} stage
 * @param {string} text
 * @param {number} [fraction] 0..1, or NaN when unknown
 */
function progress(stage, text, fraction = NaN) {
  postMessage({ type: 'progress', stage, text, fraction });
}

/**
 * Ingests history matrices row by row (rows with no reading at all are skipped: they carry
 * nothing and a gap is what the engine records for them anyway).
 * @param {import('../flowcast.js').Predictor} e
 * @param {import('./feed.js').HistoryMatrices} h
 * @returns {number} the newest row's time (Unix ms), NaN for none
 */
function ingestHistory(e, h) {
  const n = h.sensors.length;
  if (n !== e.sensorCount) throw new Error(`history has ${n} sensors, the network ${e.sensorCount}`);
  let last = NaN;
  for (let r = 0; r < h.rows; r++) {
    const speed = h.speedMph.subarray(r * n, (r + 1) * n);
    if (!speed.some((v) => v === v)) continue;
    const ts = h.startMs + (r + 1) * h.intervalS * 1000;
    const res = e.ingestValues(ts, speed, h.volumeVph?.subarray(r * n, (r + 1) * n), h.occupancy?.subarray(r * n, (r + 1) * n));
    if (res.ok) last = ts;
  }
  return last;
}

/**
 * The recent history, speeds only (`fields=speed`): forecasts and the chart read nothing else,
 * and the volume and occupancy planes would triple the bytes the first map waits for.
 * @param {string} base
 * @param {number} hours
 * @returns {Promise<import('./feed.js').HistoryMatrices | null>} null when the host has none
 */
async function fetchHistory(base, hours) {
  const t0 = performance.now();
  const r = await fetchOptional(`${base}history?hours=${hours}&fields=speed`, { headers: { accept: 'application/octet-stream' } });
  if (!r) return null;
  const h = parseHistoryBinary(await r.arrayBuffer());
  record('history fetch', performance.now() - t0);
  return h;
}

/**
 * The server's model file: `full` (weights, intervals and every profile), `window` (the same
 * model with only the profiles a forecast reads during the feed's current hour: a small file,
 * fetched first), or `none` (no profiles: tile mode).
 * @param {string} base
 * @param {'full' | 'window' | 'none'} [profiles]
 * @returns {Promise<ArrayBuffer | null>} null when there is none (or it cannot be had)
 */
async function fetchModel(base, profiles = 'full') {
  const query = { full: '', window: '?profiles=window', none: '?profiles=0' }[profiles];
  try {
    const r = await fetchOptional(`${base}model${query}`);
    return r ? await r.arrayBuffer() : null;
  } catch {
    return null; // unreachable, broken, or a server without window files: the caller goes on
  }
}

/**
 * One history profile tile from the feed (GET profiles/<group>/<daytype>), for tile mode.
 * @param {string} base
 * @param {string} group
 * @param {string} daytype
 */
async function fetchProfileTile(base, group, daytype) {
  const t0 = performance.now();
  const r = await fetch(`${base}profiles/${encodeURIComponent(group)}/${daytype}`);
  if (!r.ok) throw new Error(`profile tile ${group}/${daytype}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  record('profile tile fetch', performance.now() - t0);
  return bytes;
}

/** @param {number} ts Unix ms @returns {string} "08:15" in the network's time zone */
function localClock(ts) {
  const lt = /** @type {import('../flowcast.js').Predictor} */ (engine).localTime(ts);
  const hh = Math.floor(lt.minuteOfDay / 60), mm = lt.minuteOfDay % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
}

/** Posts the current speeds, and forecasts when a model is loaded, as transferables. */
async function postUpdate() {
  const e = engine;
  if (!e) return;
  const latest = timed('latest', () => e.latest());
  if (!Number.isFinite(latest.ts)) return;
  latestTs = latest.ts;
  /** @type {import('../shared/types.js').PageForecast | null} */
  let forecast = null;
  if (hasModel) {
    try {
      if (tileMode) {
        // profiles from tiles: fetched on demand, so the forecast is asynchronous
        const t0 = performance.now();
        const f = tileForecast ??= e.forecastAsync().finally(() => { tileForecast = null; });
        const shared = await f;
        // overlapping updates may share one forecast, and posting transfers (detaches) its arrays
        forecast = { ...shared, mid: shared.mid.slice(), lo: shared.lo.slice(), hi: shared.hi.slice(), evidence: shared.evidence.slice() };
        record('forecast', performance.now() - t0);
      } else {
        forecast = timed('forecast', () => e.forecast());
      }
    } catch (err) {
      forecastsUnavailable(err);
    }
  }
  const lt = e.localTime(latest.ts);
  /** @type {Transferable[]} */
  const transfer = [latest.speedMph.buffer];
  if (forecast) {
    // the page marks forecasts the engine estimated from neighbouring detectors (a sensor with no
    // evidence at all has NaN, which the page already shows as "no data")
    const estimated = forecast.evidence.map((v) => (v === EVIDENCE.neighbours ? 1 : 0));
    forecast = { ...forecast, estimated };
    transfer.push(forecast.mid.buffer, forecast.lo.buffer, forecast.hi.buffer, forecast.evidence.buffer, estimated.buffer);
  }
  // the start-up benchmark's cut-offs for "the bytes the first speeds / forecast wait for" (bench/startup.js)
  if (!performance.getEntriesByName('flowcast:speeds-posted').length) performance.mark('flowcast:speeds-posted');
  if (forecast && !performance.getEntriesByName('flowcast:forecast-posted').length) performance.mark('flowcast:forecast-posted');
  postMessage({
    type: 'update', ts: latest.ts, local: localClock(latest.ts), utcOffsetMin: lt.utcOffsetMin,
    intervalS: e.intervalS, receivedAt, speedMph: latest.speedMph, forecast,
    perf: await perfOf(e),
  }, transfer);
  incidents?.refresh();
}

/**
 * What the performance panel shows: the stage timings, the wasm heap, the route cache.
 * @param {import('../flowcast.js').Predictor} e
 * @returns {Promise<import('../shared/types.js').Perf>}
 */
async function perfOf(e) {
  return { stages, heapBytes: await wasmHeapBytes(), cache: e.cacheStats() };
}

/**
 * The timings alone, after a query (snapshots may be minutes apart).
 * @param {import('../flowcast.js').Predictor} e
 */
async function postPerf(e) {
  postMessage({ type: 'perf', perf: await perfOf(e) });
}

/** Coalesces the updates of a burst of snapshots (a catch-up page) into one. */
function queueUpdate() {
  clearTimeout(updateTimer);
  updateTimer = setTimeout(postUpdate, 0);
}

/**
 * @param {string | object} snapshot
 * @returns {number} its time, or NaN when rejected
 */
function ingestSnapshot(snapshot) {
  const e = /** @type {import('../flowcast.js').Predictor} */ (engine);
  const r = timed('ingest', () => e.ingest(snapshot));
  if (!r.ok) {
    // A snapshot we already hold (a resend after reconnecting) is not news.
    if (r.code !== 'E_TS_ORDER') postMessage({ type: 'rejected', code: r.code, message: r.message });
    return NaN;
  }
  receivedAt = Date.now();
  queueUpdate();
  return r.ts;
}

/**
 * Trains a model from a longer history in a second engine, so that the first keeps ingesting
 * live snapshots meanwhile, and moves the model over as a model file.
 * @param {string} base
 * @param {string} networkText
 * @param {number} hours
 */
async function trainHere(base, networkText, hours) {
  progress('train', 'Loading history to train the model…', 0);
  const h = await fetchHistory(base, hours);
  if (!h) throw new Error('the feed offers no model and no history to train one');
  const trainer = await createPredictor({ network: networkText });
  try {
    timed('history ingest', () => ingestHistory(trainer, h));
    let lastPost = 0;
    const t = await trainer.train({
      onProgress: (f) => {
        const now = performance.now();
        if (now - lastPost < PROGRESS_MS && f < 1) return;
        lastPost = now;
        progress('train', `Training the model… ${Math.round(f * 100)}%`, f);
      },
    });
    record('train', t.ms);
    const file = trainer.saveModel();
    const e = /** @type {import('../flowcast.js').Predictor} */ (engine);
    const loaded = timed('model load', () => e.loadModel(file));
    if (!loaded.ok) throw new Error(`${loaded.code}: ${loaded.message}`);
  } finally {
    trainer.dispose();
  }
}

/**
 * The network document, retried with backoff while the feed is unreachable (a page opened
 * during an outage starts by itself when the feed returns).
 * @param {string} base
 * @param {number} retryBaseMs
 * @param {number} retryMaxMs
 */
async function fetchNetwork(base, retryBaseMs, retryMaxMs) {
  for (let failures = 0; ; failures++) {
    const r = await fetch(`${base}network`).catch(() => null); // null: unreachable
    if (r?.ok) return r.text();
    // not a passing outage (the text is what embeds read: web/embed/errors.js)
    if (r && r.status < 500) throw new FlowcastError('E_HTTP', `network: HTTP ${r.status}`);
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** failures);
    progress('network', `The feed is unreachable: retrying in ${Math.round(delay / 1000)} s…`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * @param {{ base: string, recentHours?: number, trainHours?: number, pollMs?: number,
 *   retryBaseMs?: number, retryMaxMs?: number, timeoutMs?: number, profileCacheBytes?: number }} cfg
 *   profileCacheBytes > 0: tile mode with that cap (profiles fetched from the feed on demand)
 */
async function start(cfg) {
  const base = cfg.base;
  progress('network', 'Loading the network…');
  // Speeds first (PERFORMANCE.md §20, §25): what the first coloured map needs travels first and
  // alone — the wasm compiles while the network and the recent speeds download — and nothing
  // large shares the phone's link until the current speeds are posted. Only then the model: a
  // small window file first (the profiles of the current hour: the first forecast), the full
  // file after it in the background.
  // The recent speeds are asked for with the network, not after it: on a phone's link that is a
  // round trip and the network's transfer earlier (PERFORMANCE.md §26). A first try that failed
  // (the feed was down: the network is retried until it is back) is tried once more.
  wasmRuntime().catch(() => {}); // a failed compile is retried by createPredictor, which reports it
  const recentHours = cfg.recentHours ?? RECENT_HOURS;
  const firstTry = fetchHistory(base, recentHours);
  firstTry.catch(() => {}); // a failure is handled below, once the network has come
  const networkText = await fetchNetwork(base, cfg.retryBaseMs ?? 1000, cfg.retryMaxMs ?? 30000);
  // The network to draw while the wasm is still on its way (PERFORMANCE.md §40): the page may
  // build its map from it but shows that map only once the engine has accepted the same network
  // (the 'network' message below). Text that is not JSON is the engine's to report.
  let draft = null;
  try { draft = JSON.parse(networkText); } catch { /* refused below, with the engine's message */ }
  if (draft) postMessage({ type: 'network-draft', network: draft });
  const recentFile = firstTry.catch(() => fetchHistory(base, recentHours));
  recentFile.catch(() => {}); // awaited below; not an unhandled rejection if creation fails first
  engine = await createPredictor({ network: networkText });
  // the draft's network (parsed once): the page shows the map it drew from it
  postMessage({ type: 'network', network: draft ?? JSON.parse(networkText) });
  incidents = new IncidentFeed({ base, engine, localClock, post: (m) => postMessage(m) });

  progress('history', 'Loading recent history…');
  const recent = await recentFile;
  const e = engine;
  const lastTs = recent ? timed('history ingest', () => ingestHistory(e, recent)) : NaN;
  if (Number.isFinite(lastTs)) receivedAt = Date.now();
  await postUpdate();

  feed = new FeedConnection({
    base, onSnapshot: ingestSnapshot, pollMs: cfg.pollMs, retryBaseMs: cfg.retryBaseMs, retryMaxMs: cfg.retryMaxMs,
    timeoutMs: cfg.timeoutMs,
    onState: (s) => postMessage({ type: 'feed', ...s }),
  }, lastTs);
  feed.start();

  progress('model', 'Loading the forecast model…');
  // tile mode needs only the weights: the profiles come as tiles
  const tiles = (cfg.profileCacheBytes ?? 0) > 0;
  if (tiles ? await loadTileModel(base, /** @type {number} */ (cfg.profileCacheBytes)) : await loadServerModel(base)) {
    hasModel = true;
  } else {
    try {
      await trainHere(base, networkText, cfg.trainHours ?? TRAIN_HOURS);
      hasModel = true;
    } catch (err) {
      forecastsUnavailable(err);
      startingUp = false;
      return;
    }
  }
  progress('ready', 'Forecasts ready', 1);
  await postUpdate();
  startingUp = false;
  // the full model file only now: nothing large shares the link with the first forecast
  afterFirstForecast?.();
  afterFirstForecast = null;
}

/** @type {(() => void) | null} what waits for the first forecast to be posted (the full model file) */
let afterFirstForecast = null;

/**
 * Loads the server's model: the window file for the first forecast, then the full file in the
 * background (it replaces the window's model when it arrives; forecasts for the current hour do
 * not change). A server without window files sends the full file at once.
 * @param {string} base
 * @returns {Promise<boolean>} whether a model is loaded
 */
async function loadServerModel(base) {
  const e = /** @type {import('../flowcast.js').Predictor} */ (engine);
  const load = (/** @type {ArrayBuffer | null} */ file, /** @type {string} */ stage) => (file ? timed(stage, () => e.loadModel(file)).ok : false);
  if (load(await fetchModel(base, 'window'), 'model window load')) {
    afterFirstForecast = () => fetchModel(base, 'full').then((file) => {
      if (!load(file, 'model load')) console.warn('flowcast: the full model file did not load; forecasts stay on the current hour\'s profiles');
    });
    return true;
  }
  return load(await fetchModel(base, 'full'), 'model load');
}

/**
 * Tile mode: the model without profiles, which come from the feed's profile tiles on demand;
 * the full file when tiles cannot be used.
 * @param {string} base
 * @param {number} maxBytes the tile cache's cap
 * @returns {Promise<boolean>} whether a model is loaded
 */
async function loadTileModel(base, maxBytes) {
  const e = /** @type {import('../flowcast.js').Predictor} */ (engine);
  const file = await fetchModel(base, 'none');
  if (!file || !timed('model load', () => e.loadModel(file)).ok) return false;
  try {
    e.useProfileTiles({ maxBytes, fetchTile: (group, daytype) => fetchProfileTile(base, group, daytype) });
    tileMode = true;
    return true;
  } catch (err) { // a model without profiles cannot forecast alone: load the full file
    console.warn(`flowcast: profile tiles not used: ${/** @type {Error} */ (err).message}`);
    const full = await fetchModel(base, 'full');
    return full ? timed('model load', () => e.loadModel(full)).ok : false;
  }
}

/**
 * One sensor's speed history for the details chart.
 * @param {number} sensor index
 * @param {number} slots
 */
function postHistory(sensor, slots) {
  const e = engine;
  if (!e) return;
  const speed = timed('history query', () => e.speedHistory(sensor, slots));
  postMessage({ type: 'history', sensor, ts: latestTs, intervalS: e.intervalS, speedMph: speed }, [speed.buffer]);
  postPerf(e);
}

/**
 * A trip query between two places: each place is every carriageway's station there, and the
 * engine answers each (from, to) pair; the shortest real trip is the one meant (the right
 * carriageway, not a loop the wrong way round). `leaveMin`: leave that many minutes after the
 * newest data; or `arriveMin`: arrive by then, leaving as late as the forecast allows. Errors
 * carry the engine's code; the page words them for people.
 * @param {{ id?: number, pairs: [string, string][], leaveMin?: number, arriveMin?: number }} q
 *   id: echoed, so the page can drop an answer to an older question
 */
function postTrip(q) {
  const e = engine;
  if (!e) return;
  if (!hasModel) {
    postMessage({ type: 'trip', id: q.id, code: 'E_STATE', error: 'no model yet' });
    return;
  }
  const t0 = performance.now();
  try {
    const arriving = typeof q.arriveMin === 'number';
    const departAt = latestTs + (arriving ? 0 : q.leaveMin ?? 0) * 60000;
    /** @type {{ from: string, to: string, trip: import('../flowcast.js').TravelTime } | null} */
    let chosen = null;
    /** @type {unknown} */
    let firstError = null;
    for (const [from, to] of q.pairs) {
      try {
        const trip = e.travelTime({ from, to, departAt });
        if (!chosen || trip.distanceMi < chosen.trip.distanceMi - 1e-6) chosen = { from, to, trip };
      } catch (err) {
        firstError ??= err;
      }
    }
    if (!chosen) throw firstError ?? new Error('no pairs');
    const { from, to } = chosen;
    let trip = chosen.trip;
    const best = e.bestDeparture({ from, to });
    /** @type {{ at: string, inMin: number, arriveAt: string, lateMin: number } | undefined} */
    let arrive;
    if (arriving) {
      // the latest departure that still arrives in time, else the one that arrives first
      const by = latestTs + /** @type {number} */ (q.arriveMin) * 60000;
      const end = (/** @type {{ departAt: number, minutes: number }} */ d) => d.departAt + d.minutes * 60000;
      const ok = best.departures.filter((d) => end(d) <= by);
      const pick = ok.length ? ok[ok.length - 1] : best.departures.reduce((a, b) => (end(b) < end(a) ? b : a));
      trip = e.travelTime({ from, to, departAt: pick.departAt });
      arrive = { at: localClock(by), inMin: Math.round((pick.departAt - latestTs) / 60000), arriveAt: localClock(end(pick)), lateMin: Math.max(0, (end(pick) - by) / 60000) };
    }
    record('route query', performance.now() - t0);
    postMessage({
      type: 'trip', id: q.id, from, to, arrive,
      leave: localClock(trip.departAt), minutes: trip.minutes, low: trip.low, high: trip.high,
      distanceMi: trip.distanceMi, freeFlowMinutes: trip.freeFlowMinutes, delayMinutes: trip.delayMinutes,
      estimatedSegments: trip.estimatedSegments,
      best: { at: localClock(best.best.departAt), inMin: Math.round((best.best.departAt - latestTs) / 60000), minutes: best.best.minutes, savesMinutes: best.savesMinutes },
      path: trip.segments.map((/** @type {{ from: string, to: string }} */ s) => [s.from, s.to]),
    });
  } catch (err) {
    postMessage({ type: 'trip', id: q.id, code: /** @type {{ code?: string }} */ (err)?.code ?? 'E_INTERNAL', error: err instanceof Error ? err.message : String(err) });
  }
  postPerf(e);
}

/**
 * Forecasts failed: the page says so in plain words and keeps drawing current speeds; the
 * engine's own message is for the console.
 * @param {unknown} err
 */
function forecastsUnavailable(err) {
  console.warn('forecasts unavailable:', err);
  progress('error', 'Forecasts are unavailable just now; current speeds still show.');
}

/**
 * The engine could not start: the technical text (what embeds show developers and the page logs)
 * and what failed, as a code the page turns into a commuter's words: the engine's status name
 * (E_NETWORK: it refused the feed's network), E_HTTP (the feed refused the network request),
 * E_LOAD (the wasm did not download), E_WASM (this browser cannot compile or link it), E_START.
 * @param {unknown} err
 */
function postFatal(err) {
  const e = /** @type {{ code?: unknown, name?: unknown, message?: unknown }} */ (err ?? {});
  const code = typeof e.code === 'string' ? e.code
    : e.name === 'CompileError' || e.name === 'LinkError' ? 'E_WASM' : 'E_START';
  const text = `Could not start: ${err instanceof Error ? err.message : String(err)}`;
  postMessage({ type: 'progress', stage: 'fatal', text, fraction: NaN, code });
}

self.onmessage = (/** @type {MessageEvent} */ ev) => {
  const m = ev.data;
  if (m.type === 'start') {
    start(m).catch(postFatal);
  } else if (m.type === 'history') {
    postHistory(m.sensor, m.slots);
  } else if (m.type === 'trip') {
    postTrip(m);
  } else if (m.type === 'ping') {
    postMessage({ type: 'pong' }); // the page's watchdog
  } else if (m.type === 'stats') {
    postMessage({ type: 'stats', stats: engine ? engine.stats() : null }); // shared/telemetry.js
  }
};
