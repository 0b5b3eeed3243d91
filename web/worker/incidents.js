// incidents.js — the worker's side of incidents: fetches the feed's /incidents after each new
// snapshot (If-None-Match, so an unchanged list costs a 304), has the engine validate it
// (Predictor.parseIncidents: the engine's rules, never a second copy here) and posts the page
// the incidents with their local times. A refused or missing document is reported as such, so
// the page says "no incident information" rather than "no incidents".

/** @typedef {import('../shared/types.js').IncidentsMessage} IncidentsMessage */

export class IncidentFeed {
  /**
   * @param {{ base: string, engine: import('../flowcast.js').Predictor, localClock: (ms: number) => string,
   *   post: (m: IncidentsMessage) => void, fetch?: typeof fetch }} o
   */
  constructor(o) {
    this.o = o;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.etag = '';
    /** @type {Promise<void> | null} */
    this.inFlight = null;
    this.again = false;
  }

  /** Fetch again (after a new snapshot); calls during a fetch make one more afterwards. */
  refresh() {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.#fetchOnce().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
    return this.inFlight;
  }

  async #fetchOnce() {
    const { base, engine, post, localClock } = this.o;
    let r;
    try {
      r = await this.fetch(`${base}incidents`, { headers: this.etag ? { 'if-none-match': this.etag } : {}, cache: 'no-store' });
    } catch {
      return; // the feed is down: the snapshot side reports it; the last list stays
    }
    if (r.status === 304) return;
    if (!r.ok) {
      this.etag = '';
      // 404: this feed has no incidents; anything else: it has them but could not give them
      post({ type: 'incidents', state: r.status === 404 ? 'none' : 'refused', incidents: [] });
      return;
    }
    const res = engine.parseIncidents(new Uint8Array(await r.arrayBuffer()));
    if (!res.ok) {
      console.warn(`incidents refused: ${res.code}: ${res.message}`);
      this.etag = '';
      post({ type: 'incidents', state: 'refused', incidents: [] });
      return;
    }
    this.etag = r.headers.get('etag') ?? '';
    post({
      type: 'incidents', state: 'ok',
      incidents: res.incidents.map((i) => ({ ...i, startLocal: localClock(i.startMs), endLocal: i.endMs === null ? null : localClock(i.endMs) })),
    });
  }
}
