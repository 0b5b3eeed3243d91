// leaflet-layer.js — flowcast as a Leaflet layer, for partner sites that already have a
// Leaflet map, who load it through its entry point web/flowcast-leaflet.js:
//
//   <script src="leaflet.js"></script>                      (the host's own Leaflet 1.x)
//   <script type="module">
//     import 'https://HOST/js/flowcast-leaflet.js';          // adds L.FlowcastLayer, L.flowcastLayer
//     const layer = L.flowcastLayer({ feed: 'https://HOST/api/v1/', corridor: 'I-285', horizon: 30 }).addTo(map);
//     layer.on('flowcast:update', (e) => console.log(e.local));
//     layer.setHorizon(60);
//   </script>
//
// The network's segments drawn as paths in the host map's overlay pane, coloured by current or
// forecast speed (the page's colour scale and geometry: shared/colors.js, shared/segments.js). The
// engine runs in the page's own worker (web/worker/worker.js): one per layer, started in onAdd and
// terminated in onRemove with every listener, so a removed layer leaves nothing behind.
//
// Leaflet is the host's: the global `L` when this module loads, or `options.L` for hosts that
// import Leaflet as a module (`flowcastLayer({ L, feed })`, this module's named export). Nothing
// goes on the global object; with a global `L`, the class and factory are added to it, as
// Leaflet plugins do.
//
// Options: `feed` (API base URL, default the api/v1/ of the host serving this script),
// `corridor` (a road "I-285" or a corridor id "I285-CW", default all), `horizon` (minutes
// ahead, 0…60, rounded to the feed's interval), `weight` and `offset` (path width and the gap
// between the two directions, in pixels), `pane`, `interactive`.
// Events: `flowcast:network` { segments, bounds } once the segments are drawn;
// `flowcast:update` { ts, local, horizon, forecast } after every recolour (new data or a new
// horizon); `flowcast:error` { stage, message } when the feed or the engine fails.

import { binOf } from '../shared/colors.js';
import { errorDetail, feedUrl, startEngineWorker, updateDetail } from './engine-worker.js';
import { horizonStep, offsetLatLngs, pickCorridors, segmentPairs, segmentStyle, speedAt } from '../shared/segments.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */
/** @typedef {Extract<WorkerMessage, { type: 'update' }>} Update */

/**
 * @typedef {object} FlowcastLayerOptions
 * @property {string} [feed]         API base URL
 * @property {string} [corridor]     road or corridor id; empty: the whole network
 * @property {number} [horizon]      minutes ahead, 0 = now
 * @property {number} [weight]       path width, px
 * @property {number} [offset]       gap between the two directions of a road, px
 * @property {string} [pane]         the map pane the paths go in
 * @property {boolean} [interactive] whether the paths take pointer events (Leaflet's own option)
 * @property {any} [L]               Leaflet, when it is not the global `L`
 */

/** @type {WeakMap<object, any>} one layer class per Leaflet instance */
const classes = new WeakMap();

/**
 * The layer class for a Leaflet instance (made once per instance, as it extends its L.Layer).
 * @param {any} L
 */
export function layerClass(L) {
  if (!L?.Layer) throw new Error('flowcast-leaflet: Leaflet is not loaded (load it first, or pass it as options.L)');
  let cls = classes.get(L);
  if (cls) return cls;
  cls = L.Layer.extend({
    options: /** @type {FlowcastLayerOptions} */ ({
      feed: '', corridor: '', horizon: 0, weight: 4, offset: 3, pane: 'overlayPane', interactive: false,
    }),

    /** @param {FlowcastLayerOptions} [options] */
    initialize(options = {}) {
      L.setOptions(this, options);
      delete this.options.L; // the namespace is not an option to keep
      /** @type {Network | null} */
      this._network = null;
      /** @type {Update | null} */
      this._update = null;
      /** @type {{ line: any, sensor: number, next: number, bin: number }[]} */
      this._segments = [];
      this._group = L.featureGroup();
      /** @type {import('./engine-worker.js').EngineWorker | null} */
      this._engine = null;
    },

    /** @param {any} map */
    onAdd(map) {
      this._group.addTo(map);
      this._engine = startEngineWorker(feedUrl(this.options.feed));
      this._engine.worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => this._onMessage(ev.data);
      this._engine.worker.onerror = (/** @type {ErrorEvent} */ ev) => {
        ev.preventDefault();
        this.fire('flowcast:error', { stage: 'fatal', message: `the engine worker failed: ${ev.message || 'could not load'}` });
      };
    },

    /** @param {any} map */
    onRemove(map) {
      this._engine?.dispose();
      this._engine = null;
      this._group.clearLayers();
      map.removeLayer(this._group);
      this._segments = [];
      this._network = null;
      this._update = null;
    },

    /** Leaflet adds and removes these map listeners with the layer. */
    getEvents() {
      return { zoomend: this._place };
    },

    /**
     * Shows the forecast `minutes` ahead (0 = now): recolours at once from the latest data.
     * @param {number} minutes
     */
    setHorizon(minutes) {
      this.options.horizon = Number(minutes) || 0;
      this._recolor();
      return this;
    },

    getHorizon() {
      return this.options.horizon;
    },

    /**
     * Shows another road or corridor (empty: all).
     * @param {string} corridor
     */
    setCorridor(corridor) {
      this.options.corridor = corridor ?? '';
      this._build();
      return this;
    },

    /** The drawn segments' bounds (after `flowcast:network`), for `map.fitBounds`. */
    getBounds() {
      return this._group.getBounds();
    },

    /** @param {WorkerMessage} m */
    _onMessage(m) {
      if (!this._map) return;
      if (m.type === 'network') {
        this._network = m.network;
        this._build();
      } else if (m.type === 'update') {
        this._update = m;
        this._recolor();
      } else {
        const error = errorDetail(m);
        if (error) this.fire('flowcast:error', error);
      }
    },

    _build() {
      const net = this._network;
      if (!net || !this._map) return;
      this._group.clearLayers();
      const o = this.options;
      this._segments = segmentPairs(net, pickCorridors(net, o.corridor)).map((p) => ({
        sensor: p.sensor, next: p.next, bin: -2, // -2: not styled from data yet
        line: L.polyline([], {
          className: 'flowcast-segment', pane: o.pane, interactive: o.interactive,
          weight: o.weight, opacity: 1, lineCap: 'butt', ...segmentStyle(-1),
        }),
      }));
      this._place();
      for (const s of this._segments) this._group.addLayer(s.line);
      this.fire('flowcast:network', { segments: this._segments.length, bounds: this._segments.length ? this.getBounds() : null });
      this._recolor();
    },

    /** Keeps the directions apart by `offset` pixels at every zoom. */
    _place() {
      const net = this._network;
      if (!net || !this._map) return;
      for (const s of this._segments) s.line.setLatLngs(offsetLatLngs(this._map, net.sensors[s.sensor], net.sensors[s.next], this.options.offset));
    },

    _recolor() {
      const u = this._update;
      if (!u || !this._segments.length) return;
      const f = u.forecast;
      const step = horizonStep(f, this.options.horizon);
      for (const s of this._segments) {
        const bin = binOf(speedAt(u.speedMph, f, s.sensor, step));
        if (bin === s.bin) continue;
        s.bin = bin;
        s.line.setStyle(segmentStyle(bin));
      }
      this.fire('flowcast:update', updateDetail(u, step));
    },
  });
  classes.set(L, cls);
  return cls;
}

/**
 * Leaflet-style factory: `flowcastLayer({ feed, corridor, horizon })` (or `L.flowcastLayer`).
 * @param {FlowcastLayerOptions} [options]
 */
export function flowcastLayer(options = {}) {
  const Cls = layerClass(options.L ?? /** @type {any} */ (globalThis).L);
  return new Cls(options);
}

/**
 * Adds `FlowcastLayer` and `flowcastLayer` to a Leaflet namespace (done on load for the global
 * `L`; a module namespace object is frozen, so hosts importing Leaflet use the named exports).
 * @param {any} L
 */
export function install(L) {
  L.FlowcastLayer = layerClass(L);
  L.flowcastLayer = (/** @type {FlowcastLayerOptions} */ options = {}) => new L.FlowcastLayer(options);
}

const globalL = /** @type {any} */ (globalThis).L;
if (globalL?.Layer && Object.isExtensible(globalL) && !globalL.flowcastLayer) install(globalL);
