// engine-worker.js — starts the engine worker (web/worker/worker.js) for the embeddable views:
// the <flowcast-map> element and the Leaflet layer. Both may be loaded by a partner's page from
// flowcast's own host, and browsers only start a worker from a script of the page's own origin;
// for a cross-origin script the worker is a same-origin blob that imports worker.js from its
// real address (which needs CORS on the scripts and the wasm: docs/embedding.md). Also what
// both embeds tell their host about the worker's messages and failures, so that the element's
// events and the layer's carry the same details (docs/embedding.md documents them once for both).

import { LOAD_TIMEOUT_MS, embedError, errorOfMessage, unreachable } from './errors.js';
import { NETWORK_ID } from '../shared/network-id.js';


/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */
/** @typedef {import('./errors.js').EmbedError} EmbedError */

/**
 * @typedef {object} EngineWorker
 * @property {Worker} worker
 * @property {() => void} dispose terminates the worker and releases its blob URL, if any
 */

/**
 * @typedef {object} EngineHandlers
 * @property {(m: WorkerMessage) => void} onMessage every message of the worker
 * @property {(e: EmbedError) => void} onError a new problem: called once per problem, not per
 *   retry (the same code again only after the data came back)
 */

/**
 * Starts the worker, sends it the feed to follow, and watches the start: a feed that has not
 * delivered its network within LOAD_TIMEOUT_MS, or a worker that cannot load, is reported
 * rather than left as a "Loading…" that never ends.
 * @param {string} feed API base URL ending in "/"
 * @param {EngineHandlers} handlers
 * @returns {EngineWorker}
 */
export function startEngineWorker(feed, { onMessage, onError }) {
  const url = new URL('../worker/worker.js', import.meta.url);
  let blobUrl = '';
  /** @type {Worker} */
  let worker;
  if (url.origin === location.origin) worker = new Worker(url, { type: 'module' });
  else {
    blobUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
    worker = new Worker(blobUrl, { type: 'module' });
  }
  /** The code last reported, so that a retrying worker's repeated notices make one event. */
  let reported = '';
  const report = (/** @type {EmbedError} */ e) => {
    if (e.code === reported) return;
    reported = e.code;
    onError(e);
  };
  const deadline = setTimeout(() => report(unreachable(feed)), LOAD_TIMEOUT_MS);
  worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => {
    const m = ev.data;
    if (m.type === 'network') clearTimeout(deadline);
    // data again: the next failure is news
    if (m.type === 'network' || m.type === 'update' || (m.type === 'feed' && m.state === 'live')) reported = '';
    onMessage(m);
    const error = errorOfMessage(m, feed);
    if (error) {
      if (!error.retrying) clearTimeout(deadline); // a final answer: no "unreachable" after it
      report(error);
    }
  };
  // A worker script that fails to load or to run (a CSP without worker-src for flowcast's host,
  // a copy of public/js/ missing a file) gives only this event, and no message ever.
  worker.onerror = (/** @type {ErrorEvent} */ ev) => {
    ev.preventDefault();
    clearTimeout(deadline);
    report(embedError('ENGINE_FAILED', `The traffic map could not start (its worker failed: ${ev.message || 'could not load'}).`));
  };
  worker.postMessage({ type: 'start', base: feed });
  return {
    worker,
    dispose() {
      clearTimeout(deadline);
      worker.terminate();
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    },
  };
}

/**
 * The `flowcast:update` detail after a recolour: the data time, and the horizon actually shown
 * (0 while forecasts are not ready).
 * @param {Extract<WorkerMessage, { type: 'update' }>} u
 * @param {number} step the forecast step shown (shared/segments.js horizonStep)
 */
export function updateDetail(u, step) {
  const f = u.forecast;
  return { ts: u.ts, local: u.local, forecast: !!f, horizon: f ? Math.round((step * f.intervalS) / 60) : 0 };
}

/**
 * The status an embed shows after a recolour: "Updated 08:15 · forecast +30 min".
 * @param {ReturnType<typeof updateDetail>} detail
 * @param {number} minutes the horizon asked for (while forecasts load, current speeds are shown)
 */
export function statusText(detail, minutes) {
  const ahead = detail.forecast && detail.horizon ? ` · forecast +${detail.horizon} min` : minutes && !detail.forecast ? ' · forecast loading' : '';
  return `Updated ${detail.local}${ahead}`;
}

/**
 * An API base URL from an attribute or option, resolved against the page; by default the
 * api/v1/ of the host that served these scripts.
 * @param {string | null | undefined} feed
 */
export function feedUrl(feed) {
  return new URL(feed || new URL('../../api/v1/', import.meta.url).href, location.href).href.replace(/\/?$/, '/');
}

/**
 * The API of one of a feed's networks (api/v1/networks/<id>/); the feed's own (its default
 * network) without one. Throws a RangeError for a malformed id.
 * @param {string | null | undefined} feed
 * @param {string | null | undefined} network
 */
export function networkFeedUrl(feed, network) {
  const base = feedUrl(feed);
  if (!network) return base;
  if (!NETWORK_ID.test(network)) throw new RangeError(`"${network.slice(0, 40)}" is not a network id`);
  return `${base}networks/${network}/`;
}
