// main.js — the page: starts the engine worker, draws what it posts. The worker does every
// fetch, parse, ingest, training and forecast; this thread only recolours the map, updates the
// panels and asks the worker for a segment's history.
//
// URL parameters: `feed` (API base URL, default "api/v1/" beside the page), `tiles` (a tile URL
// template, or "none"; default OpenStreetMap), `retry` (first retry delay in ms after a feed
// failure, default 1000).

import { renderLegend } from './colors.js';
import { DetailsPanel, HISTORY_SLOTS } from './details.js';
import { OSM_ATTRIBUTION, OSM_TILES, SegmentMap } from './map.js';
import { PerfPanel, ProgressView, StatusLine } from './panels.js';
import { TripPlanner } from './trip.js';

/** @typedef {import('./types.js').WorkerMessage} WorkerMessage */
/** @typedef {import('../flowcast.js').Forecast} Forecast */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const params = new URLSearchParams(location.search);
const base = new URL(params.get('feed') ?? 'api/v1/', document.baseURI).href.replace(/\/?$/, '/');
const tileParam = params.get('tiles');
const tileUrl = tileParam ?? document.documentElement.dataset.tiles ?? OSM_TILES;
const retryBaseMs = Number(params.get('retry')) || undefined;

const status = new StatusLine($('updated'), $('stale'));
const progress = new ProgressView($('progress'), /** @type {HTMLProgressElement} */ ($('progress-bar')), $('progress-text'));
const perf = new PerfPanel(/** @type {HTMLButtonElement} */ ($('perf-toggle')), $('perf'));
const slider = /** @type {HTMLInputElement} */ ($('horizon'));
const sliderOut = /** @type {HTMLOutputElement} */ ($('horizon-out'));
renderLegend($('legend'));

/** @type {SegmentMap | null} */
let map = null;
/** @type {import('./types.js').Network | null} */
let network = null;
/** @type {Float32Array | null} */
let speeds = null;
/** @type {Forecast | null} */
let forecast = null;
let utcOffsetMin = 0;

const worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => onWorker(ev.data);
worker.onerror = (ev) => progress.set('fatal', `The engine worker failed: ${ev.message}`, NaN);
worker.postMessage({ type: 'start', base, retryBaseMs });

/** @returns {number} the horizon step chosen (0 = now) */
const horizon = () => Number(slider.value);

/** @param {number} step */
function horizonText(step) {
  if (step === 0 || !forecast) return 'now';
  return `+${Math.round((step * forecast.intervalS) / 60)} min`;
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
  map.recolor(speeds, valueAt);
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
});

const details = new DetailsPanel($('details'), {
  onClose: () => {
    map?.clearSelection();
    map?.focusSegment();
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
  details.setNumbers(speeds[seg.sensor], `In ${horizonText(h).slice(1)}`, forecast.mid[i], forecast.lo[i], forecast.hi[i]);
}

const trip = new TripPlanner(/** @type {HTMLFormElement} */ ($('trip')), {
  onQuery: (q) => worker.postMessage({ type: 'trip', ...q }),
});

/** @param {import('./map.js').Segment} seg */
function requestHistory(seg) {
  worker.postMessage({ type: 'history', sensor: seg.sensor, slots: HISTORY_SLOTS });
}

/** @param {WorkerMessage} m */
function onWorker(m) {
  switch (m.type) {
    case 'network': {
      network = m.network;
      const net = network;
      const notice = $('tile-notice');
      map = new SegmentMap($('map'), net, {
        tileUrl,
        attribution: tileParam ? '' : OSM_ATTRIBUTION,
        onTiles: (failed) => { notice.hidden = !failed; },
        onSelect: (seg) => {
          details.show(seg, net.sensors[seg.sensor]);
          updateDetailsNumbers();
          requestHistory(seg);
        },
      });
      document.documentElement.dataset.segments = String(map.segments.length);
      trip.setNetwork(net, net.interval_s / 60);
      break;
    }
    case 'progress':
      progress.set(m.stage, m.text, m.fraction);
      break;
    case 'update': {
      speeds = m.speedMph;
      if (m.forecast) {
        const first = !forecast;
        forecast = m.forecast;
        slider.max = String(forecast.horizons);
        if (first) {
          slider.disabled = false;
          $('horizon-note').hidden = true;
        }
      }
      utcOffsetMin = m.utcOffsetMin;
      status.setData(m.local, m.receivedAt, m.intervalS);
      perf.setWorker(m.perf);
      updateSlider();
      draw();
      if (details.segment) requestHistory(details.segment);
      document.documentElement.dataset.ready = forecast ? 'forecast' : 'speeds';
      break;
    }
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
      break;
    case 'perf':
      perf.setWorker(m.perf);
      break;
    case 'trip':
      trip.show(m);
      map?.highlightRoute(m.error ? [] : m.path);
      break;
    case 'rejected':
      console.warn(`snapshot rejected: ${m.code}: ${m.message}`);
      break;
  }
}
