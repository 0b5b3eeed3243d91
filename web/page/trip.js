// trip.js — the "Plan a trip" form: From and To station pickers (searchable by road, direction,
// milepost and place), a Leave choice within the forecast hour, and the answer: predicted travel
// time with its range, the delay against free flow, and the best departure in the next hour.
// The worker computes; this module only builds the choices and writes text.

/** @typedef {import('../shared/types.js').Network} Network */
/** @typedef {import('../shared/types.js').TripResult} TripResult */

/**
 * How a station reads in the pickers: what a commuter would type to find it.
 * @param {import('../shared/types.js').Sensor} st
 */
export function stationText(st) {
  return `${st.road} ${st.direction} · milepost ${st.milepost.toFixed(1)}${st.label ? ` · ${st.label}` : ''}`;
}

/** @param {number} min */
const minutes = (min) => (min < 60 ? `${Math.round(min)} min` : `${Math.floor(min / 60)} h ${Math.round(min % 60)} min`);

export class TripPlanner {
  /**
   * @param {HTMLFormElement} form
   * @param {{ onQuery: (q: { from: string, to: string, leaveMin: number }) => void }} options
   */
  constructor(form, options) {
    this.form = form;
    this.options = options;
    /** @param {string} sel */
    const q = (sel) => /** @type {HTMLElement} */ (form.querySelector(sel));
    this.from = /** @type {HTMLInputElement} */ (q('[name="from"]'));
    this.to = /** @type {HTMLInputElement} */ (q('[name="to"]'));
    this.leave = /** @type {HTMLSelectElement} */ (q('[name="leave"]'));
    this.list = /** @type {HTMLDataListElement} */ (q('datalist'));
    this.out = q('[data-field="result"]');
    /** @type {Map<string, string>} picker text -> station id */
    this.byText = new Map();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit();
    });
  }

  /**
   * Fills the station list and the Leave choices (now, +5 … the forecast's last step).
   * @param {Network} network
   * @param {number} stepMin
   * @param {number} steps
   */
  setNetwork(network, stepMin = 5, steps = 12) {
    this.byText.clear();
    const options = network.sensors.map((st) => {
      const text = stationText(st);
      this.byText.set(text, st.id);
      this.byText.set(st.id, st.id);
      const o = document.createElement('option');
      o.value = text;
      return o;
    });
    this.list.replaceChildren(...options);
    const leave = [];
    for (let k = 0; k <= steps; k++) {
      const o = document.createElement('option');
      o.value = String(k * stepMin);
      o.textContent = k === 0 ? 'now' : `in ${k * stepMin} min`;
      leave.push(o);
    }
    this.leave.replaceChildren(...leave);
  }

  #submit() {
    const from = this.byText.get(this.from.value.trim());
    const to = this.byText.get(this.to.value.trim());
    this.from.setCustomValidity(from ? '' : 'Choose a station from the list');
    this.to.setCustomValidity(to ? '' : 'Choose a station from the list');
    if (!from || !to) {
      this.form.reportValidity();
      return;
    }
    this.out.textContent = 'Computing…';
    this.options.onQuery({ from, to, leaveMin: Number(this.leave.value) || 0 });
  }

  /** @param {TripResult} r */
  show(r) {
    this.out.replaceChildren();
    if (r.error) {
      this.out.textContent = r.error;
      this.form.dataset.result = 'error';
      return;
    }
    const line = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ field) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = field;
      this.out.append(dt, dd);
    };
    line(`Leaving ${r.leave}`, `${minutes(r.minutes)} (likely ${Math.round(r.low)}–${Math.round(r.high)} min), ${r.distanceMi.toFixed(1)} mi`, 'time');
    line('Delay', r.delayMinutes >= 0.5 ? `${minutes(r.delayMinutes)} over free flow (${minutes(r.freeFlowMinutes)})` : 'none: traffic flows freely', 'delay');
    const saves = r.best.savesMinutes >= 0.5 ? `, ${minutes(r.best.savesMinutes)} faster than leaving now` : '';
    line('Best departure', `${r.best.inMin <= 0 ? 'now' : `${r.best.at} (in ${r.best.inMin} min)`}: ${minutes(r.best.minutes)}${saves}`, 'best');
    this.form.dataset.result = 'ok';
  }
}
