// flowcast-embed.js — the <flowcast-map> custom element for partner sites:
//
//   <script type="module" src="https://HOST/js/flowcast-embed.js"></script>
//   <flowcast-map feed="https://HOST/api/v1/" corridor="I-285" horizon="30"></flowcast-map>
//
// A schematic of the network (no map library, no tiles: nothing for the host page to load or
// style) coloured by current or forecast speed, in a shadow root so neither page's styles leak
// into the other; it fills its container. Elements on one page that name the same feed share
// one engine worker, so several cost one download and one training. Nothing is put on the
// global object except the custom element's registration.
//
// Attributes: `feed` — API base URL (default: the api/v1/ beside this script);
// `corridor` — a road ("I-285") or a corridor id ("I285-CW"), default all;
// `horizon` — minutes ahead, 0 (now) to 60, rounded to the feed's interval.

import { SPEED_BINS, binOf, colorOfBin } from './app/colors.js';

/** @typedef {import('./app/types.js').Network} Network */
/** @typedef {import('./app/types.js').WorkerMessage} WorkerMessage */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Gap between the two directions, as a fraction of the drawing's width. */
const OFFSET_FRACTION = 0.004;

/**
 * One worker per feed URL, shared by every element that shows it.
 * @typedef {{ worker: Worker, listeners: Set<(m: WorkerMessage) => void>, last: Map<string, WorkerMessage> }} FeedHub
 */
/** @type {Map<string, FeedHub>} */
const hubs = new Map();

/**
 * A module worker from this script's folder. Browsers only start workers from the page's own
 * origin, so for a script served from elsewhere the worker is a same-origin blob that imports it.
 */
function startWorker() {
  const url = new URL('./worker.js', import.meta.url);
  if (url.origin === location.origin) return new Worker(url, { type: 'module' });
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob), { type: 'module' });
}

/** @param {string} feed */
function hubFor(feed) {
  let hub = hubs.get(feed);
  if (!hub) {
    const worker = startWorker();
    const h = /** @type {FeedHub} */ ({ worker, listeners: new Set(), last: new Map() });
    worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => {
      h.last.set(ev.data.type, ev.data); // a late subscriber starts from the latest of each kind
      for (const fn of h.listeners) fn(ev.data);
    };
    worker.postMessage({ type: 'start', base: feed });
    hubs.set(feed, h);
    hub = h;
  }
  return hub;
}

const STYLE = `
:host { display: block; position: relative; width: 100%; height: 100%; min-height: 180px; font: 12px/1.3 system-ui, sans-serif;
  color: #1b1b1b; background: #eef1f3; contain: content; }
:host([hidden]) { display: none; }
svg { position: absolute; inset: 0; width: 100%; height: 100%; }
line { stroke-width: 4px; vector-effect: non-scaling-stroke; stroke-linecap: butt; }
line.missing { stroke-dasharray: 3 3; }
.bar { position: absolute; left: 4px; right: 4px; bottom: 4px; display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center;
  padding: 2px 6px; background: rgba(255, 255, 255, 0.88); border-radius: 3px; }
.title { font-weight: 600; }
.key { display: inline-flex; align-items: center; gap: 3px; }
.sw { width: 12px; height: 6px; outline: 1px solid rgba(0, 0, 0, 0.4); }
`;

export class FlowcastMapElement extends HTMLElement {
  static observedAttributes = ['feed', 'corridor', 'horizon'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    const bar = document.createElement('div');
    bar.className = 'bar';
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
    root.append(style, this.svg, bar);
    /** @type {Network | null} */
    this.network = null;
    /** @type {Extract<WorkerMessage, { type: 'update' }> | null} */
    this.update = null;
    /** @type {{ el: SVGLineElement, sensor: number }[]} */
    this.lines = [];
    /** @type {FeedHub | null} */
    this.hub = null;
    this.listener = (/** @type {WorkerMessage} */ m) => this.#onMessage(m);
  }

  get feed() {
    return new URL(this.getAttribute('feed') || new URL('../api/v1/', import.meta.url).href, location.href).href.replace(/\/?$/, '/');
  }

  connectedCallback() {
    this.#subscribe();
  }

  disconnectedCallback() {
    this.hub?.listeners.delete(this.listener);
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
    else this.#recolor();
  }

  #subscribe() {
    this.hub = hubFor(this.feed);
    this.hub.listeners.add(this.listener);
    for (const m of this.hub.last.values()) this.#onMessage(m);
  }

  /** @param {WorkerMessage} m */
  #onMessage(m) {
    if (m.type === 'network') {
      this.network = m.network;
      this.#build();
    } else if (m.type === 'update') {
      this.update = m;
      this.#recolor();
    } else if (m.type === 'progress' && (m.stage === 'fatal' || m.stage === 'error')) {
      this.statusEl.textContent = m.text;
    } else if (m.type === 'feed' && m.state === 'down') {
      this.statusEl.textContent = 'feed unreachable, retrying…';
    }
  }

  /** The sensors' corridors this element shows. */
  #corridors() {
    const want = (this.getAttribute('corridor') ?? '').trim();
    const all = /** @type {Network} */ (this.network).corridors;
    if (!want) return all;
    return all.filter((c) => c.id === want || c.road === want);
  }

  #build() {
    const net = this.network;
    if (!net) return;
    const corridors = this.#corridors();
    const index = new Map(net.sensors.map((s, i) => [s.id, i]));
    /** @type {[number, number][]} */
    const pairs = [];
    for (const c of corridors) {
      const ids = c.sensors.map((id) => /** @type {number} */ (index.get(id))).filter((i) => i !== undefined);
      for (let k = 0; k + 1 < ids.length; k++) pairs.push([ids[k], ids[k + 1]]);
      if (c.loop && ids.length > 2) pairs.push([ids[ids.length - 1], ids[0]]);
    }
    const used = pairs.flat();
    const lat0 = used.length ? used.reduce((a, i) => a + net.sensors[i].lat, 0) / used.length : 0;
    const kx = Math.cos((lat0 * Math.PI) / 180);
    const X = (/** @type {number} */ i) => net.sensors[i].lon * kx, Y = (/** @type {number} */ i) => -net.sensors[i].lat;
    const xs = used.map(X), ys = used.map(Y);
    const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
    const w = Math.max(maxX - minX, 1e-3), h = Math.max(maxY - minY, 1e-3), pad = 0.05 * Math.max(w, h);
    this.svg.setAttribute('viewBox', `${minX - pad} ${minY - pad} ${w + 2 * pad} ${h + 2 * pad}`);
    const off = OFFSET_FRACTION * Math.max(w, h);
    this.lines = pairs.map(([a, b]) => {
      const dx = X(b) - X(a), dy = Y(b) - Y(a), len = Math.hypot(dx, dy) || 1;
      const ox = (-dy / len) * off, oy = (dx / len) * off; // right of travel (y points down)
      const el = /** @type {SVGLineElement} */ (document.createElementNS(SVG_NS, 'line'));
      el.setAttribute('x1', String(X(a) + ox));
      el.setAttribute('y1', String(Y(a) + oy));
      el.setAttribute('x2', String(X(b) + ox));
      el.setAttribute('y2', String(Y(b) + oy));
      return { el, sensor: a };
    });
    this.svg.replaceChildren(...this.lines.map((l) => l.el));
    const byId = corridors.length === 1 && corridors[0].id === (this.getAttribute('corridor') ?? '').trim();
    const names = [...new Set(corridors.map((c) => (byId ? `${c.road} ${c.direction}` : c.road)))].join(', ');
    this.titleEl.textContent = names || 'no such corridor';
    this.svg.setAttribute('aria-label', `Traffic speeds on ${names || 'no corridor'}`);
    this.#recolor();
  }

  #recolor() {
    const u = this.update;
    if (!u || !this.lines.length) return;
    const f = u.forecast;
    const minutes = Math.max(0, Math.min(60, Number(this.getAttribute('horizon')) || 0));
    const step = f ? Math.min(f.horizons, Math.round((minutes * 60) / f.intervalS)) : 0;
    for (const { el, sensor } of this.lines) {
      const v = step && f ? f.mid[sensor * f.horizons + step - 1] : u.speedMph[sensor];
      const bin = binOf(v);
      el.setAttribute('stroke', colorOfBin(bin));
      el.classList.toggle('missing', bin < 0);
    }
    const ahead = step && f ? ` · forecast +${Math.round((step * f.intervalS) / 60)} min` : minutes && !f ? ' · forecast loading' : '';
    this.statusEl.textContent = `Updated ${u.local}${ahead}`;
    this.dataset.ready = f ? 'forecast' : 'speeds';
  }
}

if (!customElements.get('flowcast-map')) customElements.define('flowcast-map', FlowcastMapElement);
