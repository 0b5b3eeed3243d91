// flowcast-map.js — the <flowcast-map> custom element for partner sites, who load it through its
// entry point web/flowcast-embed.js:
//
//   <script type="module" src="https://HOST/js/flowcast-embed.js"></script>
//   <flowcast-map feed="https://HOST/api/v1/" corridor="I-285" horizon="30"></flowcast-map>
//
// A schematic of the network (no map library, no tiles: nothing for the host page to load or
// style) coloured by current or forecast speed, in a shadow root so neither page's styles leak
// into the other; it fills its container. Elements on one page that name the same feed share
// one engine worker, so several cost one download and one training; the worker stops when the
// last of them leaves the page. Nothing is put on the global object except the custom
// element's registration. The styles are a constructed stylesheet, so a host page's Content
// Security Policy needs no 'unsafe-inline' for them.
//
// Attributes: `feed` — API base URL (default: the api/v1/ beside this script);
// `corridor` — a road ("I-285") or a corridor id ("I285-CW"), default all;
// `horizon` — minutes ahead, 0 (now) to 60, rounded to the feed's interval;
// `telemetry` — present: send anonymous performance beacons to the feed (shared/telemetry.js), a
// value in 0..1 being the sampling rate; absent (the default): send nothing.
// Events (bubbling CustomEvents, the same names and details as the Leaflet layer's):
// `flowcast:update` { ts, local, horizon, forecast } after every recolour;
// `flowcast:error` { stage, message } when the feed or the engine fails.
// Parts for host styling: `map` (the drawing) and `legend` (the bar with title, status, key).

import { SPEED_BINS, binOf, colorOfBin } from '../shared/colors.js';
import { errorDetail, feedUrl, startEngineWorker, updateDetail } from './engine-worker.js';
import { TelemetryClient } from '../shared/telemetry.js';
import { horizonStep, pickCorridors, rightOffset, segmentPairs, speedAt } from '../shared/segments.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Gap between the two directions, as a fraction of the drawing's width. */
const OFFSET_FRACTION = 0.004;

/**
 * One worker per feed URL, shared by every element that shows it; its telemetry is on while any
 * of them has the `telemetry` attribute.
 * @typedef {{ engine: import('./engine-worker.js').EngineWorker, listeners: Set<(m: WorkerMessage) => void>,
 *   last: Map<string, WorkerMessage>, telemetry: TelemetryClient, optedIn: Set<HTMLElement> }} FeedHub
 */
/** @type {Map<string, FeedHub>} */
const hubs = new Map();

/** @param {string} feed */
function hubFor(feed) {
  let hub = hubs.get(feed);
  if (!hub) {
    const engine = startEngineWorker(feed);
    const telemetry = new TelemetryClient({ url: `${feed}telemetry`, embed: true, requestStats: () => engine.worker.postMessage({ type: 'stats' }) });
    const h = /** @type {FeedHub} */ ({ engine, listeners: new Set(), last: new Map(), telemetry, optedIn: new Set() });
    h.engine.worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => {
      h.telemetry.onMessage(ev.data);
      if (ev.data.type === 'stats') return;
      h.last.set(ev.data.type, ev.data); // a late subscriber starts from the latest of each kind
      for (const fn of h.listeners) fn(ev.data);
    };
    hubs.set(feed, h);
    hub = h;
  }
  return hub;
}

/**
 * Stops a hub's worker once no element listens, after the current task: an element moved
 * within the page is disconnected and connected again in one task and keeps its worker.
 * @param {string} feed
 */
function releaseHub(feed) {
  setTimeout(() => {
    const hub = hubs.get(feed);
    if (!hub || hub.listeners.size) return;
    hub.telemetry.stop();
    hub.engine.dispose();
    hubs.delete(feed);
  }, 0);
}

const STYLE_TEXT = `
:host { display: block; position: relative; width: 100%; height: 100%; min-height: 180px; font: 12px/1.3 system-ui, sans-serif;
  color: #1b1b1b; background: #eef1f3; contain: content; }
:host([hidden]) { display: none; }
.frame { position: absolute; inset: 0; display: flex; flex-direction: column; }
svg { flex: 1 1 0; min-height: 0; width: 100%; }
line { stroke-width: 4px; vector-effect: non-scaling-stroke; stroke-linecap: butt; }
line.missing { stroke-dasharray: 3 3; }
.bar { flex: none; margin: 0 4px 4px; display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center;
  padding: 2px 6px; background: rgba(255, 255, 255, 0.88); border-radius: 3px; }
.title { font-weight: 600; }
.key { display: inline-flex; align-items: center; gap: 3px; }
.sw { width: 12px; height: 6px; outline: 1px solid rgba(0, 0, 0, 0.4); }
`;

/** @type {CSSStyleSheet | null} shared by every element's shadow root */
let sheet = null;

/** @param {ShadowRoot} root */
function adoptStyles(root) {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE_TEXT);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = STYLE_TEXT;
    root.append(style);
  }
}

export class FlowcastMapElement extends HTMLElement {
  static observedAttributes = ['feed', 'corridor', 'horizon', 'telemetry'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('part', 'map');
    this.svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('part', 'legend');
    this.titleEl = document.createElement('span');
    this.titleEl.className = 'title';
    this.statusEl = document.createElement('span');
    this.statusEl.setAttribute('role', 'status');
    this.statusEl.textContent = 'Loading…';
    const keys = SPEED_BINS.map((b) => {
      const k = document.createElement('span');
      k.className = 'key';
      const sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = b.color;
      k.append(sw, b.label.replace(' mph', '').replace(' and over', '+'));
      return k;
    }).reverse();
    bar.append(this.titleEl, this.statusEl, ...keys);
    // the legend below the drawing, not over it: the drawing keeps all of its roads in view
    const frame = document.createElement('div');
    frame.className = 'frame';
    frame.append(this.svg, bar);
    root.append(frame);
    /** @type {Network | null} */
    this.network = null;
    /** @type {Extract<WorkerMessage, { type: 'update' }> | null} */
    this.update = null;
    /** @type {{ el: SVGLineElement, sensor: number }[]} */
    this.lines = [];
    /** @type {FeedHub | null} */
    this.hub = null;
    this.hubFeed = '';
    this.listener = (/** @type {WorkerMessage} */ m) => this.#onMessage(m);
  }

  get feed() {
    return feedUrl(this.getAttribute('feed'));
  }

  connectedCallback() {
    this.#subscribe();
  }

  disconnectedCallback() {
    if (!this.hub) return;
    this.hub.listeners.delete(this.listener);
    this.#optIn(false);
    releaseHub(this.hubFeed);
    this.hub = null;
  }

  /** @param {string} name */
  attributeChangedCallback(name) {
    if (!this.isConnected) return;
    if (name === 'feed') {
      this.disconnectedCallback();
      this.network = null;
      this.update = null;
      this.#subscribe();
    } else if (name === 'corridor') this.#build();
    else if (name === 'telemetry') this.#optIn(this.hasAttribute('telemetry'));
    else this.#recolor();
  }

  #subscribe() {
    this.hubFeed = this.feed;
    this.hub = hubFor(this.hubFeed);
    this.hub.listeners.add(this.listener);
    for (const m of this.hub.last.values()) this.#onMessage(m);
    this.#optIn(this.hasAttribute('telemetry'));
  }

  /**
   * Telemetry is the host's choice: on while an element of this feed has the attribute.
   * @param {boolean} on
   */
  #optIn(on) {
    const hub = this.hub;
    if (!hub) return;
    if (on) hub.optedIn.add(this);
    else hub.optedIn.delete(this);
    const value = this.getAttribute('telemetry');
    const rate = value && Number.isFinite(Number(value)) ? Number(value) : 1; // "" or "on": every page
    hub.telemetry.setEnabled(hub.optedIn.size > 0, rate);
  }

  /** @param {WorkerMessage} m */
  #onMessage(m) {
    if (m.type === 'network') {
      this.network = m.network;
      this.#build();
    } else if (m.type === 'update') {
      this.update = m;
      this.#recolor();
    } else {
      const error = errorDetail(m);
      if (!error) return;
      this.statusEl.textContent = error.stage === 'feed' ? 'feed unreachable, retrying…' : error.message;
      this.#emit('flowcast:error', error);
    }
  }

  #build() {
    const net = this.network;
    if (!net) return;
    const want = (this.getAttribute('corridor') ?? '').trim();
    const corridors = pickCorridors(net, want);
    const pairs = segmentPairs(net, corridors).map((p) => [p.sensor, p.next]);
    const used = pairs.flat();
    if (!used.length) {
      this.lines = [];
      this.svg.replaceChildren();
      this.svg.removeAttribute('viewBox');
      this.titleEl.textContent = 'no such corridor';
      this.svg.setAttribute('aria-label', 'Traffic speeds on no corridor');
      return;
    }
    const lat0 = used.reduce((a, i) => a + net.sensors[i].lat, 0) / used.length;
    const kx = Math.cos((lat0 * Math.PI) / 180);
    const X = (/** @type {number} */ i) => net.sensors[i].lon * kx, Y = (/** @type {number} */ i) => -net.sensors[i].lat;
    const xs = used.map(X), ys = used.map(Y);
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const w = Math.max(maxX - minX, 1e-3), h = Math.max(maxY - minY, 1e-3), pad = 0.05 * Math.max(w, h);
    this.svg.setAttribute('viewBox', `${minX - pad} ${minY - pad} ${w + 2 * pad} ${h + 2 * pad}`);
    const off = OFFSET_FRACTION * Math.max(w, h);
    this.lines = pairs.map(([a, b]) => {
      const [ox, oy] = rightOffset(X(b) - X(a), Y(b) - Y(a), off); // Y = -lat: y points down
      const el = /** @type {SVGLineElement} */ (document.createElementNS(SVG_NS, 'line'));
      el.setAttribute('x1', String(X(a) + ox));
      el.setAttribute('y1', String(Y(a) + oy));
      el.setAttribute('x2', String(X(b) + ox));
      el.setAttribute('y2', String(Y(b) + oy));
      return { el, sensor: a };
    });
    this.svg.replaceChildren(...this.lines.map((l) => l.el));
    const byId = corridors.length === 1 && corridors[0].id === want;
    const names = [...new Set(corridors.map((c) => (byId ? `${c.road} ${c.direction}` : c.road)))].join(', ');
    this.titleEl.textContent = names;
    this.svg.setAttribute('aria-label', `Traffic speeds on ${names}`);
    this.#recolor();
  }

  #recolor() {
    const u = this.update;
    if (!u || !this.lines.length) return;
    const f = u.forecast;
    const minutes = Number(this.getAttribute('horizon')) || 0;
    const step = horizonStep(f, minutes);
    for (const { el, sensor } of this.lines) {
      const bin = binOf(speedAt(u.speedMph, f, sensor, step));
      el.setAttribute('stroke', colorOfBin(bin));
      el.classList.toggle('missing', bin < 0);
    }
    const detail = updateDetail(u, step);
    const ahead = step && f ? ` · forecast +${detail.horizon} min` : minutes && !f ? ' · forecast loading' : '';
    this.statusEl.textContent = `Updated ${u.local}${ahead}`;
    this.dataset.ready = f ? 'forecast' : 'speeds';
    this.#emit('flowcast:update', detail);
  }

  /**
   * @param {string} type
   * @param {object} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
  }
}

if (!customElements.get('flowcast-map')) customElements.define('flowcast-map', FlowcastMapElement);
