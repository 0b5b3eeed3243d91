// engine-words.js — what a commuter reads when the engine refuses something or cannot start:
// the engine's status names (and the worker's own codes) turned into plain words. The engine's
// own message is for the developer's console, never for the page.

/** Why the engine refused a snapshot (its own message goes to the console). */
export const REFUSED_WHY = /** @type {Record<string, string>} */ ({
  E_NETWORK_ID: 'it was for another network',
  E_TS_ORDER: 'it was older than the data shown',
  E_TS_AHEAD: 'its time was too far ahead',
  E_TIMESTAMP: 'its time was unreadable',
  E_TOO_LARGE: 'it was too large',
  E_JSON: 'it was malformed', E_ENCODING: 'it was malformed', E_SCHEMA: 'it was malformed', E_FIELD: 'it was malformed',
});

const FEED_SENT = 'The traffic map could not start: the traffic feed sent data this page cannot use. It is not your connection; please try again later.';

/**
 * Why the map could not start, by what failed (web/worker/worker.js postFatal): the engine
 * refused what the feed sent (its status names), the feed refused the network request (E_HTTP),
 * the wasm did not download (E_LOAD) or this browser cannot run it (E_WASM).
 */
const CANNOT_START = /** @type {Record<string, string>} */ ({
  E_NETWORK: FEED_SENT, E_JSON: FEED_SENT, E_SCHEMA: FEED_SENT, E_FIELD: FEED_SENT, E_ENCODING: FEED_SENT, E_TOO_LARGE: FEED_SENT,
  E_HTTP: 'The traffic map could not start: its traffic feed was not found. The link to this page may be wrong.',
  E_LOAD: 'The traffic map could not start: the forecasting engine did not download. Check your connection, then reload the page.',
  E_WASM: 'The traffic map cannot run in this browser. A current version of Chrome, Edge, Firefox or Safari can run it.',
});

/**
 * The words for a start that failed; the worker's technical text goes to the console.
 * @param {string | undefined} code
 * @param {string} text the worker's technical text
 */
export function cannotStart(code, text) {
  console.warn(`flowcast: ${text}${code ? ` (${code})` : ''}`);
  return (code && CANNOT_START[code]) || 'The traffic map could not start. Reload the page, or try again later.';
}
