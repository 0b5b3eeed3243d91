// url-state.js — the view in the address bar, so that a view can be shared as a link and the
// back button steps back through what the commuter chose: `h` the forecast horizon in minutes,
// `seg` the selected segment (its detector's id), `from` and `to` the trip as entered in the trip
// form. The horizon replaces the current history entry (a slider drag is not a step back);
// selections and trips push a new one. Every other parameter (feed, tiles, …) is kept as it is.

/**
 * @typedef {object} ViewState
 * @property {number} horizonMin  0 = now
 * @property {string} segment     a sensor id, '' = none selected
 * @property {string} from        trip ends as the trip form reads them, '' = no trip
 * @property {string} to
 */

/** @type {Record<keyof ViewState, string>} */
const PARAM = { horizonMin: 'h', segment: 'seg', from: 'from', to: 'to' };

/**
 * @param {string} search a URL's query string
 * @returns {ViewState}
 */
export function readView(search) {
  const p = new URLSearchParams(search);
  const h = Number(p.get(PARAM.horizonMin));
  return {
    horizonMin: Number.isFinite(h) && h > 0 ? h : 0,
    segment: p.get(PARAM.segment) ?? '',
    from: p.get(PARAM.from) ?? '',
    to: p.get(PARAM.to) ?? '',
  };
}

/**
 * `href` with the view's parameters set (empty ones removed), the others untouched.
 * @param {string} href
 * @param {Partial<ViewState>} view
 */
export function viewUrl(href, view) {
  const url = new URL(href);
  for (const [key, value] of Object.entries(view)) {
    const name = PARAM[/** @type {keyof ViewState} */ (key)];
    if (value) url.searchParams.set(name, String(value));
    else url.searchParams.delete(name);
  }
  return url.href;
}

export class ViewHistory {
  /** @param {(view: ViewState) => void} onRestore called when the back or forward button lands on an entry */
  constructor(onRestore) {
    addEventListener('popstate', () => onRestore(readView(location.search)));
  }

  /** @returns {ViewState} the view the address bar holds now */
  get current() { return readView(location.search); }

  /** @param {Partial<ViewState>} view changes that are no step of their own (the slider) */
  replace(view) {
    const href = viewUrl(location.href, view);
    if (href !== location.href) history.replaceState(null, '', href);
  }

  /** @param {Partial<ViewState>} view a choice the back button should undo */
  push(view) {
    const href = viewUrl(location.href, view);
    if (href !== location.href) history.pushState(null, '', href);
  }
}
