// incidents.js — incident documents (flowcast.incidents/1, docs/FORMATS.md) through the engine's
// one validator (c/src/incidents.c): the page's worker reads what the feed serves through it,
// and the feed server checks what it serves and relays with it. Never throws for bad data.

import { FC_E_ARG, FC_E_TOO_LARGE, FC_OK, OFF_OUT } from './abi.js';
import { encoder } from './runtime.js';

/** @typedef {import('./predictor.js').Predictor} Predictor */
/** @typedef {import('./predictor.js').IngestError} IngestError */

/** flowcast.h FC_INCIDENTS_DECODED: also write sensor_index, start_ms, end_ms and ts_ms. */
const DECODED = 1;

/**
 * One incident as the engine validated it.
 * @typedef {object} Incident
 * @property {string} id
 * @property {'crash' | 'stalled_vehicle' | 'debris' | 'roadwork' | 'closure' | 'other'} kind
 * @property {string} sensor        the station it is at
 * @property {number} sensorIndex   that station's index in network order
 * @property {number} lanesBlocked
 * @property {number} lanes         lanes there (the station's when the document did not say)
 * @property {string} start         ISO 8601, as the feed wrote it
 * @property {number} startMs
 * @property {string | null} end    expected end, or null when unknown
 * @property {number | null} endMs
 * @property {string | null} description  free text from the feed (display as text, never HTML)
 */

/**
 * @typedef {object} IncidentsOk
 * @property {true} ok
 * @property {string} ts       the instant the document describes
 * @property {number} tsMs
 * @property {Incident[]} incidents
 * @property {string} [canonical] the canonical document text, when asked for
 */

/**
 * Runs the engine's validator over a document; on success the written text (canonical or decoded).
 * @param {Predictor} p
 * @param {number} len bytes staged in p.input
 * @param {number} flags
 * @returns {{ ok: true, text: string } | IngestError}
 */
function run(p, len, flags) {
  const rt = p.rt;
  const written = p.scratch + OFF_OUT;
  let cap = 2 * len + 4096; // the decoded form adds ~80 bytes an incident to ~180 read
  for (;;) {
    const out = rt.malloc(cap);
    try {
      const status = rt.x.fc_engine_incidents(p.engine, p.input, len, flags, out, cap, written);
      const n = rt.view.getUint32(written, true);
      if (status === FC_E_ARG && n >= cap) {
        cap = n + 1;
        continue;
      }
      if (status !== FC_OK) return p._error(status);
      return { ok: true, text: new TextDecoder().decode(rt.u8.subarray(out, out + n)) };
    } finally {
      rt.x.free(out);
    }
  }
}

/**
 * Validates an incidents document against the predictor's network. The engine's state is not
 * touched either way.
 * @param {Predictor} p
 * @param {string | Uint8Array} doc JSON text or UTF-8 bytes
 * @param {{ canonical?: boolean }} [opts] canonical: also return the canonical text (what a feed serves)
 * @returns {IncidentsOk | IngestError}
 */
export function parseIncidents(p, doc, { canonical = false } = {}) {
  p._live();
  if (typeof doc !== 'string' && !(doc instanceof Uint8Array)) return p._refuse(FC_E_ARG, 'incidents: expected JSON text or bytes');
  const bytes = typeof doc === 'string' ? (doc.length * 3 <= p.maxPayloadBytes ? 0 : encoder.encode(doc).length) : doc.length;
  if (bytes > p.maxPayloadBytes) return p._refuse(FC_E_TOO_LARGE, `incidents: ${bytes} bytes, more than the limit of ${p.maxPayloadBytes}`);
  const len = p._stage(doc);
  const decoded = run(p, len, DECODED);
  if (!decoded.ok) return decoded;
  const d = JSON.parse(decoded.text);
  /** @type {IncidentsOk} */
  const result = {
    ok: true,
    ts: d.ts,
    tsMs: d.ts_ms,
    incidents: d.incidents.map((/** @type {any} */ i) => ({
      id: i.id, kind: i.kind, sensor: i.sensor, sensorIndex: i.sensor_index, lanesBlocked: i.lanes_blocked,
      lanes: i.lanes, start: i.start, startMs: i.start_ms, end: i.end, endMs: i.end_ms, description: i.description ?? null,
    })),
  };
  if (canonical) {
    const c = run(p, len, 0);
    if (!c.ok) return c;
    result.canonical = c.text;
  }
  return result;
}
