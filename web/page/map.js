// map.js — the network on a Leaflet map: one SVG path per segment, coloured by speed.
//
// Segments (segments.js) are represented by the detector at their start, whose speed colours
// them and whose history the details panel charts. The corridors' `geometry` polylines are too
// coarse for this, so segments are drawn between the stations' own positions. Both directions
// of a road share the same stations' positions, so each segment is shifted a few pixels to the
// right of its direction of travel, recomputed per zoom level so the gap stays constant on screen.
//
// Colours: each segment carries its class as a CSS class (speed-0 … speed-4, speed-none) whose
// stroke comes from the theme's custom properties (shared/colors.js applySpeedColors); the
// stroke attribute Leaflet writes is the light-theme fallback.
//
// Keyboard: the segments form one tab stop (roving tabindex); arrow keys move along the
// corridor, PageUp/PageDown to the previous/next corridor, Home/End to its ends, Enter or Space
// opens the details and leaves focus on the segment. Each segment's accessible name says where
// it is and its speed. The focused segment gets a ring of two lines under it, black and white,
// colours no speed class uses, so it shows on any background. Every text set here (labels from
// the feed included) goes through attributes or textContent, never HTML.

import { binOf, speedVar } from '../shared/colors.js';
import { offsetLatLngs, segmentPairs, segmentStyle } from '../shared/segments.js';
import { fullStationName } from '../shared/names.js';
import { mph } from './details.js';

/** @typedef {import('../shared/types.js').Network} Network */

/**
 * A segment on the map: its pair of stations (segments.js) plus `index`, its position in
 * SegmentMap.segments; `name`, e.g. "I-285 Inner Loop (clockwise), exit 20 (Cumberland), mile
 * 19.1 at Cobb Pkwy" (shared/names.js, the words of the details headline); and
 * `line`, the Leaflet polyline.
 * @typedef {import('../shared/segments.js').SegmentPair & { index: number, name: string, line: any }} Segment
 */

/** Pixels between the two directions' lines: half of it to each side of the centre line. */
const OFFSET_PX = 3;
const WEIGHT_PX = 4;
/** The focus ring's two lines (px) around a focused segment drawn 8 px wide (style.css): 2.5 px of white, then 2.5 px of black; round ends, so that even a segment a few pixels long gets a ring that is seen. */
const RING_PX = [18, 13];

export const OSM_TILES = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png';
export const OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

/**
 * @typedef {object} SegmentMapOptions
 * @property {string | null} [tileUrl]   tile URL template; null or "none" for no tiles
 * @property {string} [attribution]      the tile provider's attribution (project constant, not feed text)
 * @property {(seg: Segment, how: 'pointer' | 'keyboard') => void} [onSelect]
 * @property {(failed: boolean) => void} [onTiles] called with true when tiles fail to load, false when they load
 * @property {boolean} [hidden]          drawn but not shown (nor its tiles asked for) until reveal()
 */

/**
 * Marks a map's container as drawn but not shown (style.css: transparent), and inert: no focus,
 * no taps.
 * @param {HTMLElement} container
 * @param {boolean} on
 */
function pending(container, on) {
  container.classList.toggle('fc-pending', on);
  container.inert = on;
}

export class SegmentMap {
  /**
   * @param {HTMLElement} container
   * @param {Network} network
   * @param {SegmentMapOptions} [options]
   */
  constructor(container, network, options = {}) {
    const L = /** @type {any} */ (globalThis).L;
    if (!L) throw new Error('Leaflet is not loaded');
    this.L = L;
    this.options = options;
    this.network = network;
    this.map = L.map(container, { renderer: L.svg({ padding: 0.5 }), zoomSnap: 0.25, keyboard: true });
    // a landmark, so its label is allowed (a bare div may not carry aria-label) and the map can be jumped to
    container.setAttribute('role', 'region');
    /** whether the map is drawn but not yet shown */
    this.hidden = options.hidden === true;
    pending(container, this.hidden);
    /** @type {Segment[]} */
    this.segments = [];
    try {
      // the view first: Leaflet adds layers (and creates their SVG paths) once the map has one
      this.fitNetwork();
      if (!this.hidden) this.#addTiles(options.tileUrl, options.attribution ?? OSM_ATTRIBUTION);
      this.segments = this.#buildSegments();
    } catch (err) {
      // a network the page could not draw leaves the container as it found it, for the next map
      this.remove();
      throw err;
    }
    /** @type {number} */
    this.selected = -1;
    /** @type {Int8Array} current bin per segment, so a recolour touches only what changed */
    this.bins = new Int8Array(this.segments.length).fill(-2);
    this.focusable = 0;
    /** @type {any[]} the focus ring's lines (outer, inner), created on first focus */
    this.ring = [];
    /** @type {Segment | null} the segment the ring is drawn around */
    this.ringOn = null;
    /** @type {any} the highlighted route's halo */
    this.routeHalo = null;
    this.map.on('zoomend', () => this.#placeSegments());
    this.#setTabStop(0);
  }

  /** Shows a map drawn hidden, and asks for its tiles. */
  reveal() {
    if (!this.hidden) return;
    this.hidden = false;
    pending(this.map.getContainer(), false);
    this.#addTiles(this.options.tileUrl, this.options.attribution ?? OSM_ATTRIBUTION);
  }

  /** Takes the map out of its container (which another map may then use). */
  remove() {
    const container = this.map.getContainer();
    this.map.remove();
    pending(container, false);
  }

  /** Shows the whole network. */
  fitNetwork() {
    const lats = this.network.sensors.map((s) => s.lat), lons = this.network.sensors.map((s) => s.lon);
    this.map.fitBounds([[Math.min(...lats), Math.min(...lons)], [Math.max(...lats), Math.max(...lons)]], { padding: [12, 12], animate: false });
  }

  /**
   * @param {string | null | undefined} url
   * @param {string} attribution
   */
  #addTiles(url, attribution) {
    if (!url || url === 'none') {
      this.options.onTiles?.(true);
      return;
    }
    let loaded = false, failed = false;
    const tiles = this.L.tileLayer(url, { attribution, maxZoom: 18, crossOrigin: true });
    tiles.on('tileload', () => {
      loaded = true;
      if (failed) this.options.onTiles?.(false);
      failed = false;
    });
    tiles.on('tileerror', () => {
      if (loaded || failed) return;
      failed = true;
      this.options.onTiles?.(true);
    });
    tiles.addTo(this.map);
  }

  /** @returns {Segment[]} */
  #buildSegments() {
    const net = this.network;
    return segmentPairs(net).map((pair, index) => {
      const st = net.sensors[pair.sensor];
      const seg = /** @type {Segment} */ ({ ...pair, index, name: fullStationName(st, net.corridors[pair.corridor] ?? null) });
      // drawn at once where it belongs, to the right of its direction of travel at this zoom
      // (placing it after adding it drew every path twice: PERFORMANCE.md §26)
      seg.line = this.L.polyline(offsetLatLngs(this.map, st, net.sensors[pair.next], OFFSET_PX), {
        className: 'fc-seg', weight: WEIGHT_PX, opacity: 1, lineCap: 'butt', ...segmentStyle(-1),
      }).addTo(this.map);
      seg.line.on('click', () => this.select(seg.index, 'pointer'));
      const el = /** @type {SVGPathElement} */ (seg.line.getElement());
      el.setAttribute('role', 'button');
      el.setAttribute('tabindex', '-1');
      el.setAttribute('aria-label', seg.name);
      el.dataset.segment = String(seg.index);
      el.addEventListener('keydown', (ev) => this.#onKey(seg, ev));
      el.addEventListener('focus', () => { if (el.matches(':focus-visible')) this.#showRing(seg); });
      el.addEventListener('blur', () => this.#hideRing());
      return seg;
    });
  }

  /** Shifts every segment to the right of its direction of travel at the current zoom. */
  #placeSegments() {
    const sensors = this.network.sensors;
    for (const seg of this.segments) seg.line.setLatLngs(offsetLatLngs(this.map, sensors[seg.sensor], sensors[seg.next], OFFSET_PX));
    if (this.ringOn) for (const r of this.ring) r.setLatLngs(this.ringOn.line.getLatLngs());
  }

  /**
   * Draws the focus ring under a segment: directly below its own path, so that the segment keeps
   * its colour on top and the focused element is never moved (moving it would drop focus).
   * @param {Segment} seg
   */
  #showRing(seg) {
    if (!this.ring.length) {
      this.ring = RING_PX.map((weight, i) => this.L.polyline(seg.line.getLatLngs(), {
        className: i ? 'fc-ring fc-ring-inner' : 'fc-ring fc-ring-outer', weight, opacity: 1, interactive: false, lineCap: 'round',
      }).addTo(this.map));
    }
    const el = seg.line.getElement();
    for (const r of this.ring) {
      r.setLatLngs(seg.line.getLatLngs());
      const ringEl = r.getElement();
      ringEl.classList.remove('off');
      el.parentNode.insertBefore(ringEl, el);
    }
    this.ringOn = seg;
  }

  #hideRing() {
    for (const r of this.ring) r.getElement()?.classList.add('off');
    this.ringOn = null;
  }

  /**
   * Recolours every segment from per-sensor speeds (mph, NaN = missing) and renames it with its
   * speed, so a screen reader hears what the colour shows.
   * @param {ArrayLike<number>} speedMph current speeds, indexed by network sensor
   * @param {(sensor: number) => number} [valueOf] what is drawn, when not the current speed (a forecast)
   * @param {string} [aheadText] when drawing a forecast, when it is for: "in 30 min"
   * @param {(sensor: number) => boolean} [estimatedOf] whether what is drawn was estimated from
   *   neighbouring detectors (the sensor's own has no data)
   */
  recolor(speedMph, valueOf, aheadText = '', estimatedOf = undefined) {
    for (const seg of this.segments) {
      const now = speedMph[seg.sensor];
      const v = valueOf ? valueOf(seg.sensor) : now;
      const el = seg.line.getElement();
      // a forecast the engine estimated from neighbouring detectors is drawn fainter and says so
      const estimated = Boolean(estimatedOf?.(seg.sensor));
      el?.classList.toggle('estimated', estimated);
      const ahead = Number.isFinite(v) ? `${mph(v)}${estimated ? ' (estimated)' : ''}` : 'no forecast';
      const label = `${seg.name}: ${mph(now)} now${aheadText ? `, ${ahead} ${aheadText}` : ''}`;
      if (el && el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
      const bin = binOf(v);
      if (bin === this.bins[seg.index]) continue;
      el?.classList.remove(speedVar(this.bins[seg.index]).slice(2));
      el?.classList.add(speedVar(bin).slice(2));
      this.bins[seg.index] = bin;
      seg.line.setStyle(segmentStyle(bin));
    }
  }

  /**
   * Selects a segment (highlight, tab stop) and reports it.
   * @param {number} index
   * @param {'pointer' | 'keyboard'} how
   */
  select(index, how) {
    const seg = this.segments[index];
    if (!seg) return;
    if (this.selected >= 0) this.segments[this.selected].line.getElement()?.classList.remove('selected');
    this.selected = index;
    const el = seg.line.getElement();
    el?.classList.add('selected');
    // on top of its neighbours; bringing it to front re-inserts its element, which drops focus
    const focused = el && el === document.activeElement;
    seg.line.bringToFront();
    if (focused) el.focus({ preventScroll: true });
    this.#setTabStop(index);
    this.options.onSelect?.(seg, how);
  }

  /** Clears the selection highlight (the tab stop stays where it was). */
  clearSelection() {
    if (this.selected >= 0) this.segments[this.selected].line.getElement()?.classList.remove('selected');
    this.selected = -1;
  }

  /**
   * Highlights the segments of a route (pairs of consecutive station ids; interchange ramps are
   * not segments and stay undrawn) and fits the map to it, unless `fit` is false (one end of a
   * trip picked on the map: the view stays for picking the other). An empty list clears it.
   * @param {[string, string][]} pairs
   * @param {{ fit?: boolean }} [options]
   */
  highlightRoute(pairs, { fit = true } = {}) {
    const sensors = this.network.sensors;
    const wanted = new Set(pairs.map(([a, b]) => `${a}\n${b}`));
    /** @type {any[]} one short line per route segment, for the halo under them */
    const parts = [];
    for (const seg of this.segments) {
      const on = wanted.has(`${sensors[seg.sensor].id}\n${sensors[seg.next].id}`);
      seg.line.getElement()?.classList.toggle('route', on);
      if (on) parts.push(seg.line.getLatLngs());
    }
    this.routeHalo?.remove();
    this.routeHalo = null;
    if (!parts.length) return;
    // a wide translucent band under the speed colours, so the route stands out whatever its speeds
    this.routeHalo = this.L.polyline(parts, { className: 'fc-route', weight: 16, opacity: 0.45, interactive: false, lineCap: 'round' }).addTo(this.map);
    this.routeHalo.bringToBack();
    if (fit) this.map.fitBounds(this.routeHalo.getBounds(), { padding: [30, 30], maxZoom: 14 });
  }

  /** Moves keyboard focus to the current tab stop. */
  focusSegment() {
    /** @type {SVGPathElement | null} */ (this.segments[this.focusable]?.line.getElement())?.focus({ preventScroll: true });
  }

  /** @param {number} index */
  #setTabStop(index) {
    this.segments[this.focusable]?.line.getElement()?.setAttribute('tabindex', '-1');
    this.focusable = index;
    this.segments[index]?.line.getElement()?.setAttribute('tabindex', '0');
  }

  /**
   * @param {Segment} seg
   * @param {KeyboardEvent} ev
   */
  #onKey(seg, ev) {
    const last = seg.first + seg.count - 1;
    let to = -1;
    switch (ev.key) {
      case 'ArrowRight': case 'ArrowDown': to = seg.index < last ? seg.index + 1 : seg.first; break;
      case 'ArrowLeft': case 'ArrowUp': to = seg.index > seg.first ? seg.index - 1 : last; break;
      case 'Home': to = seg.first; break;
      case 'End': to = last; break;
      case 'PageDown': to = last + 1 < this.segments.length ? last + 1 : 0; break;
      case 'PageUp': to = seg.first > 0 ? this.segments[seg.first - 1].first : this.segments[this.segments.length - 1].first; break;
      case 'Enter': case ' ':
        ev.preventDefault();
        this.select(seg.index, 'keyboard');
        return;
      default: return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    this.#setTabStop(to);
    const target = this.segments[to];
    const el = /** @type {SVGPathElement | null} */ (target.line.getElement());
    const st = this.network.sensors[target.sensor];
    this.map.panInside([st.lat, st.lon], { padding: [40, 40], animate: false });
    // panInside has brought it into view; the browser's own scroll-into-view would shift the
    // map's overflow-hidden container under Leaflet's feet
    el?.focus({ preventScroll: true });
  }
}
