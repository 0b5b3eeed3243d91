// commute.js — one saved commute per network, kept in this browser (localStorage): "Save as my
// commute" stores the trip form's two ends as entered; on the next visit the page asks for that
// trip at once, so its travel time is the first answer on screen. Also the small interface to
// the trip form that the address bar uses too: read its ends, fill them in and ask.

/** @typedef {{ from: string, to: string }} TripEnds */

const STORAGE_KEY = 'flowcast.commute';

/**
 * The trip form's two ends as the commuter entered them.
 * @param {HTMLFormElement} form the trip planner's form (inputs named "from" and "to")
 * @returns {TripEnds}
 */
export function tripEnds(form) {
  const value = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value.trim();
  return { from: value('from'), to: value('to') };
}

/**
 * Fills in the trip form and submits it, as the commuter would: the planner validates and asks.
 * @param {HTMLFormElement} form
 * @param {TripEnds} ends
 */
export function askTrip(form, ends) {
  for (const name of /** @type {const} */ (['from', 'to'])) {
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
    input.value = ends[name];
    input.dispatchEvent(new Event('input', { bubbles: true })); // a planner that validates on input hears it
  }
  form.requestSubmit();
}

export class SavedCommute {
  /**
   * @param {HTMLElement} section hidden while there is neither a saved commute nor a trip to save; holds [data-field="saved"] with [data-field="route"], and the
   *   [data-action="save"] and [data-action="forget"] buttons
   * @param {string} networkId a commute belongs to the network it was saved on
   * @param {() => TripEnds | null} current the trip on screen, if it has an answer
   */
  constructor(section, networkId, current) {
    /** @param {string} sel */
    const q = (sel) => /** @type {HTMLElement} */ (section.querySelector(sel));
    this.section = section;
    this.saved = q('[data-field="saved"]');
    this.route = q('[data-field="route"]');
    this.save = /** @type {HTMLButtonElement} */ (q('[data-action="save"]'));
    this.forget = /** @type {HTMLButtonElement} */ (q('[data-action="forget"]'));
    this.networkId = networkId;
    this.current = current;
    this.answered = false;
    this.save.addEventListener('click', () => {
      const ends = current();
      if (ends) this.#store(ends);
    });
    this.forget.addEventListener('click', () => this.#store(null));
    this.#render();
  }

  /** @returns {TripEnds | null} this network's saved commute */
  get ends() {
    try {
      const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
      return v?.network === this.networkId && typeof v.from === 'string' && typeof v.to === 'string' ? { from: v.from, to: v.to } : null;
    } catch { // storage switched off, or an entry of another version: no commute
      return null;
    }
  }

  /** @param {boolean} answered whether a trip answer is on screen (there is something to save) */
  setAnswered(answered) {
    this.answered = answered;
    this.#render();
  }

  /** @param {TripEnds | null} ends */
  #store(ends) {
    try {
      if (ends) localStorage.setItem(STORAGE_KEY, JSON.stringify({ network: this.networkId, ...ends }));
      else localStorage.removeItem(STORAGE_KEY);
    } catch { /* storage switched off: the commute lasts as long as the page */ }
    this.#render(ends);
  }

  /** @param {TripEnds | null} [ends] */
  #render(ends = this.ends) {
    this.saved.hidden = !ends;
    this.route.textContent = ends ? `${ends.from} → ${ends.to}` : '';
    this.forget.hidden = !ends;
    const now = this.answered ? this.current() : null;
    this.save.hidden = !now || (ends?.from === now.from && ends?.to === now.to);
    this.section.hidden = !ends && !this.answered;
  }
}
