// last-forecast.js — the last update the page drew (current speeds, forecast, their time) and the
// network it was drawn on, kept in this browser's IndexedDB so that the next visit draws it at
// once, before the engine has loaded anything, and so that a visitor without a connection still
// sees the last forecast with its age. One record per feed (its API base URL): a page pointed at
// another feed never shows this one's data. What is kept is exactly what the worker posted; the
// page draws it through the same code as a live update.
//
// Storage is best effort: a browser without IndexedDB, a private window that refuses it, or a
// full disk leave the page as it was without one (a warning in the console, never an error).

/** @typedef {import('../shared/types.js').Network} Network */

/**
 * An update as kept: the worker's 'update' message without its timings, and when this page
 * first saw its data (this browser's clock, Unix ms: the age shown is measured from it, as for
 * live data, since the feed's clock may be another one).
 * @typedef {{ ts: number, local: string, utcOffsetMin: number, intervalS: number, receivedAt: number,
 *   speedMph: Float32Array, forecast: import('../shared/types.js').PageForecast | null, seenAt: number }} SavedUpdate
 */

/** @typedef {{ network: Network, update: SavedUpdate }} LastForecast */

const DB_NAME = 'flowcast';
const STORE = 'last-forecast';
/** The record's shape; a record of another version is ignored (and replaced by the next save). */
const VERSION = 1;

/** @type {Promise<IDBDatabase> | null} */
let opened = null;

/** @returns {Promise<IDBDatabase>} */
function db() {
  return (opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB blocked by another tab'));
  }).catch((err) => {
    opened = null; // let a later call try again
    throw err;
  }));
}

/**
 * @template T
 * @param {'readonly' | 'readwrite'} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} op
 * @returns {Promise<T>}
 */
async function run(mode, op) {
  const tx = (await db()).transaction(STORE, mode);
  const req = op(tx.objectStore(STORE));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** @param {unknown} err */
const warn = (err) => console.warn(`flowcast: the last forecast is not kept on this device: ${/** @type {Error} */ (err)?.message ?? err}`);

export class LastForecastStore {
  /** @param {string} feed the feed's API base URL: the record's key */
  constructor(feed) {
    this.key = feed;
    /** @type {Network | null} the network the next save goes with */
    this.network = null;
    /** @type {Promise<unknown>} saves are written one after the other, newest last */
    this.queue = Promise.resolve();
  }

  /** @returns {Promise<LastForecast | null>} what the last visit drew, or null */
  async load() {
    if (typeof indexedDB === 'undefined') return null;
    try {
      const rec = await run('readonly', (s) => s.get(this.key));
      if (rec?.v !== VERSION || !rec.network || !rec.update) return null;
      return { network: rec.network, update: rec.update };
    } catch (err) {
      warn(err);
      return null;
    }
  }

  /** @param {Network} network the network the worker loaded: the one later updates belong to */
  setNetwork(network) {
    this.network = network;
  }

  /**
   * Keeps an update the page has drawn, replacing the one before.
   * @param {SavedUpdate} update
   */
  save(update) {
    const network = this.network;
    if (!network || typeof indexedDB === 'undefined') return;
    const rec = { v: VERSION, network, update };
    this.queue = this.queue.then(() => run('readwrite', (s) => s.put(rec, this.key))).catch(warn);
  }

  /**
   * Forgets the kept forecast (a network that changed).
   * @returns {Promise<unknown>} settled once it is forgotten (or could not be: a warning)
   */
  clear() {
    if (typeof indexedDB === 'undefined') return Promise.resolve();
    this.queue = this.queue.then(() => run('readwrite', (s) => s.delete(this.key))).catch(warn);
    return this.queue;
  }
}
