// start.js — the first page: loads the engine, the network and one snapshot, and shows the
// engine's version and ingest counts. It prefers the feed server's API and falls back to the
// sample files beside the page, so static hosting of public/ alone also works.
// Every value is written with textContent: nothing from the feed is ever parsed as HTML.
import { createPredictor } from './flowcast.js';

/** @param {string} id @param {string | number} text */
const show = (id, text) => { /** @type {HTMLElement} */ (document.getElementById(id)).textContent = String(text); };

/**
 * Fetches JSON text from the first URL that answers.
 * @param {string[]} urls
 * @returns {Promise<{ text: string, url: string }>}
 */
async function fetchFirst(urls) {
  let last = '';
  for (const url of urls) {
    try {
      const r = await fetch(url, { headers: { accept: 'application/json' } });
      if (r.ok) return { text: await r.text(), url };
      last = `${url}: HTTP ${r.status}`;
    } catch (err) {
      last = `${url}: ${/** @type {Error} */ (err).message}`;
    }
  }
  throw new Error(`no data source answered (${last})`);
}

async function main() {
  const status = /** @type {HTMLElement} */ (document.getElementById('status'));
  try {
    const net = await fetchFirst(['api/v1/network', 'sample/network.json']);
    const engine = await createPredictor({ network: net.text, wasmUrl: new URL('flowcast.wasm', document.baseURI) });
    show('version', engine.version);
    show('network', engine.networkId);
    show('sensors', engine.sensorCount);
    const snap = await fetchFirst(['api/v1/snapshot/latest', 'sample/snapshot.json']);
    show('source', `${net.url}, ${snap.url}`);
    const r = engine.ingest(snap.text);
    if (!r.ok) throw new Error(`snapshot rejected: ${r.code}: ${r.message}`);
    show('ts', new Date(r.ts).toISOString());
    show('accepted', r.accepted);
    show('dropped', r.dropped);
    show('missing', r.missing);
    status.textContent = `Engine ready: ${r.accepted} readings ingested.`;
    document.documentElement.dataset.ready = 'true';
  } catch (err) {
    status.textContent = `Error: ${/** @type {Error} */ (err).message}`;
    status.classList.add('error');
    document.documentElement.dataset.ready = 'error';
  }
}

main();
