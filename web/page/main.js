// main.js — the page: takes over the engine worker boot.js started, draws what it posts. The
// worker does every fetch, parse, ingest, training and forecast; this thread only recolours the
// map, updates the panels and asks the worker for a segment's history.
//
// URL parameters: those of boot.js (`feed`, `retry`, `timeout`, `profiles`, `watchdog`), and
// `tiles` (a tile URL template, or "none"; default OpenStreetMap). The view itself lives in the
// URL too (url-state.js: `h`, `seg`, `from`, `to`), so a link restores what it showed.
//
// A worker that fails (its `error` event) or stops answering is terminated and a new one started
// after a backoff; it rebuilds its state from the server as on first load while the last good
// forecasts stay drawn and the status line says "Restarting the engine…".
//
// A visit draws the last update the previous one drew (last-forecast.js) as soon as it is read,
// labelled with its age, and replaces it when live data comes; without a connection that is
// what stays, with "Offline" in the status line. The service worker (service-worker.js, built
// to sw.js) keeps the page's files for that.

import { createEngineWorker, firstWorker, settings } from './boot.js';
import { applySpeedColors, renderLegend } from '../shared/colors.js';
import { horizonStep } from '../shared/segments.js';
import { DetailsPanel, HISTORY_SLOTS } from './details.js';
import { IncidentsView } from './incidents.js';
import { OSM_ATTRIBUTION, OSM_TILES, SegmentMap } from './map.js';
import { PerfPanel, ProgressView, StatusLine } from './panels.js';
import { TelemetryClient, bindTelemetrySetting } from '../shared/telemetry.js';
import { TripPlanner } from './trip.js';
import { ViewHistory } from './url-state.js';
import { SavedCommute, askTrip, tripEnds } from './commute.js';
import { addHitAreas } from './hit-areas.js';
import { addRoadMarks } from './map-labels.js';
import { showCityPicker } from './city-picker.js';
import { keepNetworkInView, revealAboveSheet } from './network-view.js';
import { LastForecastStore } from './last-forecast.js';
import { REFUSED_WHY, cannotStart } from './engine-words.js';
import { MapDraft, sameNetwork } from './map-draft.js';

/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */
/** @typedef {import('../flowcast.js').Forecast} Forecast */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const { base, retryBaseMs, watchdogMs } = settings;
const tileParam = new URLSearchParams(location.search).get('tiles');
const tileUrl = tileParam ?? document.documentElement.dataset.tiles ?? OSM_TILES;

const status = new StatusLine($('updated'), $('stale'), $('map'));
const progress = new ProgressView($('progress'), /** @type {HTMLProgressElement} */ ($('progress-bar')), $('progress-text'));
const perf = new PerfPanel(/** @type {HTMLButtonElement} */ ($('perf-toggle')), $('perf'));
const slider = /** @type {HTMLInputElement} */ ($('horizon'));
const sliderOut = /** @type {HTMLOutputElement} */ ($('horizon-out'));
applySpeedColors(document.documentElement);
renderLegend($('legend'));
// Opt-in performance beacons (telemetry.js): off until the box in the performance panel is ticked.
const telemetry = new TelemetryClient({ url: `${base}telemetry`, embed: false, requestStats: () => worker.postMessage({ type: 'stats' }) });
bindTelemetrySetting(/** @type {HTMLInputElement} */ ($('telemetry-opt')), telemetry, Number(document.documentElement.dataset.telemetryRate ?? 1));
// What is wrong with the feed, beside the stale warning: the last error, or a snapshot refused.
const feedDetail = document.createElement('span');
feedDetail.id = 'feed-detail';
feedDetail.className = 'stale';
feedDetail.hidden = true;
$('status').append(feedDetail);
addEventListener('online', renderFeedDetail);
addEventListener('offline', renderFeedDetail);
/** Unix ms of the last refused snapshot (cleared by the next good one). */
let refusedAt = NaN;
let refusedText = '';
let feedErrorText = '';
let engineText = '';
function renderFeedDetail() {
  // offline, the status line says so in plain words: the failed requests' errors add nothing
  const offline = navigator.onLine === false;
  const text = engineText || [refusedText, offline ? '' : feedErrorText].filter(Boolean).join(' ');
  if (feedDetail.textContent !== text) feedDetail.textContent = text;
  feedDetail.hidden = !text;
}

/** @type {SegmentMap | null} */
let map = null;
/** @type {import('../shared/types.js').Network | null} */
let network = null;
/** @type {Float32Array | null} */
let speeds = null;
/** @type {import('../shared/types.js').PageForecast | null} */
let forecast = null;
let utcOffsetMin = 0;
/** The newest data: its time (Unix ms), network-local clock ("17:05") and when this page first saw it (this page's clock). */
let dataTs = NaN;
let dataLocal = '';
/** The network-local time the forecast drawn was made from ("17:00": it may be older than the speeds). */
let forecastLocal = '';
/** True while the update drawn is the one an earlier visit kept (no live data yet). */
let savedShown = false;
/** True once the worker's own forecast is drawn (trips can be asked). */
let liveForecast = false;
/** The last update drawn, kept on this device for the next visit (last-forecast.js). */
const lastForecast = new LastForecastStore(base);
let swRegistered = false;
let dataSeenAt = NaN;

/** @type {Worker} */
let worker;
/** When the current worker last posted anything (Unix ms). */
let lastHeard = 0;
/** Restarts since the engine was last ready (the backoff exponent). */
let restarts = 0;
let restarting = false;

/**
 * Listens to a worker: the first one boot.js started (its early messages replayed in order), or
 * a new one after a restart.
 * @param {Worker} w
 * @param {WorkerMessage[]} [early] what it posted before the page listened
 * @param {string} [failed] its error before the page listened
 */
function adoptWorker(w, early = [], failed = '') {
  worker = w;
  restarting = false;
  lastHeard = Date.now();
  w.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => {
    if (worker !== w) return;
    lastHeard = Date.now();
    onWorker(ev.data);
  };
  w.onerror = (ev) => {
    ev.preventDefault();
    if (worker === w) restartWorker(`the engine worker failed: ${ev.message}`);
  };
  for (const m of early.splice(0)) onWorker(m);
  if (failed) restartWorker(`the engine worker failed: ${failed}`);
}

function startWorker() {
  adoptWorker(createEngineWorker());
}

/** @param {string} why */
function restartWorker(why) {
  if (restarting) return;
  restarting = true;
  console.warn(`restarting: ${why}`);
  worker.terminate();
  draft.drop(); // it was that worker's: the next one's 'network' says nothing of it
  // a trip it was asked and did not answer never will be: say so rather than "Computing…" for ever
  if (trip.awaiting) unanswerable(trip.awaiting);
  const delay = Math.min(30000, (retryBaseMs ?? 1000) * 2 ** restarts++);
  engineText = 'Restarting the engine…';
  renderFeedDetail();
  document.documentElement.dataset.engine = 'restarting';
  setTimeout(startWorker, delay);
}

// the worker boot.js started, before any of this module's other imports had arrived; the page's
// message handler is only defined further down, so it is adopted at the end of this module
// The watchdog: the worker answers pings; one silent for `watchdogMs` while the page is visible
// (hidden pages' timers are throttled) is hung or gone.
setInterval(() => {
  if (restarting) return;
  if (document.visibilityState !== 'visible') {
    lastHeard = Date.now();
    return;
  }
  if (Date.now() - lastHeard > watchdogMs) restartWorker(`no answer from the engine worker for ${Math.round(watchdogMs / 1000)} s`);
  else worker.postMessage({ type: 'ping' });
}, Math.max(250, watchdogMs / 4));

/** @returns {number} the horizon step chosen (0 = now) */
const horizon = () => Number(slider.value);

/** @param {number} step a forecast step (> 0) */
const minutesAhead = (step) => Math.round((step * (forecast?.intervalS ?? 300)) / 60);

/**
 * The horizon's label, relative to the data's time rather than "now", which old data is not.
 * @param {number} step
 */
function horizonText(step) {
  if (!dataLocal) return 'now';
  if (step === 0 || !forecast) return `${dataLocal} (latest data)`;
  return `+${minutesAhead(step)} min from ${forecastLocal}`;
}

/**
 * The value a sensor shows at the chosen horizon.
 * @param {number} sensor
 */
function valueAt(sensor) {
  const h = horizon();
  if (h === 0 || !forecast) return speeds ? speeds[sensor] : NaN;
  return forecast.mid[sensor * forecast.horizons + h - 1];
}

function draw() {
  if (!map || !speeds) return;
  const t0 = performance.now();
  const h = horizon();
  map.recolor(speeds, valueAt, h > 0 && forecast ? `in ${minutesAhead(h)} min` : '',
    (sensor) => h > 0 && forecast?.estimated?.[sensor] === 1);
  perf.record('draw', performance.now() - t0);
  updateDetailsNumbers();
}

function updateSlider() {
  const text = horizonText(horizon());
  slider.setAttribute('aria-valuetext', text);
  sliderOut.textContent = text;
}

slider.addEventListener('input', () => {
  updateSlider();
  draw();
  views.replace({ horizonMin: minutesAhead(horizon()) });
});


/** The back and forward buttons land on a view: show it. */
const views = new ViewHistory((view) => showView(view));
/** @type {SavedCommute | null} */
let commute = null;

/**
 * Shows a view read from the address bar: what a shared link, or the back button, asks for.
 * Parts the page is not ready for yet (no forecast for the horizon, no map for the segment)
 * are shown when it is (the `network` and first `update` messages call this again).
 * @param {import('./url-state.js').ViewState} view
 */
function showView(view) {
  const step = horizonStep(forecast, view.horizonMin);
  if (forecast && horizon() !== step) {
    slider.value = String(step);
    updateSlider();
    draw();
  }
  if (map && network) {
    const sensors = network.sensors;
    const index = view.segment ? map.segments.findIndex((seg) => sensors[seg.sensor].id === view.segment) : -1;
    if (index < 0) details.close();
    else if (index !== map.selected) map.select(index, 'pointer');
  }
  const ends = tripEnds(tripForm);
  if (liveForecast && view.from && view.to && (view.from !== ends.from || view.to !== ends.to)) askForCommuter(view);
}

/** True while the page itself fills in the trip form (a link, the saved commute): no history step. */
let pageAsks = false;

/** @param {import('./commute.js').TripEnds} ends */
function askForCommuter(ends) {
  pageAsks = true;
  try {
    askTrip(tripForm, ends);
  } finally {
    pageAsks = false;
  }
}

const details = new DetailsPanel($('details'), {
  onClose: () => {
    map?.clearSelection();
    map?.focusSegment();
    views.push({ segment: '' });
  },
  // the panel closes so that the map is free for the other end, which keeps the chosen one
  // marked as a route is; once both ends are there the trip is asked, and its answer brought
  // into view (below the map on a phone)
  onTripEnd: (end, seg) => {
    const net = network;
    if (!net) return;
    details.close();
    if (trip.setEnd(end, net.sensors[seg.sensor])) tripForm.scrollIntoView({ block: 'nearest' });
    else map?.highlightRoute([[net.sensors[seg.sensor].id, net.sensors[seg.next].id]], { fit: false });
  },
});

function updateDetailsNumbers() {
  const seg = details.segment;
  if (!seg || !speeds) return;
  const h = horizon();
  if (h === 0 || !forecast) {
    details.setNumbers(speeds[seg.sensor], '');
    return;
  }
  const i = seg.sensor * forecast.horizons + h - 1;
  details.setNumbers(speeds[seg.sensor], horizonText(h), forecast.mid[i], forecast.lo[i], forecast.hi[i],
    forecast.estimated?.[seg.sensor] === 1);
}

const tripForm = /** @type {HTMLFormElement} */ ($('trip'));
// the feed's incidents: map markers, the list, a line in details and in trip answers (incidents.js)
const incidents = new IncidentsView($('incidents'), /** @type {HTMLElement} */ ($('details').querySelector('[data-field="incident"]')),
  /** @type {HTMLElement} */ (tripForm.querySelector('[data-field="result"]')));
const trip = new TripPlanner(tripForm, {
  onQuery: (q) => {
    commute?.setAnswered(false);
    if (pageAsks) views.replace(tripEnds(tripForm));
    else views.push(tripEnds(tripForm));
    if (restarting) unanswerable(q.id); // no worker to ask until the new one starts
    else worker.postMessage({ type: 'trip', ...q });
  },
  onClear: () => map?.highlightRoute([]),
});

/**
 * Answers trip question `id` as the engine does while it loads (E_STATE: "… still loading. Try
 * again in a moment."), through the same path as the worker's answers.
 * @param {number} id
 */
function unanswerable(id) {
  onWorker({ type: 'trip', id, code: 'E_STATE', error: 'the engine is restarting' });
}

/** @param {import('./map.js').Segment} seg */
function requestHistory(seg) {
  worker.postMessage({ type: 'history', sensor: seg.sensor, slots: HISTORY_SLOTS });
}

/**
 * Runs work the page can do later: when the main thread is idle, within a second (a browser
 * without idle callbacks runs it after the tasks already queued).
 * @param {() => void} fn
 */
const whenIdle = (fn) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => fn(), { timeout: 1000 }) : setTimeout(fn, 0));

/**
 * The network's map in #map.
 * @param {import('../shared/types.js').Network} net
 * @param {boolean} hidden drawn but not shown (a draft: map-draft.js)
 */
function newSegmentMap(net, hidden) {
  const notice = $('tile-notice');
  const m = new SegmentMap($('map'), net, {
    tileUrl,
    attribution: tileParam ? '' : OSM_ATTRIBUTION,
    hidden,
    onTiles: (failed) => { notice.hidden = !failed; },
    onSelect: (seg) => {
      details.show(seg, net.sensors[seg.sensor], net.corridors[seg.corridor] ?? null);
      incidents.showSegment(seg);
      updateDetailsNumbers();
      requestHistory(seg);
      revealAboveSheet(m, seg, $('details'));
      views.push({ segment: net.sensors[seg.sensor].id });
    },
  });
  return m;
}

/** The map drawn while the engine loads, shown once it accepts the network (map-draft.js). */
const draft = new MapDraft(newSegmentMap);

/**
 * Draws the network's map and sets up what depends on it: for the worker's network, or for the
 * one an earlier visit kept.
 * @param {import('../shared/types.js').Network} net
 * @param {boolean} [fromWorker] the worker's network (see MapDraft.take), not the kept one
 */
function showNetwork(net, fromWorker = false) {
  network = net;
  const m = draft.take(net, fromWorker) ?? newSegmentMap(net, false);
  map = m;
  incidents.setMap(m, net);
  // the touch targets and the road shields are not what the first coloured map needs: they are
  // added once the main thread is idle, after the speeds already queued are drawn (on a slow
  // phone they cost a third of drawing the network: PERFORMANCE.md §26)
  whenIdle(() => { addHitAreas(m); addRoadMarks(m); });
  whenIdle(() => { showCityPicker(/** @type {HTMLSelectElement} */ ($('city')), settings); });
  keepNetworkInView(m, $('map'));
  document.documentElement.dataset.segments = String(m.segments.length);
  trip.setNetwork(net, net.interval_s / 60);
  whenIdle(() => trip.warm());
  showPlace(net);
  commute = new SavedCommute($('commute'), net.id, () => (tripForm.dataset.result === 'ok' ? tripEnds(tripForm) : null));
  showView(views.current);
}

/**
 * Draws an update: the worker's, or (`saved`) the one an earlier visit kept, which is labelled
 * with its age until live data replaces it.
 * @param {Omit<Extract<WorkerMessage, { type: 'update' }>, 'type' | 'perf'> & { perf?: import('../shared/types.js').Perf }} m
 * @param {import('./last-forecast.js').SavedUpdate | null} saved the same update, when it is the kept one
 */
function showUpdate(m, saved) {
  speeds = m.speedMph;
  if (m.forecast) {
    if (!forecast) {
      slider.disabled = false;
      $('horizon-note').hidden = true;
    }
    forecast = m.forecast;
    forecastLocal = m.local;
    slider.max = String(forecast.horizons);
  }
  utcOffsetMin = m.utcOffsetMin;
  // the age is measured on this page's clock from when newer data first reached it (a
  // restarted worker's or a new model's update of the same data is not news), a kept update's
  // from when the visit that kept it first saw it
  if (saved) {
    dataTs = m.ts;
    dataSeenAt = saved.seenAt;
  } else if (m.ts !== dataTs) {
    dataTs = m.ts;
    dataSeenAt = Date.now();
  }
  savedShown = saved !== null;
  dataLocal = m.local;
  status.setData(m.local, dataSeenAt, m.intervalS, saved ? (m.forecast ? 'forecast' : 'speeds') : '');
  if (engineText && m.forecast && !saved) {
    engineText = '';
    delete document.documentElement.dataset.engine;
    renderFeedDetail();
  }
  if (m.receivedAt > refusedAt) {
    refusedAt = NaN;
    refusedText = '';
    renderFeedDetail();
  }
  if (m.perf) perf.setWorker(m.perf);
  updateSlider();
  draw();
  if (details.segment && !saved) requestHistory(details.segment);
  document.documentElement.dataset.ready = forecast ? 'forecast' : 'speeds';
  document.documentElement.dataset.shown = saved ? 'saved' : 'live';
  if (!saved && m.forecast) onLiveForecast();
  else if (saved && m.forecast) showView(views.current); // the horizon a link asks for; its trip waits for the engine
}

/**
 * The engine's update of the very data the kept forecast was drawn from, while that is shown
 * (see the 'update' case), or null.
 * @type {Extract<WorkerMessage, { type: 'update' }> | null}
 */
let sameAsKept = null;

/**
 * The feed has answered and has nothing newer than the kept forecast: the engine's own update
 * of the same data is shown in its place, labelled as live data ("Updated 08:35", its age still
 * counted from when the kept one was first seen), rather than "Kept from your last visit:
 * updating…" until the feed's next snapshot, which on a 5-minute feed can be minutes away.
 */
function confirmKept() {
  const m = sameAsKept;
  sameAsKept = null;
  if (m && savedShown && m.ts === dataTs) showUpdate(m, null);
}

/** The engine's first forecast: trips can be asked now. */
function onLiveForecast() {
  if (liveForecast) return;
  liveForecast = true;
  registerServiceWorker();
  // the horizon and trip a link asks for need the forecast; else the saved commute's trip
  const view = views.current;
  const ends = commute?.ends;
  if (!(view.from && view.to) && ends) askForCommuter(ends);
  showView(view);
}

/** @param {WorkerMessage} m */
function onWorker(m) {
  telemetry.onMessage(m);
  switch (m.type) {
    case 'network-draft':
      if (!map) draft.draw(m.network);
      break;
    case 'network':
      lastForecast.setNetwork(m.network);
      if (map && network && !sameNetwork(network, m.network)) {
        // the map was drawn for the network an earlier visit kept, and the feed's has changed since:
        // a fresh page, without the kept forecast, draws the new one
        console.warn('flowcast: the network changed since the forecast kept on this device; reloading');
        lastForecast.clear().then(() => location.reload());
        break;
      }
      // a restarted worker sends the network again: the map drawn for it stays
      if (!map) showNetwork(m.network, true);
      break;
    case 'progress':
      progress.set(m.stage, m.stage === 'fatal' ? cannotStart(m.code, m.text) : m.text, m.fraction);
      if (m.stage === 'fatal' && !Number.isFinite(dataTs)) {
        // nothing is connecting, and no forecast is coming: the message above says what happened
        status.engineFailed();
        $('horizon-note').hidden = true;
      }
      if (m.stage === 'ready' || m.stage === 'error') registerServiceWorker(); // also without a forecast
      if (m.stage === 'ready') restarts = 0;
      if (engineText && (m.stage === 'error' || m.stage === 'fatal')) { // restarted, but it cannot forecast: say so instead
        engineText = '';
        delete document.documentElement.dataset.engine;
        renderFeedDetail();
      }
      break;
    case 'update':
      // never a step back: a worker started offline from the copies the service worker kept
      // computes from older data than the forecast this page drew from its own copy
      // (nor is the same data news: what is shown stays labelled as kept, with its age, until
      // the feed answers: then it is the feed's latest, and no longer "updating…")
      if (savedShown && m.ts <= dataTs) {
        if (m.forecast) onLiveForecast();
        sameAsKept = m.ts === dataTs && m.forecast ? m : null;
        if (sameAsKept && status.feed?.state === 'live') confirmKept();
        break;
      }
      showUpdate(m, null);
      // the kept update: the newest with its own forecast (speeds alone only until there is one)
      if (m.forecast || !forecast) {
        lastForecast.save({ ts: m.ts, local: m.local, utcOffsetMin: m.utcOffsetMin, intervalS: m.intervalS,
          receivedAt: m.receivedAt, speedMph: m.speedMph, forecast: m.forecast, seenAt: dataSeenAt });
      }
      break;
    case 'history': {
      const seg = details.segment;
      if (!seg || seg.sensor !== m.sensor) break;
      const H = forecast?.horizons ?? 0;
      const at = seg.sensor * H;
      details.setChart({
        ts: m.ts, intervalS: m.intervalS, utcOffsetMin, speedMph: m.speedMph,
        forecast: forecast ? { mid: forecast.mid.subarray(at, at + H), lo: forecast.lo.subarray(at, at + H), hi: forecast.hi.subarray(at, at + H) } : null,
      }).then(() => { $('details').dataset.chart = 'ready'; });
      break;
    }
    case 'feed':
      status.setFeed(m);
      if (m.state === 'live') confirmKept(); // its catch-up answered: the data shown is the feed's latest
      feedErrorText = m.state === 'down' ? `Last error: ${m.error}. Next attempt in ${Math.max(1, Math.round(m.retryInMs / 1000))} s.` : '';
      renderFeedDetail();
      break;
    case 'perf':
      perf.setWorker(m.perf);
      break;
    case 'trip':
      if (trip.show(m)) {
        const failed = 'code' in m;
        commute?.setAnswered(!failed);
        map?.highlightRoute(failed ? [] : m.path);
        incidents.showTrip(failed ? null : m.path);
      }
      break;
    case 'incidents':
      incidents.update(m);
      break;
    case 'rejected':
      console.warn(`snapshot rejected: ${m.code}: ${m.message}`);
      refusedAt = Date.now();
      refusedText = `Ignored a snapshot the feed sent (${REFUSED_WHY[m.code] ?? 'it failed the checks'}); showing the last good data.`;
      renderFeedDetail();
      break;
  }
}

/**
 * Says which network this is (its name, e.g. "Atlanta I-75 and I-285") and whether its feed is
 * simulated, as the network document declares (docs/FORMATS.md).
 * @param {import('../shared/types.js').Network} net
 */
function showPlace(net) {
  const name = net.name ?? net.id;
  $('place').textContent = name;
  $('simulated').hidden = net.simulated !== true;
  document.title = `flowcast — ${name}${net.simulated ? ' (simulated data)' : ''}`;
}

/**
 * The service worker (web/page/service-worker.js, built to sw.js at the site's root so that its
 * scope is the page's) keeps the page's files and its last data for a visit without a
 * connection (docs/OPERATING.md, "Caching"). Registered once the first forecast is drawn, so
 * that what it downloads does not share a slow link with the start-up; only by the built page,
 * whose files it knows.
 */
function registerServiceWorker() {
  if (swRegistered || typeof FLOWCAST_SERVICE_WORKER !== 'string' || !('serviceWorker' in navigator)) return;
  swRegistered = true;
  navigator.serviceWorker.register(FLOWCAST_SERVICE_WORKER)
    .catch((err) => console.warn(`flowcast: no service worker, so no offline copy: ${err.message}`));
}

// The last update an earlier visit drew, at once (live data that came first wins).
lastForecast.load().then((kept) => {
  if (!kept || Number.isFinite(dataTs)) return;
  if (!map) showNetwork(kept.network);
  else if (!network || !sameNetwork(network, kept.network)) return;
  lastForecast.setNetwork(kept.network);
  showUpdate(kept.update, kept.update);
});

adoptWorker(firstWorker.worker, firstWorker.early, firstWorker.failed);
