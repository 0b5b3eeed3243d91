// service-worker.js — the page's copy on the device, so that a repeat visit starts from it and a
// visit without a connection still shows the last forecast (main.js draws the one it kept,
// last-forecast.js). The build (tools/build-site.js) writes it to sw.js at the site's root, so
// that its scope covers the page, with the list of the page's files and a version that changes
// whenever one of them does; main.js registers it.
//
// - The page's files under app/ have content-addressed names (a new build, a new name): served
//   from the cache first, since such a name never changes what it points at.
// - The page itself (index.html): the network first, so a new build is seen on the next visit;
//   the kept copy when there is no network.
// - The network, the model and the recent history (api/v1/network, model, history): the network
//   first, the last copy received when there is none, so that the engine can start offline.
// - Nothing else is touched: the event stream (api/v1/stream), the catch-up and latest
//   snapshots, incidents and telemetry go to the network as without a service worker. A copy of
//   the latest snapshot answered offline would look like a live feed to the engine worker,
//   which must see that the feed is unreachable (and then says so).
//
// A new version installs beside the old one, which goes on serving the open pages (whose lazily
// loaded files it has); once they are closed the new one takes over and deletes the old caches.

/* global FLOWCAST_SHELL, FLOWCAST_CACHE */
/** @type {string[]} the page's files, relative to this script ("./" is the page) */
const SHELL = typeof FLOWCAST_SHELL === 'object' ? FLOWCAST_SHELL : [];
/** The cache of this version: the page's files and the copies of its data. */
const CACHE = typeof FLOWCAST_CACHE === 'string' ? FLOWCAST_CACHE : 'flowcast-dev';
/** Names of the caches this script owns (older versions' among them). */
const OWN = /^flowcast-/;
/** The API routes whose last answer is kept for a visit without a connection. */
/** The kept data of the server's default network and of each of its others (api/v1/networks/<id>/…). */
const KEPT_DATA = /^api\/v1\/(?:networks\/[a-z0-9-]+\/)?(network|model|history)$/;

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const scope = new URL(sw.registration.scope);
const PAGE = new URL('./', scope).href;

sw.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)));
});

sw.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => OWN.test(k) && k !== CACHE).map((k) => caches.delete(k)))));
});

sw.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (req.mode === 'navigate' && (path === '' || path === 'index.html')) {
    ev.respondWith(networkFirst(ev, PAGE));
  } else if (path.startsWith('app/')) {
    ev.respondWith(cacheFirst(ev));
  } else if (KEPT_DATA.test(path)) {
    ev.respondWith(networkFirst(ev, req.url));
  }
});

/**
 * The network's answer, kept under `key`; the kept one when the network cannot answer (no
 * connection, or the server failing).
 * @param {FetchEvent} ev
 * @param {string} key
 */
async function networkFirst(ev, key) {
  const cache = await caches.open(CACHE);
  let res;
  try {
    res = await fetch(ev.request);
  } catch (err) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
    throw err;
  }
  if (res.ok) {
    // stored while the body streams to the page: a large model is not held back for it
    ev.waitUntil(cache.put(key, res.clone()).catch(() => {}));
  } else if (res.status >= 500) {
    const kept = await cache.match(key, { ignoreVary: true });
    if (kept) return kept;
  }
  return res;
}

/**
 * A content-addressed file: the kept copy, else the network's (then kept).
 * @param {FetchEvent} ev
 */
async function cacheFirst(ev) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(ev.request);
  if (kept) return kept;
  const res = await fetch(ev.request);
  if (res.ok) ev.waitUntil(cache.put(ev.request, res.clone()).catch(() => {}));
  return res;
}
