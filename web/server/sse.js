// The Server-Sent Events stream: one `event: snapshot` per new store entry, in order, with the
// snapshot's ts as the event id, so a browser's EventSource resumes after a reconnect by sending
// Last-Event-ID and gets the snapshots it missed.

import { parseIso } from './clock.js';

/** A client this far behind (bytes queued in the socket) is cut off rather than buffered for. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
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

  /** @param {Entry} entry */
  frame(entry) {
    return `id: ${entry.ts}\nevent: snapshot\ndata: ${this.store.payload(entry).json}\n\n`;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {string} text
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
   * new snapshot until the client goes away.
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
    let out = `retry: ${RETRY_MS}\n\n`;
    let sent = 0;
    const latest = this.store.latest();
    const since = parseIso(lastEventId);
    if (latest && Number.isFinite(since)) {
      let { entries, more } = this.store.after(since, this.resend_max);
      if (more) {
        entries = this.store.range(since, latest.ts_ms).slice(-this.resend_max);
        out += `event: gap\ndata: ${JSON.stringify({ after: lastEventId, resume: entries[0].ts })}\n\n`;
      }
      for (const e of entries) out += this.frame(e);
      sent = entries.length;
    } else if (latest) {
      out += this.frame(latest);
      sent = 1;
    }
    res.write(out);
    this.onServed(sent);
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
  }

  /** End every stream (server shutdown) and stop listening. */
  close() {
    clearInterval(this.heartbeat);
    this.store.off('append', this.onAppend);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
