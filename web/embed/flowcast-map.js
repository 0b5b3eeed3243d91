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
// Attributes, each reflected as a property of the same name (as built-in elements do: setting
// `el.horizon = 30` sets the attribute, and either updates the view):
// `feed` — API base URL (default: the api/v1/ beside this script; the property reads resolved);
// `network` — which of the feed's networks (an id from its GET api/v1/networks, e.g. "la");
// default the feed's own;
// `corridor` — a road ("I-285") or a corridor id ("I285-CW"), default all;
// `horizon` — minutes ahead, 0 (now) to 60, rounded to the feed's interval (property: a number);
// `telemetry` — present: send anonymous performance beacons to the feed (shared/telemetry.js), a
// value in 0..1 being the sampling rate; absent (the default): send nothing (property: boolean).
// Events (bubbling CustomEvents, the same names and details as the Leaflet layer's):
// `flowcast:update` { ts, local, horizon, forecast } after every recolour;
// `flowcast:error` { code, message, retrying } (embed/errors.js) for a feed that cannot be
// reached, a bad attribute, an engine that fails; the message also replaces the status shown,
// and `el.error` holds the problem shown (null when none) for scripts that listen late.
// Parts for host styling: `map` (the drawing), `legend` (the bar with title, status, key) and
// `notice` (a problem's message over an empty drawing).

import { DASHED_BIN, SPEED_BINS, binOf, colorOfBin } from '../shared/colors.js';
import { feedUrl, networkFeedUrl, startEngineWorker, statusText, updateDetail } from './engine-worker.js';
import { Problems, corridorError, embedError, parseHorizon } from './errors.js';
import { adoptStyles } from './styles.js';
import { TelemetryClient } from '../shared/telemetry.js';
import { horizonStep, pickCorridors, rightOffset, segmentPairs, speedAt } from '../shared/segments.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */
/** @typedef {import('./errors.js').EmbedError} EmbedError */
/** What a hub tells its elements: the worker's messages, and the problems it found. */
/** @typedef {WorkerMessage | { type: 'embed-error', error: EmbedError }} HubMessage */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Gap between the two directions, as a fraction of the drawing's width. */
const OFFSET_FRACTION = 0.004;

/**
 * One worker per feed URL, shared by every element that shows it; its telemetry is on while any
 * of them has the `telemetry` attribute.
 * @typedef {{ engine: import('./engine-worker.js').EngineWorker, listeners: Set<(m: HubMessage) => void>,
 *   last: Map<string, HubMessage>, telemetry: TelemetryClient, optedIn: Set<HTMLElement> }} FeedHub
 */
/** @type {Map<string, FeedHub>} */
const hubs = new Map();

/** @param {string} feed */
function hubFor(feed) {
  let hub = hubs.get(feed);
  if (!hub) {
    const h = /** @type {FeedHub} */ ({ listeners: new Set(), last: new Map(), optedIn: new Set() });
    /** @param {HubMessage} m */
    const send = (m) => {
      h.last.set(m.type, m); // a late subscriber starts from the latest of each kind
      for (const fn of h.listeners) fn(m);
    };
    h.engine = startEngineWorker(feed, {
      onMessage(m) {
        h.telemetry.onMessage(m);
        if (m.type === 'stats') return;
        if (m.type === 'network' || m.type === 'update') h.last.delete('embed-error'); // data again: the problem is over
        send(m);
      },
      onError: (error) => send({ type: 'embed-error', error }),
    });
    h.telemetry = new TelemetryClient({ url: `${feed}telemetry`, embed: true, requestStats: () => h.engine.worker.postMessage({ type: 'stats' }) });
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
.notice { position: absolute; inset: 0 0 auto; margin: 0; padding: 24px 12px; text-align: center; font-weight: 600; }
.notice[hidden], .bar [hidden] { display: none; }
line { stroke-width: 4px; vector-effect: non-scaling-stroke; stroke-linecap: butt; }
line.missing { stroke-dasharray: 3 3; }
/* the slowest class is dashed as well as dark red: a jam reads without colour vision */
line.jam { stroke-dasharray: 12 4; }
.sw.jam { background-image: linear-gradient(90deg, transparent 60%, #fff 60%); background-size: 5px 100%; }
.bar { flex: none; margin: 0 4px 4px; display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center;
  padding: 2px 6px; background: rgba(255, 255, 255, 0.88); border-radius: 3px; }
.title { font-weight: 600; }
.key { display: inline-flex; align-items: center; gap: 3px; }
.sw { width: 12px; height: 6px; outline: 1px solid rgba(0, 0, 0, 0.4); }
`;

export class FlowcastMapElement extends HTMLElement {
  static observedAttributes = ['feed', 'network', 'corridor', 'horizon', 'telemetry'];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, STYLE_TEXT);
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
      sw.className = b === SPEED_BINS[DASHED_BIN] ? 'sw jam' : 'sw';
      sw.style.backgroundColor = b.color;
      k.append(sw, b.label.replace(' mph', '').replace(' and over', '+'));
      return k;
    }).reverse();
    bar.append(this.titleEl, this.statusEl, ...keys);
    // a problem's message where the roads would be, when there are none to show
    this.noticeEl = document.createElement('p');
    this.noticeEl.className = 'notice';
    this.noticeEl.setAttribute('part', 'notice');
    this.noticeEl.setAttribute('role', 'alert');
    this.noticeEl.hidden = true;
    // the legend below the drawing, not over it: the drawing keeps all of its roads in view
    const frame = document.createElement('div');
    frame.className = 'frame';
    frame.append(this.svg, this.noticeEl, bar);
    root.append(frame);
    /** @type {Network | null} the network drawn */
    this.net = null;
    /** @type {Extract<WorkerMessage, { type: 'update' }> | null} */
    this.update = null;
    /** @type {{ el: SVGLineElement, sensor: number }[]} */
    this.lines = [];
    /** @type {FeedHub | null} */
    this.hub = null;
    this.hubFeed = '';
    this.listener = (/** @type {HubMessage} */ m) => this.#onMessage(m);
    this.problems = new Problems();
    this.connected = false;
    this.normalStatus = 'Loading…';
    // A property set before this element was defined (the script loads after the page's own)
    // is an own property hiding the accessor: pass it through the accessor, to the attribute.
    for (const name of FlowcastMapElement.observedAttributes) {
      if (!Object.hasOwn(this, name)) continue;
      const value = /** @type {any} */ (this)[name];
      delete (/** @type {any} */ (this))[name];
      /** @type {any} */ (this)[name] = value;
    }
  }

  /** The feed's API base URL, resolved (the attribute as written when it is not a URL). */
  get feed() {
    try {
      return feedUrl(this.getAttribute('feed'));
    } catch {
      return this.getAttribute('feed') ?? '';
    }
  }

  set feed(value) {
    this.#reflect('feed', value);
  }

  /** Which of the feed's networks is shown ('' for the feed's own). */
  get network() {
    return this.getAttribute('network') ?? '';
  }

  set network(value) {
    this.#reflect('network', value);
  }

  /** The road or corridor id shown; '' for the whole network. */
  get corridor() {
    return this.getAttribute('corridor') ?? '';
  }

  set corridor(value) {
    this.#reflect('corridor', value);
  }

  /** Minutes ahead as written (0 when absent or not a valid horizon). */
  get horizon() {
    return parseHorizon(this.getAttribute('horizon')).minutes;
  }

  set horizon(value) {
    this.#reflect('horizon', value);
  }

  /** Whether this element sends telemetry (the attribute's presence). */
  get telemetry() {
    return this.hasAttribute('telemetry');
  }

  set telemetry(on) {
    if (!on) this.removeAttribute('telemetry');
    else if (!this.hasAttribute('telemetry')) this.setAttribute('telemetry', '');
  }

  /** The problem the element shows (the `flowcast:error` detail), or null. */
  get error() {
    return this.problems.shown();
  }

  /**
   * @param {string} name
   * @param {unknown} value null or undefined removes the attribute
   */
  #reflect(name, value) {
    if (value === null || value === undefined) this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }

  connectedCallback() {
    this.connected = true;
    this.#checkHorizon();
    this.#subscribe();
  }

  disconnectedCallback() {
    this.connected = false;
    this.#unsubscribe();
  }

  #unsubscribe() {
    if (!this.hub) return;
    this.hub.listeners.delete(this.listener);
    this.#optIn(false);
    releaseHub(this.hubFeed);
    this.hub = null;
  }

  /**
   * @param {string} name
   * @param {string | null} old
   * @param {string | null} value
   */
  attributeChangedCallback(name, old, value) {
    // before connectedCallback (an upgrade reports every attribute) there is nothing to update
    if (!this.connected || old === value) return;
    if (name === 'feed' || name === 'network') {
      this.#unsubscribe();
      this.net = null;
      this.update = null;
      this.lines = [];
      this.svg.replaceChildren();
      this.problems.set('feed', null);
      this.#showStatus('Loading…');
      this.#subscribe();
    } else if (name === 'corridor') this.#build();
    else if (name === 'telemetry') this.#optIn(this.hasAttribute('telemetry'));
    else {
      this.#checkHorizon();
      this.#recolor();
    }
  }

  #subscribe() {
    try {
      feedUrl(this.getAttribute('feed'));
    } catch {
      this.#problem('feed', embedError('BAD_FEED', `"${this.getAttribute('feed')?.slice(0, 60)}" is not a feed address (a URL like https://host/api/v1/).`));
      return;
    }
    try {
      this.hubFeed = networkFeedUrl(this.getAttribute('feed'), this.getAttribute('network'));
    } catch {
      this.#problem('feed', embedError('BAD_NETWORK', `"${this.getAttribute('network')?.slice(0, 40)}" is not a network id (lower-case letters, digits and dashes, e.g. "la").`));
      return;
    }
    this.hub = hubFor(this.hubFeed);
    this.hub.listeners.add(this.listener);
    for (const m of this.hub.last.values()) this.#onMessage(m);
    this.#optIn(this.hasAttribute('telemetry'));
  }

  #checkHorizon() {
    this.#problem('horizon', parseHorizon(this.getAttribute('horizon')).error);
  }

  /**
   * Records (or, with null, clears) a problem, shows it and tells the page, once per problem.
   * @param {import('./errors.js').ProblemSource} source
   * @param {EmbedError | null} error
   */
  #problem(source, error) {
    const news = this.problems.set(source, error);
    this.#showStatus();
    if (!error || !news) return;
    console.warn(`flowcast: ${error.code}: ${error.message}`); // for the partner's developer
    this.#emit('flowcast:error', error);
  }

  /**
   * The status line: the problem if any (also over the drawing when that is empty), else the
   * data time and horizon.
   * @param {string} [normal] the status without a problem (default: the one shown)
   */
  #showStatus(normal = this.normalStatus) {
    this.normalStatus = normal;
    const p = this.problems.shown();
    const inNotice = !!p && !this.lines.length; // said once, where it is seen: not twice
    this.statusEl.textContent = p ? p.message : normal;
    this.statusEl.hidden = inNotice;
    this.noticeEl.textContent = inNotice ? p.message : '';
    this.noticeEl.hidden = !inNotice;
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

  /** @param {HubMessage} m */
  #onMessage(m) {
    if (m.type === 'network') {
      this.net = m.network;
      this.problems.set('feed', null);
      this.#build();
    } else if (m.type === 'update') {
      this.update = m;
      this.problems.set('feed', null);
      this.#recolor();
    } else if (m.type === 'embed-error') this.#problem('feed', m.error);
  }

  #build() {
    const net = this.net;
    if (!net) return;
    const want = this.corridor.trim();
    const corridors = pickCorridors(net, want);
    const pairs = segmentPairs(net, corridors).map((p) => [p.sensor, p.next]);
    const used = pairs.flat();
    if (!used.length) {
      this.lines = [];
      this.svg.replaceChildren();
      this.svg.removeAttribute('viewBox');
      this.titleEl.textContent = '';
      this.svg.setAttribute('aria-label', 'Traffic speeds: no corridor to show');
      this.#problem('corridor', corridorError(net, want, corridors.length) ?? embedError('BAD_CORRIDOR', 'This corridor has no stations to draw.'));
      return;
    }
    this.#problem('corridor', null);
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
    const minutes = this.horizon;
    const step = horizonStep(f, minutes);
    for (const { el, sensor } of this.lines) {
      const bin = binOf(speedAt(u.speedMph, f, sensor, step));
      el.setAttribute('stroke', colorOfBin(bin));
      el.classList.toggle('missing', bin < 0);
      el.classList.toggle('jam', bin === DASHED_BIN);
    }
    const detail = updateDetail(u, step);
    this.#showStatus(statusText(detail, minutes));
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
