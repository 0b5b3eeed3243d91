// Where snapshots come from. Each source owns a store (store.js) and fills it:
//   replay     a dataset folder mapped onto the wall clock (replay.js)
//   relay      an upstream feed polled over HTTP, with backoff; the last good snapshot stays
//   directory  a folder of snapshot files, served as-is or played back on the clock, and
//              watched for new ones
// A source exposes `mode`, `store` (null until the network is known), `now()`, `speed`,
// `start()`, `stop()` and `health()`. Relay and directory keep their snapshots in a DurableStore
// (log.js) when given a log folder, so a restart loses nothing; without one, in memory only.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableStore, LOG_NETWORK_FILE } from './log.js';
import { loadDataset } from './dataset.js';
import { INCIDENTS_FILE } from './incidents.js';
import { withSlash } from './http.js';
import { ReplayStore } from './replay.js';
import { MemoryStore } from './store.js';
import { encodeSnapshotBinary, loadNetwork, snapshotToEntry } from './formats.js';
import { RuleError } from './rules.js';
import { VirtualClock, parseIso } from './clock.js';

/** Upstream responses larger than this are refused (a catch-up page of Atlanta is ~9 MB). */
const MAX_UPSTREAM_BYTES = 128 * 1024 * 1024;
/** A relayed snapshot older than this many intervals marks the feed stale. */
const STALE_INTERVALS = 3;
/** Pages of upstream catch-up fetched per poll (each up to CATCHUP_LIMIT snapshots). */
const CATCHUP_PAGES = 8;
const CATCHUP_LIMIT = 288;
/** A relay starting up copies this much recent history from a flowcast upstream. */
const BACKFILL_MS = 24 * 3600 * 1000;
const DAY_MS = 86400000;
/** A relayed snapshot further ahead of our clock than this is refused: one from a broken
 * upstream clock (year 2100, say) would otherwise become the latest for good, and every real one
 * after it would be refused as older. A few minutes of skew between honest clocks is normal;
 * an accelerated demo feed needs --max-ahead-s (issue 19: minutes, configurable). */
const MAX_AHEAD_MS = 15 * 60 * 1000;
/** How often a running relay asks its upstream's network again (a 2 KB–200 KB document; a new
 * version, same id or not, is adopted: the log's history is kept where its sensors persist). */
const NETWORK_CHECK_MS = 10 * 60 * 1000;

/**
 * @typedef {Object} Health
 * @property {'ok'|'degraded'} status
 * @property {Record<string, unknown>} [detail]
 */

/**
 * @typedef {Object} Source
 * @property {'replay'|'relay'|'directory'} mode
 * @property {import('./store.js').SnapshotStore|null} store
 * @property {() => Promise<void>} start
 * @property {() => void} stop
 * @property {() => Health} health
 * @property {() => number} now wall (or virtual) clock of the feed, ms
 * @property {number} speed how much faster than real time that clock runs
 */

/**
 * Where relay and directory keep snapshots: the durable log in `log_dir`, or memory only.
 * @typedef {{ log_dir?: string|null, retention_days?: number, capacity?: number, log?: (msg: string) => void }} StoreOptions
 */

/**
 * @param {import('./formats.js').Network} network
 * @param {StoreOptions} opts
 * @returns {MemoryStore}
 */
function makeStore(network, opts) {
  if (!opts.log_dir) return new MemoryStore(network, { capacity: opts.capacity });
  return new DurableStore(network, { dir: opts.log_dir, capacity: opts.capacity, retention_days: opts.retention_days, log: opts.log });
}

/**
 * Write a file so that a crash leaves either the old or the new content.
 * @param {string} path
 * @param {string} text
 */
function writeFileAtomic(path, text) {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * @param {{ dataset: string, speed?: number, start_ms?: number }} opts
 * @returns {Promise<Source>}
 */
export async function replaySource(opts) {
  const dataset = await loadDataset(opts.dataset);
  const clock = new VirtualClock({ speed: opts.speed ?? 1, start_ms: opts.start_ms });
  const store = new ReplayStore(dataset, clock);
  return {
    mode: 'replay',
    store,
    speed: clock.speed,
    now: () => clock.now(),
    async start() { store.start(); },
    stop() { store.stop(); },
    health: () => ({ status: 'ok', detail: { dataset: opts.dataset, speed: clock.speed, weeks: store.weeks } }),
  };
}

/**
 * @param {string} url
 * @param {RequestInit} init
 * @param {number} timeout_ms
 */
async function fetchText(url, init, timeout_ms) {
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeout_ms)]) : AbortSignal.timeout(timeout_ms);
  const res = await fetch(url, { ...init, signal });
  if (res.status === 304) return { res, text: '', bytes: new Uint8Array(0) };
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  if (Number(res.headers.get('content-length')) > MAX_UPSTREAM_BYTES) throw new Error(`${url}: response too large`);
  // Read as a stream with the cap checked chunk by chunk: a chunked body (no Content-Length)
  // of 600 MB must cost no more than the cap before it is refused (issue 19: buffered whole, it
  // took the relay to 878 MB). The bytes as received go to the engine, which checks their
  // encoding itself.
  /** @type {Uint8Array[]} */
  const parts = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_UPSTREAM_BYTES) {
        await reader.cancel().catch(() => {});
        throw new Error(`${url}: response too large (over ${MAX_UPSTREAM_BYTES} bytes)`);
      }
      parts.push(value);
    }
  }
  const bytes = parts.length === 1 ? parts[0] : new Uint8Array(size);
  if (parts.length !== 1) {
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.length; }
  }
  return { res, text: new TextDecoder().decode(bytes), bytes };
}

/** @param {string} text @param {string} what */
function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: not JSON`);
  }
}

/**
 * Relay an upstream feed. `url` is either a flowcast server (its base URL: the relay reads
 * /api/v1/network, then polls /api/v1/snapshots?since=<its latest>, so a gap in polling loses
 * nothing, starting with the last 24 h) or a static `latest.json` with `network.json` beside it.
 * With a log folder the relay also keeps the upstream's network there, so after a restart it
 * serves its log at once, even while the upstream is down.
 * @param {{ upstream: string, poll_ms?: number, max_backoff_ms?: number, timeout_ms?: number, max_ahead_ms?: number, network_check_ms?: number } & StoreOptions} opts
 * @returns {Promise<Source>}
 */
export async function relaySource(opts) {
  const base = new URL(opts.upstream);
  const staticFile = base.pathname.endsWith('.json');
  const networkUrl = staticFile ? new URL('network.json', base).href : new URL('api/v1/network', withSlash(base)).href;
  const latestUrl = staticFile ? base.href : new URL('api/v1/snapshot/latest', withSlash(base)).href;
  const catchupUrl = staticFile ? null : new URL('api/v1/snapshots', withSlash(base)).href;
  const poll_ms = opts.poll_ms ?? 10000;
  const max_backoff_ms = opts.max_backoff_ms ?? 60000;
  const timeout_ms = opts.timeout_ms ?? 10000;
  const max_ahead_ms = opts.max_ahead_ms ?? MAX_AHEAD_MS;
  const log = opts.log ?? (() => {});
  /** Aborts an in-flight poll on stop(), so shutdown never waits for a slow upstream. */
  const stopping = new AbortController();
  const { signal } = stopping;

  /** @type {MemoryStore|null} */
  let store = null;
  /** Whether the network in use has been checked against the upstream's (a recovered one has not). */
  let networkChecked = false;
  /** When it was last checked: a running relay looks again every network_check_ms, and at once
   * when the upstream sends a snapshot of another network (issue 19: it adopts a new version). */
  let networkCheckedAt = 0;
  const network_check_ms = opts.network_check_ms ?? NETWORK_CHECK_MS;
  const networkFile = opts.log_dir ? join(opts.log_dir, LOG_NETWORK_FILE) : null;
  if (networkFile && existsSync(networkFile)) {
    const text = readFileSync(networkFile, 'utf8');
    store = makeStore(loadNetwork(text), opts);
  }
  let etag = '';
  let failures = 0;
  let next_poll_ms = 0;
  let last_error = '';
  let last_success_ms = 0;
  let accepted = 0;
  let dropped = 0;
  /** @type {NodeJS.Timeout|null} */
  let timer = null;
  let stopped = false;

  /**
   * Hand snapshots (their bytes, as received) to the network's engine in order and store what
   * it committed for the accepted prefix (one log sync); then throw the first refusal, if any,
   * with the engine's code and message.
   * @param {(string|Uint8Array)[]} texts
   */
  const accept = (texts) => {
    const s = /** @type {MemoryStore} */ (store);
    const entries = [];
    let error = null;
    for (const text of texts) {
      // a server policy, not a data rule: the engine knows no wall clock. Checked before the
      // engine commits, so a refused snapshot leaves it unchanged.
      const ts_ms = aheadCheck(text);
      const ahead_ms = ts_ms - Date.now();
      if (ahead_ms > max_ahead_ms) {
        error = new Error(`snapshot.ts ${s.network.tz.iso(ts_ms)} is ${(ahead_ms / 3600000).toFixed(1)} h ahead of this server's clock`);
        break;
      }
      try {
        const r = snapshotToEntry(text, s.network);
        dropped += r.dropped;
        entries.push(r.entry);
      } catch (err) {
        // polling a static latest.json returns the snapshot we hold until a new one comes: the
        // engine refuses it as not newer, and that is nothing new rather than a fault
        if (/** @type {any} */ (err).code === 'E_TS_ORDER' && ts_ms === (entries.at(-1) ?? s.latest())?.ts_ms) continue;
        // a snapshot of another network: the upstream may have a new one, so look at the next
        // poll; the page goes on (after a change of network, a catch-up page still holds the old
        // network's snapshots before the new one's), and the poll reports the refusal
        if (/** @type {any} */ (err).code === 'E_NETWORK_ID') {
          networkChecked = false;
          error ??= err;
          continue;
        }
        error = err;
        break;
      }
    }
    accepted += s.appendMany(entries);
    if (error) throw error;
  };

  const pollOnce = async () => {
    if (!networkChecked || Date.now() - networkCheckedAt >= network_check_ms) {
      const { text } = await fetchText(networkUrl, { signal }, timeout_ms);
      networkCheckedAt = Date.now();
      if (text !== store?.network.json) {
        const network = loadNetwork(text);
        if (store) log(`the upstream's network changed (${store.network.id} -> ${network.id}): reloading`);
        /** @type {any} */ (store)?.close?.();
        if (networkFile) {
          mkdirSync(/** @type {string} */ (opts.log_dir), { recursive: true });
          writeFileAtomic(networkFile, text);
        }
        store = makeStore(network, opts);
      }
      networkChecked = true;
    }
    if (!store) throw new Error('no network');
    if (catchupUrl) {
      // Everything after our latest; on the first poll, the last BACKFILL_MS so that history
      // works at once.
      let since = store.latest()?.ts ?? new Date(Date.now() - BACKFILL_MS).toISOString();
      for (let page = 0; page < CATCHUP_PAGES; page++) {
        const url = `${catchupUrl}?since=${encodeURIComponent(since)}&limit=${CATCHUP_LIMIT}`;
        const { text } = await fetchText(url, { signal }, timeout_ms);
        const body = parseJson(text, url);
        if (!body || !Array.isArray(body.snapshots) || typeof body.more !== 'boolean') throw new Error(`${url}: not a catch-up response`);
        // each snapshot's own bytes go to the engine (a re-serialised object would have lost
        // a duplicated key the engine refuses)
        // in time order whatever order the upstream used: newest first would have the engine
        // refuse every older one as out of order, and lose them for good (issue 19)
        const raw = memberArrayTexts(text, 'snapshots')
          .map((t) => ({ t, ts: aheadCheck(t) }))
          .sort((a, b) => (a.ts - b.ts) || 0)
          .map((x) => x.t);
        accept(raw);
        if (!body.more || !raw.length) break;
        since = /** @type {MemoryStore} */ (store).latest()?.ts ?? body.snapshots.reduce((/** @type {any} */ a, /** @type {any} */ b) => (parseIso(b?.ts) > parseIso(a?.ts) ? b : a)).ts;
      }
      // An upstream whose clock is older than the backfill window still has a latest snapshot.
      if (store.latest()) return;
    }
    const { res, bytes } = await fetchText(latestUrl, { signal, headers: etag ? { 'if-none-match': etag } : {} }, timeout_ms);
    if (res.status === 304) return;
    accept([bytes]);
    etag = res.headers.get('etag') ?? '';
  };

  const loop = async () => {
    timer = null;
    try {
      await pollOnce();
      if (failures) log(`upstream recovered after ${failures} failed polls`);
      failures = 0;
      last_error = '';
      last_success_ms = Date.now();
    } catch (err) {
      failures++;
      last_error = err instanceof Error ? err.message : String(err);
      if (failures === 1 || Number.isInteger(Math.log2(failures))) log(`upstream poll failed (${failures}): ${last_error}`);
    }
    if (stopped) return;
    // Exponential backoff with ±20 % jitter so many relays do not retry in lock-step.
    const delay = failures ? Math.min(max_backoff_ms, poll_ms * 2 ** (failures - 1)) * (0.8 + 0.4 * Math.random()) : poll_ms;
    next_poll_ms = Date.now() + delay;
    timer = setTimeout(loop, delay);
  };

  return {
    mode: 'relay',
    get store() { return store; },
    speed: 1,
    now: () => Date.now(),
    async start() { await loop(); },
    stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearTimeout(timer);
      /** @type {any} */ (store)?.close?.();
    },
    health() {
      const latest = store?.latest();
      const stale = !latest || (Date.now() - latest.ts_ms) / 1000 > STALE_INTERVALS * latest.interval_s;
      return {
        status: failures === 0 && !stale ? 'ok' : 'degraded',
        detail: {
          stale,
          upstream: {
            url: opts.upstream, failures, last_error: last_error || null,
            next_retry_s: failures ? Math.max(0, Math.round((next_poll_ms - Date.now()) / 100) / 10) : null,
            last_success: last_success_ms ? new Date(last_success_ms).toISOString() : null,
            accepted, dropped_readings: dropped,
          },
          ...(store instanceof DurableStore ? { log: store.health() } : {}),
        },
      };
    },
  };
}

/**
 * The timestamp of a snapshot text for the wall-clock check before ingest: the engine's parse
 * of its `ts` (NaN when it has none; the engine then refuses the snapshot itself).
 * @param {string|Uint8Array} text
 */
function aheadCheck(text) {
  try {
    return parseIso(JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text))?.ts);
  } catch {
    return NaN;
  }
}

/**
 * The source texts of the elements of the array under top-level member `key` of a JSON object
 * text already known to be valid JSON (JSON.parse accepted it): framing only, so that each
 * snapshot of a catch-up page reaches the engine as the bytes the upstream sent. The last such
 * member wins, as in JSON.parse.
 * @param {string} text
 * @param {string} key
 * @returns {string[]}
 */
export function memberArrayTexts(text, key) {
  /** @type {string[]} */
  let found = [];
  /** @type {string[]} */
  let cur = [];
  let depth = 0;
  let expectKey = false;
  let member = '';
  let collecting = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (collecting && depth === 2 && start < 0 && !' \t\r\n,]'.includes(c)) start = i;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        member = JSON.parse(text.slice(i, j + 1));
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectKey = true;
      if (depth === 2 && c === '[' && member === key) {
        collecting = true;
        cur = [];
      }
    } else if (c === '}' || c === ']') {
      if (collecting && depth === 2) {
        if (start >= 0) cur.push(text.slice(start, i).trimEnd());
        found = cur;
        collecting = false;
        start = -1;
      }
      depth--;
    } else if (c === ',') {
      if (depth === 1) expectKey = true;
      if (collecting && depth === 2) {
        cur.push(text.slice(start, i).trimEnd());
        start = -1;
      }
    }
  }
  return found;
}

/**
 * Serve a directory of snapshot files (`*.json` in flowcast.snapshot/1, with `network.json` there
 * or given as `network`) in timestamp order. The directory is rescanned every scan_ms so files added later (by a scraper,
 * say) are picked up. Files that fail validation are skipped and counted; a file is re-read only
 * when its size or mtime changes (so a half-written file gets a second chance).
 *
 * As-is (default): every file is served at once, with its own timestamp. Real time (`realtime`):
 * the recording is moved forward by whole days, so local time of day is kept, to the latest day
 * on which it starts before now; a file appears when the (virtual, `speed`) clock reaches its
 * moved timestamp, which it carries.
 * @param {{ dir: string, network?: string, scan_ms?: number, realtime?: boolean, speed?: number } & StoreOptions} opts
 * @returns {Promise<Source>}
 */
export async function directorySource(opts) {
  const networkPath = opts.network ?? join(opts.dir, 'network.json');
  const networkText = await readFile(networkPath, 'utf8');
  const log = opts.log ?? (() => {});
  const store = makeStore(loadNetwork(networkText), opts);
  const clock = new VirtualClock({ speed: opts.realtime ? opts.speed ?? 1 : 1 });
  /** @type {Map<string, string>} file name -> "size:mtime" already read */
  const seen = new Map();
  /** Real time: entries waiting for their moment, oldest first. */
  /** @type {import('./formats.js').Entry[]} */
  const pending = [];
  /** @type {number|null} */
  let shift_ms = null;
  let rejected = 0;
  let last_error = '';
  /** @type {NodeJS.Timeout|null} */
  let timer = null;
  /** @type {NodeJS.Timeout|null} */
  let releaseTimer = null;
  let stopped = false;

  /** Retry delay after the log could not be written. */
  const RETRY_MS = 1000;
  const release = () => {
    releaseTimer = null;
    let n = 0;
    while (n < pending.length && pending[n].ts_ms <= clock.now()) n++;
    let delay = pending.length > n ? clock.realDelayUntil(pending[n].ts_ms) + 1 : -1;
    try {
      // moved in time, the snapshot goes to the engine now, at its new timestamp
      const due = [];
      for (const e of pending.slice(0, n)) {
        const r = store.network.rules.ingest(encodeSnapshotBinary(e, store.network), { binary: true });
        if (r.ok) due.push(r.entry);
        else refuse('(moved)', new RuleError(r.code, r.message));
      }
      pending.splice(0, n);
      store.appendMany(due);
    } catch (err) {
      last_error = `log: ${err instanceof Error ? err.message : err}`;
      log(last_error);
      delay = RETRY_MS;
    }
    if (delay >= 0 && !stopped) releaseTimer = setTimeout(release, delay);
  };

  /** @param {string} name @param {unknown} err */
  const refuse = (name, err) => {
    rejected++;
    last_error = `${name}: ${err instanceof Error ? err.message : err}`;
    log(`skipped ${last_error}`);
  };

  /**
   * New files in timestamp order (the engine refuses one older than what it committed), each
   * handed to the engine: as-is, the network's engine, which stores them; real time, a second
   * engine that only normalises them, since the network's engine takes them when they are due.
   * @param {{ name: string, text: Uint8Array }[]} files
   */
  const add = (files) => {
    const rules = opts.realtime ? store.network.rules.normaliser() : store.network.rules;
    const fresh = [];
    const names = [];
    const keyed = files.map((f) => ({ ...f, ts_ms: aheadCheck(f.text) })); // order only
    for (const f of keyed.sort((a, b) => a.ts_ms - b.ts_ms)) {
      const r = rules.ingest(f.text);
      if (!r.ok) {
        refuse(f.name, new RuleError(r.code, r.message));
        continue;
      }
      fresh.push(r.entry);
      names.push(f.name);
    }
    if (!opts.realtime) {
      try {
        store.appendMany(fresh);
      } catch (err) {
        for (const name of names) seen.delete(name); // not stored: read them again next scan
        throw err;
      }
      return;
    }
    if (!fresh.length) return;
    shift_ms ??= Math.floor((clock.now() - fresh[0].ts_ms) / DAY_MS) * DAY_MS;
    for (const e of fresh) {
      e.ts_ms += shift_ms;
      e.ts = store.network.tz.iso(e.ts_ms);
      pending.push(e);
    }
    pending.sort((a, b) => a.ts_ms - b.ts_ms);
    if (releaseTimer) clearTimeout(releaseTimer);
    release();
  };

  const scan = async () => {
    const names = (await readdir(opts.dir)).filter((n) => n.endsWith('.json') && n !== 'network.json' && n !== INCIDENTS_FILE);
    const files = [];
    for (const name of names) {
      const path = join(opts.dir, name);
      try {
        const st = await stat(path);
        if (!st.isFile()) continue;
        const key = `${st.size}:${st.mtimeMs}`;
        if (seen.get(name) === key) continue;
        seen.set(name, key);
        files.push({ name, text: await readFile(path) }); // bytes: the engine checks the encoding
      } catch (err) {
        refuse(name, err);
      }
    }
    add(files);
  };

  const loop = async () => {
    timer = null;
    try {
      await scan();
    } catch (err) {
      last_error = err instanceof Error ? err.message : String(err);
    }
    if (!stopped) timer = setTimeout(loop, opts.scan_ms ?? 1000);
  };

  return {
    mode: 'directory',
    store,
    speed: clock.speed,
    now: () => clock.now(),
    async start() { await loop(); },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (releaseTimer) clearTimeout(releaseTimer);
      /** @type {any} */ (store).close?.();
    },
    health: () => ({
      status: store.size ? 'ok' : 'degraded',
      detail: {
        dir: opts.dir, files_rejected: rejected, last_error: last_error || null,
        ...(opts.realtime ? { realtime: true, pending: pending.length, shift_days: (shift_ms ?? 0) / DAY_MS } : {}),
        ...(store instanceof DurableStore ? { log: store.health() } : {}),
      },
    }),
  };
}
