// The Server-Sent Events stream: one `event: snapshot` per new store entry, in order, with the
// snapshot's ts as the event id, so a browser's EventSource resumes after a reconnect by sending
// Last-Event-ID and gets the snapshots it missed.

import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseIso } from './clock.js';

/**
 * Until the client has taken what was written (or gone): the listener of the event that did not
 * come is removed, so a long resend to a slow client does not pile listeners on its response.
 * @param {import('node:http').ServerResponse} res
 */
async function drainOrClose(res) {
  const ac = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}

/** A client this far behind (bytes queued in the socket) is cut off rather than buffered for. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Snapshots resent per event-loop turn after a reconnect (~1 ms each to serialise if not cached). */
const RESEND_PER_TURN = 8;
/** Encoded events kept: a day of 5-minute snapshots and a few more (~11 MB for Atlanta). */
const FRAME_CACHE_ENTRIES = 320;
/** EventSource reconnect delay we suggest, ms. */
const RETRY_MS = 3000;

/** @typedef {import('./store.js').SnapshotStore} Store */
/** @typedef {import('./formats.js').Entry} Entry */

export class SseHub {
  /**
   * @param {Store} store
   * @param {{ heartbeat_ms?: number, resend_max?: number, onServed?: (n: number) => void, onError?: (err: unknown) => void }} [opts]
   */
  constructor(store, opts = {}) {
    this.store = store;
    this.resend_max = opts.resend_max ?? 288;
    this.onServed = opts.onServed ?? (() => {});
    this.onError = opts.onError ?? (() => {});
    /** @type {Set<import('node:http').ServerResponse>} */
    this.clients = new Set();
    /** Encoded events by snapshot ts, oldest first. @type {Map<number, Buffer>} */
    this.frames = new Map();
    /** Streams still being sent what they missed (they join `clients` after). @type {Set<import('node:http').ServerResponse>} */
    this.resending = new Set();
    // Runs inside the store's append (a replay timer, a relay poll): it must never throw there.
    this.onAppend = (/** @type {Entry} */ entry) => {
      if (this.clients.size === 0) return;
      try {
        const frame = this.frame(entry);
        for (const res of this.clients) this.write(res, frame, 1);
      } catch (err) {
        this.onError(err);
      }
    };
    store.on('append', this.onAppend);
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) this.write(res, ': heartbeat\n\n', 0);
    }, opts.heartbeat_ms ?? 15000);
    this.heartbeat.unref();
  }

  /**
   * The event of one snapshot, encoded once and kept (the newest FRAME_CACHE_ENTRIES): the same
   * bytes go to every client and to every resend, never re-encoded per write.
   * @param {Entry} entry
   */
  frame(entry) {
    let f = this.frames.get(entry.ts_ms);
    if (f) return f;
    f = Buffer.from(`id: ${entry.ts}\nevent: snapshot\ndata: ${this.store.payload(entry).json}\n\n`);
    if (this.frames.size >= Math.max(FRAME_CACHE_ENTRIES, this.resend_max + 1)) this.frames.delete(/** @type {number} */ (this.frames.keys().next().value));
    this.frames.set(entry.ts_ms, f);
    return f;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {string | Buffer} text
   * @param {number} snapshots
   */
  write(res, text, snapshots) {
    if (res.writableLength > MAX_QUEUED_BYTES) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
    if (snapshots) this.onServed(snapshots);
  }

  /**
   * Take over a request: send the headers, the missed snapshots (after Last-Event-ID, at most
   * resend_max; an `event: gap` first when more were missed) or else the latest one, then every
   * new snapshot until the client goes away. The resend (up to 288 snapshots, ~10 MB for
   * Atlanta) goes out a few frames per event-loop turn and only as fast as the client reads: a
   * storm of reconnects must not hold the event loop (issue 19). The client joins the live
   * fan-out once it has everything up to the latest snapshot, so it sees each one once, in order.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {Record<string, string|number|string[]|undefined>} headers extra headers (CORS)
   * @param {string|undefined} lastEventId
   */
  attach(req, res, headers, lastEventId) {
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    let closed = false;
    const drop = () => {
      closed = true;
      this.clients.delete(res);
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    let out = `retry: ${RETRY_MS}\n\n`;
    const latest = this.store.latest();
    const since = parseIso(lastEventId);
    if (latest && Number.isFinite(since)) {
      let { entries, more } = this.store.after(since, this.resend_max);
      if (more) {
        entries = this.store.range(since, latest.ts_ms).slice(-this.resend_max);
        out += `event: gap\ndata: ${JSON.stringify({ after: lastEventId, resume: entries[0].ts })}\n\n`;
      }
      res.write(out);
      this.resending.add(res);
      this.#resend(res, entries, () => closed).catch((err) => {
        this.onError(err);
        res.destroy();
      }).finally(() => this.resending.delete(res));
      return;
    }
    res.write(out);
    if (latest) res.write(this.frame(latest));
    this.onServed(latest ? 1 : 0);
    this.clients.add(res);
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {Entry[]} entries oldest first
   * @param {() => boolean} closed
   */
  async #resend(res, entries, closed) {
    let last = -Infinity;
    for (let batch = entries; batch.length; batch = this.store.after(last, RESEND_PER_TURN).entries) {
      for (let i = 0; i < batch.length; i += RESEND_PER_TURN) {
        if (closed()) return;
        const part = batch.slice(i, i + RESEND_PER_TURN);
        let ok = true;
        for (const e of part) ok = res.write(this.frame(e));
        this.onServed(part.length);
        last = part[part.length - 1].ts_ms;
        // the client's pace, and then at least one turn of the event loop: a socket that takes
        // the bytes at once emits 'drain' from process.nextTick, so awaiting the drain alone
        // chained a whole resend (and every other stream's) through the microtask queues without
        // the event loop ever running timers or reading other sockets (a 320 ms stall in the
        // reconnect storm, PERFORMANCE.md §33)
        if (!ok) await drainOrClose(res);
        await nextTurn();
      }
    }
    // caught up with the latest (checked synchronously with joining: nothing can slip between)
    if (!closed()) this.clients.add(res);
  }

  /** End every stream (server shutdown) and stop listening. */
  close() {
    clearInterval(this.heartbeat);
    this.store.off('append', this.onAppend);
    for (const res of [...this.clients, ...this.resending]) res.end();
    this.clients.clear();
    this.resending.clear();
  }
}
