// trip.js — the "Plan a trip" form: one search box per end that takes places, exits, mileposts,
// "Inner Loop at …" and "My location" (places.js turns the words into stations), a swap
// button, "leave" or "arrive by" within the forecast, and the answer: the travel time with its
// range, the delay against free flow, and the best departure. The direction is never asked:
// every carriageway's station at each end goes to the worker, and the engine's answers pick
// the trip that really goes from A to B. An end can also be picked on the map ("Trip from here",
// setEnd). Validation lives in one place (#validate), with the
// browser's constraint validation, and a box's message clears as soon as it is edited.

import { spotName } from '../shared/names.js';
import { MY_LOCATION, PlaceIndex, normalize, placeExamples, stationText } from './places.js';

export { stationText } from './places.js';

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').Sensor} Sensor */
/** @typedef {import('../shared/types.js').TripResult} TripResult */
/** @typedef {import('../shared/types.js').TripError} TripError */
/** @typedef {import('./places.js').Resolved} Resolved */

/** What the engine's trip error codes mean to a commuter (the engine's own words are for logs). */
const PLAIN = /** @type {Record<string, string>} */ ({
  E_NOT_FOUND: 'These roads do not connect those two places in that direction.',
  E_RANGE: 'That time is outside the forecast: choose a time within the next hour.',
  E_STATE: 'Travel times need live data and the forecast model, which are still loading. Try again in a moment.',
  E_ARG: 'From and To are the same place: choose two different places.',
  E_GAP: 'This trip crosses a stretch where no detector reports, so no travel time can be given for it.',
});
const PLAIN_OTHER = 'The travel time could not be worked out just now. Try again in a moment.';

/** @param {number} min @returns {string} "19 min", "1 h 9 min" */
export function minutes(min) {
  const m = Math.max(0, Math.round(min));
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/**
 * A likely range in words, or '' when it rounds to one number ("likely 10-10 min" says nothing).
 * @param {number} low @param {number} high
 */
export function rangeText(low, high) {
  const lo = Math.round(low), hi = Math.round(high);
  if (lo >= hi) return '';
  return hi < 60 ? `likely ${lo}–${hi} min` : `likely ${minutes(lo)} to ${minutes(hi)}`;
}

/**
 * The route in the map's words, its carriageway said once when both ends are on it: "I-285
 * Inner Loop (clockwise), exit 20 (Cumberland) to exit 33 (Spaghetti Junction)", "I-75
 * northbound, exit 255 (Buckhead) to Marietta" (an area's "near" reads wrong after "to").
 * @param {PlaceIndex} places
 * @param {string} from station id
 * @param {string} to station id
 */
function routeText(places, from, to) {
  const a = places.corridor(from), b = places.corridor(to), end = places.byId.get(to);
  return `${places.describe(from)} to ${a && a === b && end ? spotName(end).replace(/^near /, '') : places.describe(to)}`;
}

export class TripPlanner {
  /** @type {PlaceIndex | null} the network's places, once built (see places) */
  #places = null;

  /**
   * @param {HTMLFormElement} form
   * @param {{ onQuery: (q: { id: number, pairs: [string, string][], leaveMin?: number, arriveMin?: number }) => void,
   *   onClear: () => void }} options  onClear: a new question, so the drawn route goes too
   */
  constructor(form, options) {
    this.form = form;
    this.options = options;
    /** @param {string} sel */
    const q = (sel) => /** @type {HTMLElement} */ (form.querySelector(sel));
    this.from = /** @type {HTMLInputElement} */ (q('[name="from"]'));
    this.to = /** @type {HTMLInputElement} */ (q('[name="to"]'));
    this.mode = /** @type {HTMLSelectElement} */ (q('[name="mode"]'));
    this.leave = /** @type {HTMLSelectElement} */ (q('[name="leave"]'));
    this.leaveLabel = q('label[for="trip-leave"]');
    this.out = q('[data-field="result"]');
    /** @type {Network | null} */
    this.network = null;
    this.stepMin = 5;
    this.steps = 12;
    /** The newest query sent; older answers arriving late are dropped. */
    this.queryId = 0;
    /** The query sent and not answered yet ("Computing…"), or 0. */
    this.awaiting = 0;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit();
    });
    for (const box of [this.from, this.to]) {
      box.addEventListener('input', () => {
        box.setCustomValidity(''); // the standard pattern: a message lasts until the box is edited
        this.#suggest(box);
      });
    }
    q('[data-action="swap"]').addEventListener('click', () => {
      [this.from.value, this.to.value] = [this.to.value, this.from.value];
      this.from.setCustomValidity('');
      this.to.setCustomValidity('');
      if (this.form.dataset.result && this.from.value && this.to.value) this.#submit(); // the way back
    });
    this.mode.addEventListener('change', () => this.#fillTimes());
  }

  /**
   * The network's examples in the hint, and the time choices: leave now … the forecast's last
   * step, or arrive within two hours. Its place index is built when first needed, or by warm().
   * @param {Network} network
   * @param {number} stepMin
   * @param {number} steps
   */
  setNetwork(network, stepMin = 5, steps = 12) {
    this.network = network;
    this.#places = null;
    const hint = this.form.querySelector('.trip-examples');
    if (hint) {
      const ex = placeExamples(network);
      hint.textContent = `For example ${ex.slice(0, -1).join(', ')} or ${ex[ex.length - 1]}; or select a road on the map: “Trip from here”.`;
    }
    this.stepMin = stepMin;
    this.steps = steps;
    this.#fillTimes();
  }

  /**
   * The network's places, indexed for the boxes: built on first need (a suggestion, a trip)
   * rather than with the map, since on a slow phone it costs as much as a sixth of drawing the
   * network (PERFORMANCE.md §41); null before the network.
   */
  get places() {
    return this.network ? (this.#places ??= new PlaceIndex(this.network)) : null;
  }

  /**
   * One end of a trip picked on the map ("Trip from here" in a segment's details): its box gets
   * the station's name as its segment is named on the map (PlaceIndex.textOf), which means that
   * carriageway's station and no other. With the other end there too, the trip is asked at once;
   * otherwise the answer's place says what comes next. Returns whether the trip was asked.
   * @param {'from' | 'to'} end
   * @param {Sensor} st
   */
  setEnd(end, st) {
    const [box, other] = end === 'from' ? [this.from, this.to] : [this.to, this.from];
    box.value = this.places?.textOf(st.id) ?? stationText(st);
    box.setCustomValidity('');
    if (other.value.trim()) {
      this.#submit();
      return true;
    }
    this.#newQuestion(); // an answer still coming is for other ends
    this.awaiting = 0;
    const name = this.places?.describe(st.id) ?? st.id;
    const next = document.createElement('div'); // the answer's list has two columns: this spans them
    next.className = 'trip-next';
    this.out.append(next);
    next.textContent = end === 'from'
      ? `From ${name}. Where to? Type a place, or select a road on the map and choose “Trip to here”.`
      : `To ${name}. From where? Type a place, or select a road on the map and choose “Trip from here”.`;
    return false;
  }

  /** Builds the place index and the boxes' first suggestions: for when the page is idle. */
  warm() {
    this.#suggest(this.from);
    this.#suggest(this.to);
  }

  #fillTimes() {
    const arriving = this.mode.value === 'arrive';
    this.leaveLabel.textContent = arriving ? 'Arrive by' : 'Leave';
    const keep = this.leave.value;
    const opts = [];
    // arriving: from two steps (a trip takes time) to the forecast's end plus an hour of driving
    for (let k = arriving ? 2 : 0; k <= (arriving ? this.steps + Math.round(60 / this.stepMin) : this.steps); k++) {
      const o = document.createElement('option');
      o.value = String(k * this.stepMin);
      o.textContent = k === 0 ? 'now' : `in ${k * this.stepMin} min`;
      opts.push(o);
    }
    this.leave.replaceChildren(...opts);
    if (opts.some((o) => o.value === keep)) this.leave.value = keep;
    else if (arriving) this.leave.value = String(6 * this.stepMin);
  }

  /** @param {HTMLInputElement} box */
  #suggest(box) {
    const list = /** @type {HTMLDataListElement | null} */ (box.list);
    if (!list || !this.places) return;
    list.replaceChildren(...this.places.suggest(box.value).map((s) => {
      const o = document.createElement('option');
      o.value = s.value;
      o.label = s.label;
      return o;
    }));
  }

  /** @param {HTMLInputElement} box @returns {Promise<Resolved>} */
  async #resolve(box) {
    const places = /** @type {PlaceIndex} */ (this.places);
    if (normalize(box.value) !== normalize(MY_LOCATION)) return places.resolve(box.value);
    if (!('geolocation' in navigator)) return { error: 'This browser cannot share your location: type a place instead.' };
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve(places.nearest(p.coords.latitude, p.coords.longitude)),
        (err) => resolve({ error: err.code === err.PERMISSION_DENIED
          ? 'Your location is blocked for this page: allow it in the browser, or type a place instead.'
          : 'Your location is not available right now: type a place instead.' }),
        { timeout: 10000, maximumAge: 60000 });
    });
  }

  /**
   * The one place where the boxes are judged: each gets its message (or none), the browser
   * shows the first, and only a valid pair goes on.
   * @returns {Promise<{ from: Resolved & { stations: string[] }, to: Resolved & { stations: string[] }, pairs: [string, string][] } | null>}
   */
  async #validate() {
    if (!this.places) {
      this.from.setCustomValidity('The map is still loading: try again in a moment.');
      this.form.reportValidity();
      return null;
    }
    const [from, to] = await Promise.all([this.#resolve(this.from), this.#resolve(this.to)]);
    this.from.setCustomValidity('error' in from ? from.error : '');
    this.to.setCustomValidity('error' in to ? to.error : '');
    /** @type {[string, string][]} */
    const pairs = [];
    if ('stations' in from && 'stations' in to) {
      for (const a of from.stations) for (const b of to.stations) if (a !== b) pairs.push([a, b]);
      if (!pairs.length || from.label === to.label) this.to.setCustomValidity(PLAIN.E_ARG);
    }
    if (!this.form.reportValidity() || !('stations' in from) || !('stations' in to)) return null;
    return { from, to, pairs };
  }

  /** A new question: the old answer and route go at once. @returns {number} its id */
  #newQuestion() {
    this.out.replaceChildren();
    delete this.form.dataset.result;
    this.options.onClear();
    return ++this.queryId;
  }

  async #submit() {
    const id = this.#newQuestion();
    const v = await this.#validate();
    if (!v || id !== this.queryId) return;
    this.out.textContent = 'Computing…';
    this.awaiting = id;
    const when = Number(this.leave.value) || 0;
    this.options.onQuery(this.mode.value === 'arrive' ? { id, pairs: v.pairs, arriveMin: when } : { id, pairs: v.pairs, leaveMin: when });
  }

  /**
   * Shows the worker's answer. Returns false for an answer to an older question (ignored).
   * @param {TripResult | TripError} r
   */
  show(r) {
    if (r.id !== undefined && r.id !== this.queryId) return false;
    this.awaiting = 0;
    this.out.replaceChildren();
    if ('code' in r) {
      console.warn(`trip: ${r.code}: ${r.error}`);
      this.out.textContent = PLAIN[r.code] ?? PLAIN_OTHER;
      this.form.dataset.result = 'error';
      return true;
    }
    const line = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ field) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = field;
      this.out.append(dt, dd);
    };
    const places = this.places;
    if (places) line('Route', routeText(places, r.from, r.to), 'route');
    const range = rangeText(r.low, r.high);
    const time = `${minutes(r.minutes)}${range ? ` (${range})` : ''}, ${r.distanceMi.toFixed(1)} mi`;
    if (r.arrive) {
      const a = r.arrive;
      const leaveAt = a.inMin <= 0 ? 'now' : `${r.leave} (in ${a.inMin} min)`;
      line(`Arrive by ${a.at}`, a.lateMin >= 0.5
        ? `even leaving now you arrive about ${a.arriveAt}, ${minutes(a.lateMin)} late`
        : `leave ${leaveAt}, arrive about ${a.arriveAt}`, 'arrive');
      line('Trip', time, 'time');
    } else {
      line(`Leaving ${r.leave}`, time, 'time');
    }
    if (r.estimatedSegments) {
      line('Note', `${r.estimatedSegments} ${r.estimatedSegments === 1 ? 'stretch has' : 'stretches have'} no detector data of its own: estimated from the neighbouring detectors, so the range is wider`, 'estimated');
    }
    line('Delay', r.delayMinutes >= 0.5 ? `${minutes(r.delayMinutes)} over free flow (${minutes(r.freeFlowMinutes)})` : 'none: traffic flows freely', 'delay');
    const saves = r.best.savesMinutes >= 0.5 ? `, ${minutes(r.best.savesMinutes)} faster than leaving now` : '';
    line('Best departure', `${r.best.inMin <= 0 ? 'now' : `${r.best.at} (in ${r.best.inMin} min)`}: ${minutes(r.best.minutes)}${saves}`, 'best');
    this.form.dataset.result = 'ok';
    return true;
  }
}
