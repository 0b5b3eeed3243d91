// details.js — the "Segment details" panel: where the segment is, its current speed and the
// forecast at the chosen horizon, and a uPlot chart of the last hours and the next hour's forecast
// with its likely range (the 10–90 % band). uPlot is loaded on first use, so it costs nothing at
// start-up. Words a commuter reads: the road by its local name, direction and place as the
// headline (shared/names.js: "I-285 Inner Loop (clockwise), exit 20 (Cumberland)"), "likely
// between 55 and 62 mph"; the detector's id only as a footnote (for reporting a fault). On a
// phone the panel is a bottom sheet (style.css); this module does not know which.
// Feed-provided text (road, label, ids) is written with textContent only.

import { mileName, stationName } from '../shared/names.js';

/** @typedef {import('./map.js').Segment} Segment */
/** @typedef {import('../shared/types.js').Sensor} Sensor */
/** @typedef {import('../shared/types.js').Corridor} Corridor */

/** Observed history shown: three hours of 5-minute slots. */
export const HISTORY_SLOTS = 36;
/** Tall enough to read a 0–80 mph axis; short enough for the phone's sheet to show it whole. */
const CHART_HEIGHT_PX = 160;

/** @type {Promise<any> | null} */
let uPlotModule = null;
// (vendor/ is written by the build from node_modules/uplot, whose types the type check does not see there)
// @ts-ignore
const loadUPlot = () => (uPlotModule ??= import('../../vendor/uplot/uPlot.esm.js').then((m) => m.default));

/**
 * @param {number} v mph, NaN when missing
 * @returns {string}
 */
export const mph = (v) => (Number.isFinite(v) ? `${Math.round(v)} mph` : 'no data');

/**
 * "58 mph, likely between 55 and 62 mph": a forecast and its 10–90 % range in plain words.
 * @param {number} mid
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} [estimated] estimated from neighbouring detectors (the engine's evidence)
 */
export function forecastText(mid, lo, hi, estimated = false) {
  // the engine gives no number rather than invent one (flowcast.h, fc_evidence)
  if (!Number.isFinite(mid)) return 'no forecast: this detector and its neighbours have no recent data';
  const low = Math.round(lo), high = Math.round(hi);
  const value = !Number.isFinite(lo) || !Number.isFinite(hi) || low === high ? mph(mid) : `${mph(mid)}, likely between ${low} and ${high} mph`;
  return estimated ? `${value} (estimated from neighbouring detectors: this one has no data)` : value;
}

/**
 * @typedef {object} ChartData
 * @property {number} ts            newest data time (Unix ms)
 * @property {number} intervalS
 * @property {number} utcOffsetMin  the network's UTC offset at ts, for the time axis
 * @property {Float32Array} speedMph observed, oldest first, ending at ts's slot
 * @property {{ mid: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number> } | null} forecast one sensor's steps
 */

/**
 * Lays observed and forecast values on one time axis (seconds): the forecast series start at the
 * newest observation so the lines join.
 * @param {ChartData} d
 * @returns {(number | null)[][]}
 */
export function chartSeries(d) {
  const stepMs = d.intervalS * 1000;
  const slotEnd = Math.floor((d.ts - 1) / stepMs) * stepMs + stepMs;
  const n = d.speedMph.length, H = d.forecast ? d.forecast.mid.length : 0;
  const x = [], obs = [], mid = [], lo = [], hi = [];
  const val = (/** @type {number} */ v) => (Number.isFinite(v) ? v : null);
  for (let j = 0; j < n; j++) {
    x.push((slotEnd - (n - 1 - j) * stepMs) / 1000);
    obs.push(val(d.speedMph[j]));
    const joint = j === n - 1 && H ? val(d.speedMph[j]) : null;
    mid.push(joint);
    lo.push(joint);
    hi.push(joint);
  }
  for (let k = 0; k < H; k++) {
    const f = /** @type {NonNullable<ChartData['forecast']>} */ (d.forecast);
    x.push((slotEnd + (k + 1) * stepMs) / 1000);
    obs.push(null);
    mid.push(val(f.mid[k]));
    lo.push(val(f.lo[k]));
    hi.push(val(f.hi[k]));
  }
  return [x, obs, mid, lo, hi];
}

export class DetailsPanel {
  /**
   * @param {HTMLElement} section the panel (hidden until a segment is chosen)
   * @param {{ onClose: () => void, onTripEnd: (end: 'from' | 'to', seg: Segment) => void }} options
   *   onTripEnd: "Trip from here" or "Trip to here" for the segment shown
   */
  constructor(section, options) {
    this.section = section;
    this.options = options;
    /** @param {string} sel */
    const q = (sel) => /** @type {HTMLElement} */ (section.querySelector(sel));
    this.title = q('[data-field="title"]');
    this.fields = {
      where: q('[data-field="where"]'), station: q('[data-field="station"]'), current: q('[data-field="current"]'),
      ahead: q('[data-field="ahead"]'), aheadLabel: q('[data-field="ahead-label"]'),
    };
    this.chartBox = q('[data-field="chart"]');
    /** @type {any} */
    this.chart = null;
    /** @type {Segment | null} */
    this.segment = null;
    q('[data-action="close"]').addEventListener('click', () => this.close());
    for (const end of /** @type {const} */ (['from', 'to'])) {
      q(`[data-action="trip-${end}"]`).addEventListener('click', () => {
        if (this.segment) options.onTripEnd(end, this.segment);
      });
    }
    // Escape closes the panel from the panel itself or from the map's segments
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && this.open) this.close();
    });
    new ResizeObserver(() => this.#resize()).observe(this.chartBox);
  }

  get open() { return !this.section.hidden; }

  /**
   * @param {Segment} seg
   * @param {Sensor} st the station at the segment's start
   * @param {Corridor | null} corridor its carriageway, for the local name ("Inner Loop")
   */
  show(seg, st, corridor) {
    this.segment = seg;
    this.title.textContent = stationName(st, corridor);
    const mile = mileName(st);
    this.fields.where.textContent = `${mile[0].toUpperCase()}${mile.slice(1)} · ${st.lanes} lanes · limit ${Math.round(st.speed_limit_mph)} mph`;
    this.fields.station.textContent = st.id;
    this.section.hidden = false;
  }

  /**
   * @param {number} currentMph
   * @param {string} aheadLabel when the forecast is for, from the data's time ("+30 min from 17:05"), or '' when no forecast is shown
   * @param {number} [mid]
   * @param {number} [lo]
   * @param {number} [hi]
   * @param {boolean} [estimated] estimated from neighbouring detectors
   */
  setNumbers(currentMph, aheadLabel, mid = NaN, lo = NaN, hi = NaN, estimated = false) {
    this.fields.current.textContent = mph(currentMph);
    const row = /** @type {HTMLElement} */ (this.fields.ahead.parentElement);
    row.hidden = !aheadLabel;
    this.fields.aheadLabel.textContent = aheadLabel;
    this.fields.ahead.textContent = forecastText(mid, lo, hi, estimated);
  }

  /** @param {ChartData} d */
  async setChart(d) {
    const uPlot = await loadUPlot();
    const data = chartSeries(d);
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    const offS = d.utcOffsetMin * 60;
    // the colours are style.css's (--chart-*), shared with the key under the chart
    const css = getComputedStyle(this.chartBox);
    const color = (/** @type {string} */ name) => css.getPropertyValue(`--chart-${name}`).trim();
    const opts = {
      width: Math.max(200, this.chartBox.clientWidth),
      height: CHART_HEIGHT_PX,
      // the axis shows the network's local time, whichever time zone the browser is in
      tzDate: (/** @type {number} */ ts) => {
        const u = new Date((ts + offS) * 1000);
        return new Date(u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate(), u.getUTCHours(), u.getUTCMinutes());
      },
      // the key is the page's own line under the chart (plain words, no "10%/90%" series names)
      legend: { show: false },
      scales: { y: { range: (/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) => [Math.min(0, min), Math.max(80, max)] } },
      // a canvas knows no currentColor: the axes take the panel's text and line colours
      axes: [{ stroke: css.color, grid: { stroke: color('grid') } }, { stroke: css.color, grid: { stroke: color('grid') }, label: 'mph', size: 50 }],
      series: [
        {},
        { label: 'Observed', stroke: color('observed'), width: 2, spanGaps: false },
        { label: 'Forecast', stroke: color('forecast'), width: 2, dash: [6, 4] },
        { label: 'Likely low', stroke: color('range-edge'), width: 1 },
        { label: 'Likely high', stroke: color('range-edge'), width: 1 },
      ],
      bands: [{ series: [4, 3], fill: color('range') }],
    };
    this.chartBox.replaceChildren();
    this.chart = new uPlot(opts, data, this.chartBox);
  }

  #resize() {
    if (this.chart && this.chartBox.clientWidth > 0) this.chart.setSize({ width: Math.max(200, this.chartBox.clientWidth), height: CHART_HEIGHT_PX });
  }

  close() {
    if (this.section.hidden) return;
    this.section.hidden = true;
    this.segment = null;
    this.options.onClose();
  }
}
