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
// Options: `feed` (API base URL, default the api/v1/ of the host serving this script), `network`
// (which of the feed's networks, an id from its GET api/v1/networks; default the feed's own),
// `corridor` (a road "I-285" or a corridor id "I285-CW", default all), `horizon` (minutes
// ahead, 0…60, rounded to the feed's interval), `weight` and `offset` (path width and the gap
// between the two directions, in pixels), `pane`, `interactive`, `legend` (true or a corner:
// a speed legend control added and removed with the layer, embed/leaflet-legend.js).
// Events: `flowcast:network` { segments, bounds } once the segments are drawn;
// `flowcast:update` { ts, local, horizon, forecast } after every recolour (new data or a new
// horizon); `flowcast:error` { code, message, retrying } (embed/errors.js, the element's codes)
// when the feed or the engine fails, an option is bad, or the map has no size.

import { binOf } from '../shared/colors.js';
import { feedUrl, networkFeedUrl, startEngineWorker, statusText, updateDetail } from './engine-worker.js';
import { Problems, corridorError, embedError, parseHorizon } from './errors.js';
import { flowcastLegend, legendClass } from './leaflet-legend.js';
import { horizonStep, offsetLatLngs, pickCorridors, segmentPairs, segmentStyle, speedAt } from '../shared/segments.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */
/** @typedef {Extract<WorkerMessage, { type: 'update' }>} Update */
/** @typedef {import('./errors.js').EmbedError} EmbedError */

/**
 * @typedef {object} FlowcastLayerOptions
 * @property {string} [feed]         API base URL
 * @property {string} [network]      which of the feed's networks (GET api/v1/networks), default the feed's own
 * @property {string} [corridor]     road or corridor id; empty: the whole network
 * @property {number} [horizon]      minutes ahead, 0 = now
 * @property {number} [weight]       path width, px
 * @property {number} [offset]       gap between the two directions of a road, px
 * @property {string} [pane]         the map pane the paths go in
 * @property {boolean} [interactive] whether the paths take pointer events (Leaflet's own option)
 * @property {boolean | string} [legend] a speed legend control with the layer: true (bottom
 *   right) or a Leaflet corner ('topleft', 'topright', 'bottomleft', 'bottomright')
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
      feed: '', network: '', corridor: '', horizon: 0, weight: 4, offset: 3, pane: 'overlayPane', interactive: false, legend: false,
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
      /** @type {any} the legend control while on a map, with the `legend` option */
      this._legend = null;
      this._problems = new Problems();
      this._status = 'Loading…';
    },

    /** @param {any} map */
    onAdd(map) {
      this._group.addTo(map);
      const o = this.options;
      if (o.legend) {
        this._legend = new (legendClass(L))(typeof o.legend === 'string' ? { position: o.legend } : {}).addTo(map);
      }
      this._showStatus('Loading…');
      // Leaflet draws nothing in a container with no height, and says nothing about it
      const size = map.getSize();
      this._problem('map', size.x && size.y ? null : embedError('MAP_HAS_NO_SIZE',
        `The map is ${size.x} × ${size.y} px: give its container a height in CSS (for example #map { height: 400px; }).`));
      this._problem('horizon', parseHorizon(o.horizon).error);
      let feed = '';
      try {
        feed = feedUrl(o.feed);
      } catch {
        this._problem('feed', embedError('BAD_FEED', `"${String(o.feed).slice(0, 60)}" is not a feed address (a URL like https://host/api/v1/).`));
        return;
      }
      try {
        feed = networkFeedUrl(o.feed, o.network);
      } catch {
        this._problem('feed', embedError('BAD_NETWORK', `"${String(o.network).slice(0, 40)}" is not a network id (lower-case letters, digits and dashes, e.g. "la").`));
        return;
      }
      this._engine = startEngineWorker(feed, {
        onMessage: (m) => this._onMessage(m),
        onError: (e) => this._problem('feed', e),
      });
    },

    /** @param {any} map */
    onRemove(map) {
      this._engine?.dispose();
      this._engine = null;
      this._legend?.remove();
      this._legend = null;
      this._group.clearLayers();
      map.removeLayer(this._group);
      this._segments = [];
      this._network = null;
      this._update = null;
      this._problems = new Problems();
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
      const h = parseHorizon(minutes);
      this.options.horizon = h.minutes;
      this._problem('horizon', h.error);
      this._recolor();
      return this;
    },

    getHorizon() {
      return parseHorizon(this.options.horizon).minutes;
    },

    /** The legend control added by the `legend` option, while the layer is on a map; else null. */
    getLegend() {
      return this._legend;
    },

    /**
     * Records (or, with null, clears) a problem; tells the page once per problem.
     * @param {import('./errors.js').ProblemSource} source
     * @param {EmbedError | null} error
     */
    _problem(source, error) {
      const news = this._problems.set(source, error);
      this._showStatus();
      if (!error || !news) return;
      console.warn(`flowcast: ${error.code}: ${error.message}`); // for the partner's developer
      this.fire('flowcast:error', error);
    },

    /** @param {string} [normal] the status without a problem (default: the one shown) */
    _showStatus(normal) {
      if (normal !== undefined) this._status = normal;
      const p = this._problems.shown();
      this._legend?.setStatus(p ? p.message : this._status, !!p);
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
        this._problems.set('feed', null);
        this._build();
      } else if (m.type === 'update') {
        this._update = m;
        this._problems.set('feed', null);
        this._recolor();
      }
    },

    _build() {
      const net = this._network;
      if (!net || !this._map) return;
      this._group.clearLayers();
      const o = this.options;
      const want = String(o.corridor ?? '');
      const corridors = pickCorridors(net, want);
      this._problem('corridor', corridorError(net, want, corridors.length));
      this._segments = segmentPairs(net, corridors).map((p) => ({
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
      const minutes = this.getHorizon();
      const step = horizonStep(f, minutes);
      for (const s of this._segments) {
        const bin = binOf(speedAt(u.speedMph, f, s.sensor, step));
        if (bin === s.bin) continue;
        s.bin = bin;
        s.line.setStyle(segmentStyle(bin));
      }
      const detail = updateDetail(u, step);
      this._showStatus(statusText(detail, minutes));
      this.fire('flowcast:update', detail);
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
  L.FlowcastLegend = legendClass(L);
  L.flowcastLegend = (/** @type {import('./leaflet-legend.js').FlowcastLegendOptions} */ options = {}) => new L.FlowcastLegend(options);
}

export { flowcastLegend };

const globalL = /** @type {any} */ (globalThis).L;
if (globalL?.Layer && Object.isExtensible(globalL) && !globalL.flowcastLayer) install(globalL);
