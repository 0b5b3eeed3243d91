// panels.js — the page's small text panels: the status line (feed time, stale-data warning),
// the start-up progress indicator and the performance panel. Text only (textContent).

/**
 * Data is stale once two of the feed's snapshots are overdue: the next one is due an interval
 * after the last, and each gets half an interval's grace, since feeds are rarely punctual.
 */
export const STALE_AFTER_INTERVALS = 2.5;

/**
 * "45 s", "3 min", "2 h 5 min": an age for people, rounded so a live region does not chatter.
 * @param {number} ms
 */
export function formatAge(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${Math.max(5, Math.round(s / 5) * 5)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

export class StatusLine {
  /**
   * @param {HTMLElement} updated "Updated 08:15", or "Data from 08:15 (25 min old)" once stale
   * @param {HTMLElement} stale the warning, hidden while the feed is live
   * @param {HTMLElement} [faded] gets the class "old-data" while the data is stale (the map: style.css fades it)
   */
  constructor(updated, stale, faded) {
    this.updated = updated;
    this.stale = stale;
    this.faded = faded;
    this.local = '';
    this.receivedAt = NaN;
    this.intervalS = 300;
    /** @type {'' | 'forecast' | 'speeds'} what an earlier visit kept, while it is what is shown */
    this.saved = '';
    /** @type {import('../shared/types.js').FeedState | null} */
    this.feed = null;
    /** the engine cannot start (the progress line says why): nothing is "Connecting…" */
    this.failed = false;
    setInterval(() => this.#render(), 1000);
    // the browser knows when the device has no connection at all: say so at once
    addEventListener('online', () => this.#render());
    addEventListener('offline', () => this.#render());
  }

  /**
   * @param {string} local feed time in the network's time zone, "08:15"
   * @param {number} receivedAt when it arrived (this page's clock, Unix ms)
   * @param {number} intervalS
   * @param {'' | 'forecast' | 'speeds'} [saved] the data is what an earlier visit kept on this device
   */
  setData(local, receivedAt, intervalS, saved = '') {
    this.local = local;
    this.receivedAt = receivedAt;
    this.intervalS = intervalS;
    this.saved = saved;
    this.#render();
  }

  /** @param {import('../shared/types.js').FeedState} feed */
  setFeed(feed) {
    this.feed = feed;
    this.#render();
  }

  /** The engine cannot start: "Connecting to the feed…" goes until data is shown. */
  engineFailed() {
    this.failed = true;
    this.#render();
  }

  #render() {
    const age = Date.now() - this.receivedAt;
    const offline = navigator.onLine === false;
    const down = this.feed?.state === 'down';
    const old = Number.isFinite(age) && age > STALE_AFTER_INTERVALS * this.intervalS * 1000;
    if (this.local) {
      const text = this.saved ? `${this.saved === 'forecast' ? 'Forecast' : 'Speeds'} from ${this.local}, ${formatAge(age)} ago`
        : old ? `Data from ${this.local} (${formatAge(age)} old)` : `Updated ${this.local}`;
      if (this.updated.textContent !== text) this.updated.textContent = text;
    }
    this.updated.hidden = this.failed && !this.local;
    this.updated.classList.toggle('old', old || !!this.saved);
    this.faded?.classList.toggle('old-data', old);
    let text = '';
    if (offline) {
      text = this.saved ? 'Offline: the last forecast kept on this device. It updates by itself when the connection is back.'
        : this.local ? 'Offline: the map keeps the last data. It updates by itself when the connection is back.'
          : 'Offline: the map loads by itself when the connection is back.';
    } else if (this.saved) {
      text = down ? 'The feed is unreachable: this is the last forecast kept on this device. Retrying automatically…'
        : 'Kept from your last visit: updating…';
    } else if (down) {
      // once stale, the age is already in the header
      const since = Number.isFinite(age) && !old ? `: the data is ${formatAge(age)} old` : '';
      text = `Feed unreachable${since}. Retrying automatically…`;
    } else if (old) {
      text = 'No new data from the feed: the map is faded until it comes.';
    }
    if (this.stale.textContent !== text) this.stale.textContent = text;
    this.stale.hidden = !text;
    document.documentElement.dataset.feed = offline ? 'offline' : down ? 'down' : old ? 'stale' : (this.feed?.state ?? 'connecting');
  }
}

export class ProgressView {
  /**
   * @param {HTMLElement} box
   * @param {HTMLProgressElement} bar
   * @param {HTMLElement} text
   */
  constructor(box, bar, text) {
    this.box = box;
    this.bar = bar;
    this.text = text;
  }

  /**
   * @param {string} stage
   * @param {string} text
   * @param {number} fraction NaN: indeterminate
   */
  set(stage, text, fraction) {
    this.text.textContent = text;
    if (Number.isFinite(fraction)) this.bar.value = fraction;
    else this.bar.removeAttribute('value');
    const done = stage === 'ready';
    this.box.hidden = done;
    this.box.classList.toggle('error', stage === 'error' || stage === 'fatal');
    this.bar.hidden = stage === 'error' || stage === 'fatal';
  }
}

/** @param {number} ms */
const fmtMs = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

export class PerfPanel {
  /**
   * @param {HTMLButtonElement} toggle
   * @param {HTMLElement} panel contains a <tbody> and [data-field="heap"]
   */
  constructor(toggle, panel) {
    this.toggle = toggle;
    this.panel = panel;
    this.body = /** @type {HTMLTableSectionElement} */ (panel.querySelector('tbody'));
    this.heap = /** @type {HTMLElement} */ (panel.querySelector('[data-field="heap"]'));
    this.cache = /** @type {HTMLElement} */ (panel.querySelector('[data-field="cache"]'));
    /** @type {import('../shared/types.js').Perf | null} */
    this.perf = null;
    /** @type {Record<string, import('../shared/types.js').StageTiming>} timings measured on this thread */
    this.local = {};
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      panel.hidden = !open;
      if (open) this.#render();
    });
  }

  /**
   * @param {string} name
   * @param {number} ms
   */
  record(name, ms) {
    const s = (this.local[name] ??= { last: 0, total: 0, count: 0, max: 0 });
    s.last = ms;
    s.total += ms;
    s.count++;
    s.max = Math.max(s.max, ms);
  }

  /** @param {import('../shared/types.js').Perf} perf */
  setWorker(perf) {
    this.perf = perf;
    if (!this.panel.hidden) this.#render();
  }

  #render() {
    /** @type {[string, string, import('../shared/types.js').StageTiming][]} */
    const rows = [];
    for (const [k, v] of Object.entries(this.perf?.stages ?? {})) rows.push([k, 'worker', v]);
    for (const [k, v] of Object.entries(this.local)) rows.push([k, 'page', v]);
    this.body.replaceChildren(...rows.map(([name, where, s]) => {
      const tr = document.createElement('tr');
      for (const text of [name, where, fmtMs(s.last), fmtMs(s.total / s.count), fmtMs(s.max), String(s.count)]) {
        const td = document.createElement(tr.childElementCount ? 'td' : 'th');
        if (!tr.childElementCount) td.setAttribute('scope', 'row');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
    this.heap.textContent = this.perf ? `${(this.perf.heapBytes / 1048576).toFixed(1)} MiB` : '–';
    const c = this.perf?.cache;
    const lookups = c ? c.hits + c.misses : 0;
    this.cache.textContent = !c ? 'not available' : lookups === 0 ? `no queries yet (${c.entries}/${c.maxEntries} entries)`
      : `${((100 * c.hits) / lookups).toFixed(0)}% hits of ${lookups} queries (${c.entries}/${c.maxEntries} entries)`;
  }
}
