// feed.js — the worker's side of the feed server's API (docs/API.md), with no DOM and no engine:
// fetching the network, the binary history and the model file, and a live connection that
// delivers every snapshot once and in order. The live connection prefers the event stream,
// falls back to polling `snapshot/latest` (static hosting has no stream), retries with
// exponential backoff when the feed is unreachable, and catches up through
// `snapshots?since=` when it comes back, so a gap in the connection is not a gap in the data.
// Snapshots are handed on as JSON text (or parsed objects from a catch-up page): the engine
// parses them, this module only needs their order.

/**
 * @typedef {object} HistoryMatrices
 * @property {string} network     network id
 * @property {number} startMs     start of row 0's period (Unix ms)
 * @property {number} intervalS
 * @property {number} rows
 * @property {string[]} sensors   column order (the network's sensor order)
 * @property {Float32Array} speedMph   rows x sensors, row-major, NaN = missing
 * @property {Float32Array} [volumeVph] absent from a speeds-only body (`fields=speed`)
 * @property {Float32Array} [occupancy]
 */

/** @typedef {import('../shared/types.js').FeedState} FeedState */

/** Magic of the binary history body: "FCH1". */
const HISTORY_MAGIC = 0x31484346;

/**
 * Maps a binary history body (`Accept: application/octet-stream`, docs/API.md) without copying.
 * Throws an Error naming what is wrong for a body that is not one.
 * @param {ArrayBuffer} buf
 * @returns {HistoryMatrices}
 */
export function parseHistoryBinary(buf) {
  if (buf.byteLength < 8) throw new Error(`history: ${buf.byteLength} bytes is too short`);
  const dv = new DataView(buf);
  if (dv.getUint32(0, true) !== HISTORY_MAGIC) throw new Error('history: not an FCH1 body');
  const headLen = dv.getUint32(4, true);
  if (8 + headLen > buf.byteLength || (8 + headLen) % 4 !== 0) throw new Error(`history: bad header length ${headLen}`);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, headLen)));
  const rows = head.rows, n = head.sensors?.length;
  if (!Number.isInteger(rows) || !Number.isInteger(n) || !Number.isInteger(head.interval_s)) throw new Error('history: header lacks rows, sensors or interval_s');
  const cells = rows * n;
  // the planes, in order, as the header's layout lists them (`fields=speed`: the speeds only)
  const layout = Array.isArray(head.layout) ? head.layout : ['speed_mph:f32', 'volume_vph:f32', 'occupancy:f32', 'quality:u8'];
  /** @type {Record<string, Float32Array | Uint8Array>} */
  const planes = {};
  let at = 8 + headLen;
  for (const item of layout) {
    const [name, type] = String(item).split(':');
    const size = type === 'f32' ? 4 : type === 'u8' ? 1 : 0;
    if (!size || at % size) throw new Error(`history: bad layout entry ${String(item).slice(0, 40)}`);
    if (at + size * cells > buf.byteLength) throw new Error(`history: ${buf.byteLength} bytes for ${rows} x ${n} cells`);
    planes[name] = size === 4 ? new Float32Array(buf, at, cells) : new Uint8Array(buf, at, cells);
    at += size * cells;
  }
  if (!(planes.speed_mph instanceof Float32Array)) throw new Error('history: no speed_mph plane');
  const startMs = Date.parse(head.start);
  if (!Number.isFinite(startMs)) throw new Error(`history: bad start ${String(head.start).slice(0, 40)}`);
  const f32 = (/** @type {string} */ k) => (planes[k] instanceof Float32Array ? /** @type {Float32Array} */ (planes[k]) : undefined);
  return {
    network: head.network, startMs, intervalS: head.interval_s, rows, sensors: head.sensors,
    speedMph: /** @type {Float32Array} */ (planes.speed_mph), volumeVph: f32('volume_vph'), occupancy: f32('occupancy'),
  };
}

/**
 * @typedef {object} FeedOptions
 * @property {string} base            API base URL ending in "/", e.g. "https://host/api/v1/"
 * @property {(snapshot: string | object) => number} onSnapshot ingests one snapshot and returns
 *   its time (Unix ms), or NaN when it was not accepted
 * @property {(state: FeedState) => void} [onState] connection changes
 * @property {typeof EventSource | null} [EventSource] the stream client (null: poll only)
 * @property {number} [pollMs]        polling period (default 30 s)
 * @property {number} [retryBaseMs]   first retry delay (default 1 s), doubling per failure
 * @property {number} [retryMaxMs]    retry delay cap (default 30 s)
 * @property {number} [timeoutMs]     a catch-up or poll request with no answer by then fails
 *   (default 20 s), so that a feed that hangs is retried like one that is down
 * @property {typeof fetch} [fetch]
 */

/**
 * The live connection. Call start() once the engine holds everything up to `lastTs`.
 */
export class FeedConnection {
  /**
   * @param {FeedOptions} o
   * @param {number} lastTs newest snapshot time already ingested (Unix ms), NaN for none
   */
  constructor(o, lastTs) {
    this.o = o;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.EventSource = o.EventSource === undefined ? globalThis.EventSource ?? null : o.EventSource;
    this.lastTs = lastTs;
    /** @type {'stream' | 'poll'} */
    this.mode = this.EventSource ? 'stream' : 'poll';
    this.failures = 0;
    this.everStreamed = false;
    this.streamFailures = 0;
    /** @type {EventSource | null} */
    this.es = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.etag = '';
    this.stopped = false;
    /** @type {FeedState['state']} */
    this.state = 'connecting';
  }

  start() {
    this.stopped = false;
    this.#connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.es?.close();
    this.es = null;
  }

  /**
   * @param {FeedState['state']} state
   * @param {string} [error]
   * @param {number} [retryInMs]
   */
  #report(state, error = '', retryInMs = 0) {
    this.state = state;
    this.o.onState?.({ state, mode: this.mode, failures: this.failures, retryInMs, error });
  }

  /** @param {string | object} snapshot */
  #deliver(snapshot) {
    const ts = this.o.onSnapshot(snapshot);
    if (Number.isFinite(ts) && !(ts <= this.lastTs)) this.lastTs = ts;
  }

  /**
   * GET with a deadline on the whole answer, body included.
   * @param {string} url
   * @param {string} what names the request in errors
   * @param {Record<string, string>} [headers]
   * @param {(r: Response) => Promise<T>} read
   * @returns {Promise<{ r: Response, body: T | undefined }>}
   * @template T
   */
  async #get(url, what, read, headers = {}) {
    const ms = this.o.timeoutMs ?? 20000;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), ms);
    try {
      const r = await this.fetch(url, { headers, cache: 'no-store', signal: ctl.signal });
      const body = r.ok ? await read(r) : undefined;
      return { r, body };
    } catch (err) {
      if (ctl.signal.aborted) throw new Error(`${what}: no answer in ${Math.round(ms / 1000)} s`);
      if (err instanceof SyntaxError) throw new Error(`${what}: the feed sent invalid JSON`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fetches every snapshot after lastTs, page by page. Throws when the feed is unreachable. */
  async #catchUp() {
    if (!Number.isFinite(this.lastTs)) {
      await this.#pollLatest();
      return;
    }
    for (let page = 0; page < 100; page++) {
      const since = new Date(this.lastTs).toISOString();
      const { r, body } = await this.#get(`${this.o.base}snapshots?since=${encodeURIComponent(since)}`, 'snapshots', (res) => res.json());
      if (r.status === 404) { // a static host has no catch-up route: the latest is all there is
        await this.#pollLatest();
        return;
      }
      if (!r.ok || !body) throw new Error(`snapshots: HTTP ${r.status}`);
      for (const s of body.snapshots ?? []) this.#deliver(s);
      if (!body.more || !body.snapshots?.length) return;
    }
  }

  /** One poll of snapshot/latest (conditional). Throws when the feed is unreachable. */
  async #pollLatest() {
    /** @type {Record<string, string>} */
    const headers = this.etag ? { 'if-none-match': this.etag } : {};
    const { r, body } = await this.#get(`${this.o.base}snapshot/latest`, 'snapshot/latest', (res) => res.text(), headers);
    if (r.status === 304) return;
    if (!r.ok || body === undefined) throw new Error(`snapshot/latest: HTTP ${r.status}`);
    this.etag = r.headers.get('etag') ?? '';
    this.#deliver(body);
  }

  async #connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    try {
      await this.#catchUp();
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (this.stopped) return;
    // The backoff restarts once the connection is up: for the stream that is when it opens (a
    // stream that fails at once after every good catch-up must not be retried at the base rate).
    if (this.mode === 'stream') this.#openStream();
    else {
      this.failures = 0;
      this.#report('live');
      this.timer = setTimeout(() => this.#connect(), this.o.pollMs ?? 30000);
    }
  }

  #openStream() {
    const EventSourceCtor = /** @type {typeof EventSource} */ (this.EventSource);
    const last = Number.isFinite(this.lastTs) ? `?lastEventId=${encodeURIComponent(new Date(this.lastTs).toISOString())}` : '';
    const es = new EventSourceCtor(`${this.o.base}stream${last}`);
    this.es = es;
    es.addEventListener('open', () => {
      // the feed has an event stream (a static host's 404 never opens): its later failures are
      // outages to back off from, not a reason to poll instead; set here, not at the first
      // snapshot, which a stream dropped early (a server restart) may not have delivered yet
      this.everStreamed = true;
      this.failures = 0;
      this.#report('live');
    });
    es.addEventListener('snapshot', (ev) => {
      this.everStreamed = true;
      this.#deliver(/** @type {MessageEvent} */ (ev).data);
    });
    // More were missed than the stream resends: fill the hole from the catch-up route.
    es.addEventListener('gap', () => { es.close(); this.#connect(); });
    es.addEventListener('error', () => {
      es.close();
      if (this.es !== es || this.stopped) return;
      this.es = null;
      // A stream that never delivered anything while the rest of the API answers is missing
      // (static hosting): poll instead.
      if (!this.everStreamed && ++this.streamFailures >= 2) this.mode = 'poll';
      this.#fail(new Error('event stream closed'));
    });
  }

  /** @param {unknown} err */
  #fail(err) {
    if (this.stopped) return;
    this.failures++;
    const base = this.o.retryBaseMs ?? 1000;
    const cap = this.o.retryMaxMs ?? 30000;
    // ±20 % jitter so that many pages do not retry in step after an outage
    const delay = Math.round(Math.min(cap, base * 2 ** (this.failures - 1)) * (0.8 + 0.4 * Math.random()));
    this.#report('down', err instanceof Error ? err.message : String(err), delay);
    this.timer = setTimeout(() => this.#connect(), delay);
  }
}

/**
 * GET a URL; 404 answers null (an optional resource), other failures throw.
 * @param {string} url
 * @param {RequestInit} [init]
 * @param {typeof fetch} [fetchFn]
 * @returns {Promise<Response | null>}
 */
export async function fetchOptional(url, init, fetchFn = globalThis.fetch.bind(globalThis)) {
  const r = await fetchFn(url, init);
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}
