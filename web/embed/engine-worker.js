// engine-worker.js — starts the engine worker (web/worker.js) for the embeddable views: the
// <flowcast-map> element and the Leaflet layer. Both may be loaded by a partner's page from
// flowcast's own host, and browsers only start a worker from a script of the page's own origin;
// for a cross-origin script the worker is a same-origin blob that imports worker.js from its
// real address (which needs CORS on the scripts and the wasm: docs/embedding.md).

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
  const url = new URL('../worker.js', import.meta.url);
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
 * An API base URL from an attribute or option, resolved against the page; by default the
 * api/v1/ of the host that served these scripts.
 * @param {string | null | undefined} feed
 */
export function feedUrl(feed) {
  return new URL(feed || new URL('../../api/v1/', import.meta.url).href, location.href).href.replace(/\/?$/, '/');
}
