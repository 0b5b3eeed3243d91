// engine-worker.js — starts the engine worker (web/worker/worker.js) for the embeddable views:
// the <flowcast-map> element and the Leaflet layer. Both may be loaded by a partner's page from
// flowcast's own host, and browsers only start a worker from a script of the page's own origin;
// for a cross-origin script the worker is a same-origin blob that imports worker.js from its
// real address (which needs CORS on the scripts and the wasm: docs/embedding.md). Also what
// both embeds tell their host about the worker's messages, so that the element's events and the
// layer's carry the same details (docs/embedding.md documents them once for both).

/** @typedef {import('../shared/types.js').WorkerMessage} WorkerMessage */

/**
 * @typedef {object} EngineWorker
 * @property {Worker} worker
 * @property {() => void} dispose terminates the worker and releases its blob URL, if any
 */

/**
 * Starts the worker and sends it the feed to follow.
 * @param {string} feed API base URL ending in "/"
 * @returns {EngineWorker}
 */
export function startEngineWorker(feed) {
  const url = new URL('../worker/worker.js', import.meta.url);
  let blobUrl = '';
  /** @type {Worker} */
  let worker;
  if (url.origin === location.origin) worker = new Worker(url, { type: 'module' });
  else {
    blobUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
    worker = new Worker(blobUrl, { type: 'module' });
  }
  worker.postMessage({ type: 'start', base: feed });
  return {
    worker,
    dispose() {
      worker.terminate();
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    },
  };
}

/**
 * The `flowcast:error` detail for a worker message that reports a failure, else null.
 * @param {WorkerMessage} m
 * @returns {{ stage: 'fatal' | 'error' | 'feed', message: string } | null}
 */
export function errorDetail(m) {
  if (m.type === 'progress' && (m.stage === 'fatal' || m.stage === 'error')) return { stage: m.stage, message: m.text };
  if (m.type === 'feed' && m.state === 'down') return { stage: 'feed', message: 'the feed is unreachable; retrying' };
  return null;
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
 * An API base URL from an attribute or option, resolved against the page; by default the
 * api/v1/ of the host that served these scripts.
 * @param {string | null | undefined} feed
 */
export function feedUrl(feed) {
  return new URL(feed || new URL('../../api/v1/', import.meta.url).href, location.href).href.replace(/\/?$/, '/');
}
