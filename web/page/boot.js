// boot.js — the page's first lines: read the settings in the address bar and start the engine
// worker, so that its code, the wasm and the feed's data are on their way while the stylesheets,
// Leaflet and the page's own code still travel (on a slow phone link that is seconds:
// PERFORMANCE.md §24). The build (tools/build-site.js) inlines this module into index.html as
// a classic <script> ahead of the stylesheets; main.js imports it too and takes over the worker
// the inline copy started (one worker: the first copy to run leaves it on `globalThis`). Run
// unbundled, as under public/js/, main.js's import is what starts it.
//
// URL parameters: `network` (which of the server's networks: its API is api/v1/networks/<id>/;
// the city picker sets it), `feed` (API base URL, default "api/v1/" beside the page), `retry` (first retry
// delay in ms after a feed failure, default 1000), `timeout` (ms before a feed request with no
// answer counts as failed, default 20000), `profiles` (MB: tile mode, the model's time-of-day
// profiles fetched per corridor on demand and kept under that cap; README, "History profile
// tiles"; off by default), `watchdog` (ms without any message from the engine worker, while the
// page is visible, before it is taken for hung and restarted; default 60000).

import { NETWORK_ID } from '../shared/network-id.js';

/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */

/**
 * The engine worker's URL: the build's content-addressed bundle (relative to the page), or the
 * module beside this one when the page runs unbundled.
 */
const WORKER_URL = typeof FLOWCAST_WORKER_URL === 'string' ? FLOWCAST_WORKER_URL
  : new URL('../worker/worker.js', import.meta.url).href;

const params = new URLSearchParams(location.search);

/** The network chosen in the address bar (a server's id for it), or '' for the server's default. */
const network = NETWORK_ID.test(params.get('network') ?? '') ? /** @type {string} */ (params.get('network')) : '';
/** The feed's API, where GET networks lists what it serves. */
const apiRoot = new URL(params.get('feed') ?? 'api/v1/', document.baseURI).href.replace(/\/?$/, '/');

/** What the page and its worker are asked to do, from the address bar. */
export const settings = {
  network,
  apiRoot,
  /** the chosen network's API */
  base: apiRoot + (network ? `networks/${network}/` : ''),
  retryBaseMs: Number(params.get('retry')) || undefined,
  timeoutMs: Number(params.get('timeout')) || undefined,
  watchdogMs: Number(params.get('watchdog')) || 60000,
  profileCacheBytes: Math.round((Number(params.get('profiles')) || 0) * 1024 * 1024) || undefined,
};

/** A new engine worker, already asked to start (its message protocol: web/shared/types.js). */
export function createEngineWorker() {
  const w = new Worker(WORKER_URL, { type: 'module' });
  const { base, retryBaseMs, timeoutMs, profileCacheBytes } = settings;
  w.postMessage({ type: 'start', base, retryBaseMs, timeoutMs, profileCacheBytes });
  return w;
}

/**
 * The first worker and what it said before the page's code was there to listen: its messages
 * and a failure, kept in order for main.js (a message with no listener would be lost).
 * @typedef {{ worker: Worker, early: WorkerMessage[], failed: string }} FirstWorker
 */

/** @type {FirstWorker} */
export const firstWorker = /** @type {any} */ (globalThis).flowcastFirstWorker ??= (() => {
  const worker = createEngineWorker();
  /** @type {FirstWorker} */
  const first = { worker, early: [], failed: '' };
  worker.onmessage = (/** @type {MessageEvent<WorkerMessage>} */ ev) => { first.early.push(ev.data); };
  worker.onerror = (ev) => {
    ev.preventDefault();
    first.failed ||= ev.message || 'the engine worker failed to load';
  };
  return first;
})();
