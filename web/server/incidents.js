// incidents.js — where the feed's incidents (flowcast.incidents/1, docs/FORMATS.md) come from,
// one source per mode, each document checked by the network's engine (rules.js) before it is
// served, so a page never receives a document its own engine would refuse:
//
//   replay     the dataset's incidents.json (the simulator's incidents over the whole recording),
//              those in force at the replayed row, moved onto the wall clock like the row itself
//   directory  DIR/incidents.json, re-read when it changes
//   relay      the upstream's /api/v1/incidents (or incidents.json beside a static latest.json),
//              polled
//
// A refused document is counted and reported in /healthz with the engine's code and message;
// the last good one stays in service. Before any good one: 404 NO_INCIDENTS when the feed has
// no incidents at all, 502 BAD_INCIDENTS when all it has was refused.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { strongEtag } from './formats.js';
import { HttpError, withSlash } from './http.js';

export const INCIDENTS_FILE = 'incidents.json';
const SCHEMA = 'flowcast.incidents/1';

/** @typedef {import('./sources.js').Source} Source */
/** @typedef {{ json: string, etag: string, ts_ms: number }} IncidentsPayload */

/** Counters and the last refusal, shared by the three sources. */
class Checked {
  /** @param {(msg: string) => void} log */
  constructor(log) {
    this.log = log;
    /** @type {IncidentsPayload | null} */
    this.good = null;
    this.accepted = 0;
    this.rejected = 0;
    /** @type {{ code: string, message: string } | null} */
    this.last_error = null;
    /** Whether anything (good or bad) was ever offered. */
    this.offered = false;
  }

  /**
   * Hand a document to the engine; keep it when accepted.
   * @param {import('./rules.js').NetworkRules} rules
   * @param {string|Uint8Array} doc
   * @param {string} where for the log
   */
  offer(rules, doc, where) {
    this.offered = true;
    const r = rules.incidents(doc);
    if (!r.ok) {
      this.rejected++;
      this.last_error = { code: r.code, message: r.message };
      this.log(`${where}: incidents refused (${r.code}): ${r.message}`);
      return r;
    }
    this.accepted++;
    this.good = { json: r.json, etag: strongEtag(r.json), ts_ms: r.tsMs };
    return r;
  }

  /** The document to serve, or the HTTP error that says why there is none. */
  current() {
    if (this.good) return this.good;
    if (this.last_error) throw new HttpError(502, 'BAD_INCIDENTS', `the feed's incidents were refused: ${this.last_error.message}`);
    throw new HttpError(404, 'NO_INCIDENTS', 'this feed offers no incidents');
  }

  health() {
    return { accepted: this.accepted, rejected: this.rejected, last_error: this.last_error };
  }
}

/**
 * Replay: the dataset's incidents, moved by the same amount as the row the replay shows.
 * @param {Source} source
 * @param {string} dir the dataset folder
 * @param {(msg: string) => void} log
 */
function replayIncidents(source, dir, log) {
  const checked = new Checked(log);
  /** @type {import('../flowcast.js').Incident[] | null} every incident of the recording */
  let all = null;
  /** @type {IncidentsPayload | null} */
  let cached = null;
  return {
    async start() {
      let text;
      try {
        text = await readFile(join(dir, INCIDENTS_FILE));
      } catch (err) {
        if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return;
        throw err;
      }
      const store = /** @type {any} */ (source.store);
      const r = checked.offer(store.network.rules, text, join(dir, INCIDENTS_FILE));
      checked.good = null; // the recording's document is not served as such: current() cuts it
      if (r.ok) all = r.incidents;
    },
    stop() {},
    current() {
      if (!all) return checked.current();
      const store = /** @type {import('./replay.js').ReplayStore} */ (/** @type {any} */ (source.store));
      const latest = store.latest();
      if (cached?.ts_ms === latest.ts_ms) return cached;
      const interval_ms = store.interval_ms;
      // the row shown at latest ends at this dataset instant; the same shift moves its incidents
      // (a replay's entries carry their row)
      const row_end_ms = store.ds.start_ms + (/** @type {number} */ (latest.row) + 1) * interval_ms;
      const shift = latest.ts_ms - row_end_ms;
      const rules = store.network.rules;
      const incidents = all
        .filter((i) => i.startMs <= row_end_ms && (i.endMs === null || i.endMs > row_end_ms))
        .map((i) => ({
          id: i.id, kind: i.kind, sensor: i.sensor, lanes_blocked: i.lanesBlocked, lanes: i.lanes,
          start: rules.iso(i.startMs + shift), end: i.endMs === null ? null : rules.iso(i.endMs + shift),
          ...(i.description === null ? {} : { description: i.description }),
        }));
      const doc = JSON.stringify({ schema: SCHEMA, network: store.network.id, ts: latest.ts, incidents });
      const r = rules.incidents(doc);
      if (!r.ok) throw new Error(`replayed incidents at ${latest.ts} refused: ${r.message}`);
      cached = { json: r.json, etag: strongEtag(r.json), ts_ms: latest.ts_ms };
      return cached;
    },
    health: () => checked.health(),
  };
}

/**
 * Directory: DIR/incidents.json, read again whenever its size or time changes.
 * @param {Source} source
 * @param {string} dir
 * @param {(msg: string) => void} log
 */
function directoryIncidents(source, dir, log) {
  const checked = new Checked(log);
  const path = join(dir, INCIDENTS_FILE);
  let seen = '';
  return {
    async start() {},
    stop() {},
    async current() {
      const st = await stat(path).catch(() => null);
      const key = st ? `${st.size}:${st.mtimeMs}` : '';
      if (st && key !== seen && source.store) {
        seen = key;
        checked.offer(source.store.network.rules, await readFile(path), path);
      }
      return checked.current();
    },
    health: () => checked.health(),
  };
}

/**
 * Relay: the upstream's incidents, polled on the relay's period.
 * @param {Source} source
 * @param {{ upstream: string, poll_ms?: number, timeout_ms?: number }} opts
 * @param {(msg: string) => void} log
 */
function relayIncidents(source, opts, log) {
  const checked = new Checked(log);
  const base = new URL(opts.upstream);
  const url = base.pathname.endsWith('.json') ? new URL(INCIDENTS_FILE, base).href
    : new URL('api/v1/incidents', withSlash(base)).href;
  const poll_ms = opts.poll_ms ?? 10000;
  const stopping = new AbortController();
  /** @type {NodeJS.Timeout | null} */
  let timer = null;
  let etag = '';
  const poll = async () => {
    timer = null;
    try {
      if (source.store) {
        const res = await fetch(url, {
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(opts.timeout_ms ?? 10000)]),
          headers: etag ? { 'if-none-match': etag } : {},
        });
        // an upstream without incidents (404) has nothing to relay; anything else is checked
        if (res.ok) {
          const r = checked.offer(source.store.network.rules, new Uint8Array(await res.arrayBuffer()), url);
          etag = r.ok ? res.headers.get('etag') ?? '' : '';
        } else if (res.status !== 304) await res.arrayBuffer();
      }
    } catch (err) {
      if (!stopping.signal.aborted) log(`${url}: ${err instanceof Error ? err.message : err}`);
    }
    if (!stopping.signal.aborted) timer = setTimeout(poll, poll_ms);
  };
  return {
    async start() { await poll(); },
    stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
    },
    current: () => checked.current(),
    health: () => ({ url, ...checked.health() }),
  };
}

/**
 * The incidents source for a feed's mode.
 * @param {Source} source
 * @param {import('./options.js').ServerOptions} opts
 * @param {string} dataset the dataset folder (replay)
 * @returns {{ start(): Promise<void>, stop(): void, current(): IncidentsPayload | Promise<IncidentsPayload>, health(): object }}
 */
export function createIncidents(source, opts, dataset) {
  const log = opts.log ?? (() => {});
  if (source.mode === 'relay') return relayIncidents(source, /** @type {any} */ (opts), log);
  if (source.mode === 'directory') return directoryIncidents(source, /** @type {string} */ (opts.dir), log);
  return replayIncidents(source, dataset, log);
}
