// The feed server's rulebook: one headless flowcast engine per network (the release wasm,
// through web/flowcast.js). Every data rule the server applies is the engine's: whether a
// network document is valid, whether a snapshot is accepted and which of its readings are
// dropped, how values are quantised, how a slot's snapshots average into history, and the time
// zone's offsets. The server stores and serves what the engine committed, so a page whose
// engine ingests the served snapshots reaches the same state (tests/server-rules.test.mjs).

import { FlowcastError, predictorFactory } from '../flowcast.js';
import { formatIso, localWeek } from './clock.js';

/** One engine factory for the process: engines are created in synchronous code paths. */
const makePredictor = await predictorFactory();

/** The normaliser's snapshots may jump as far as the engine allows (10 years): its timestamps
 * order files of a recording, not a live feed. */
const MAX_AHEAD_S = 3660 * 86400;

/** Offsets change at most a few times a year: the engine is asked once per UTC hour. */
const OFFSET_CACHE_HOURS = 100000;

/**
 * One snapshot as the engine committed it, in network sensor order; NaN is missing.
 * @typedef {Object} Entry
 * @property {number} ts_ms end of the measurement period, Unix ms
 * @property {string} ts the same instant in ISO 8601 with the network's local offset
 * @property {number} interval_s the feed's period
 * @property {Float32Array} speed
 * @property {Float32Array} volume
 * @property {Float32Array} occupancy
 * @property {Uint8Array} quality
 * @property {number} [row] a replay's entries: the dataset row it was read from
 */

/** An engine refusal: `code` is the engine's status name (E_TS_ORDER, ...). */
export class RuleError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The `interval_s` a snapshot the engine accepted carries, if any (the engine checked it). */
function snapshotInterval(/** @type {string|Uint8Array} */ snapshot, /** @type {boolean} */ binary) {
  if (binary) {
    const b = /** @type {Uint8Array} */ (snapshot);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(28, true); // FCSNAP1 header
    return v || undefined;
  }
  try {
    const text = typeof snapshot === 'string' ? snapshot : new TextDecoder().decode(snapshot);
    return JSON.parse(text).interval_s;
  } catch {
    return undefined;
  }
}

export class NetworkRules {
  /**
   * Load a network document into a new engine; throws RuleError with the engine's code and
   * message (`network: sensors[3].id: ...`) when the engine refuses it.
   * @param {string} text the flowcast.network/1 document
   * @param {import('../flowcast.js').PredictorConfig} [config]
   */
  constructor(text, config) {
    this.text = text;
    /** @type {NetworkRules|null} */
    this.scratch = null;
    try {
      this.engine = makePredictor({ network: text, config });
    } catch (err) {
      if (err instanceof FlowcastError) throw new RuleError(err.code, err.message);
      throw err;
    }
    this.id = this.engine.networkId;
    this.interval_s = this.engine.intervalS;
    /** @type {string[]} */
    this.sensor_ids = this.engine.sensorIds;
    /** Bumped when the history is emptied (reset): copies of its rows kept elsewhere are stale. */
    this.generation = 0;
    /** @type {Map<number, number>} UTC hour -> offset, when the whole hour has one offset */
    this.offsets = new Map();
  }

  /**
   * Local minus UTC in minutes at the instant, in the network's time zone.
   * @param {number} ms
   */
  offsetMin(ms) {
    const hour = Math.floor(ms / 3600000);
    let off = this.offsets.get(hour);
    if (off === undefined) {
      // an offset changes at most once an hour: when both ends of this UTC hour agree, the
      // whole hour has that offset
      off = this.engine.localTime(hour * 3600000).utcOffsetMin;
      if (this.engine.localTime(hour * 3600000 + 3599999).utcOffsetMin !== off) return this.engine.localTime(ms).utcOffsetMin;
      if (this.offsets.size > OFFSET_CACHE_HOURS) this.offsets.clear();
      this.offsets.set(hour, off);
    }
    return off;
  }

  /** ISO 8601 with the local offset. @param {number} ms */
  iso(ms) { return formatIso(ms, this.offsetMin(ms)); }

  /** The local week of an instant (replay's time-of-week mapping). @param {number} ms */
  local(ms) { return localWeek(ms, this.offsetMin(ms)); }

  /**
   * Hand one snapshot's bytes to the engine. Accepted: the entry holds the values the engine
   * committed for this snapshot (quantised; dropped readings missing). Refused: the engine's
   * code and message; its state is unchanged.
   * @param {string|Uint8Array} snapshot JSON text or bytes, or FCSNAP1 bytes with binary
   * @param {{ binary?: boolean }} [opts]
   * @returns {{ ok: true, entry: Entry, dropped: number } | { ok: false, code: string, message: string }}
   */
  ingest(snapshot, opts = {}) {
    const binary = !!opts.binary;
    const r = this.engine.ingestEcho(snapshot, { binary });
    if (!r.ok) return { ok: false, code: r.code, message: r.message };
    const v = r.values;
    return {
      ok: true,
      dropped: r.dropped,
      entry: {
        ts_ms: r.ts, ts: this.iso(r.ts), interval_s: snapshotInterval(snapshot, binary) ?? this.interval_s,
        speed: v.speedMph, volume: v.volumeVph, occupancy: v.occupancy, quality: v.quality,
      },
    };
  }

  /**
   * Commit a binary snapshot (FCSNAP1) whose values are already the engine's (a normalised
   * replay row): the same decision as ingest, without reading the values back.
   * @param {Uint8Array} bytes
   * @returns {{ ok: true } | { ok: false, code: string, message: string }}
   */
  commitBinary(bytes) {
    const r = this.engine.ingestBinary(bytes);
    return r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message };
  }

  /**
   * Validate an incidents document (flowcast.incidents/1) against this network: the engine's
   * rules, its canonical text (what the server serves) and the incidents decoded; or the
   * engine's code and message. The engine's state is untouched either way.
   * @param {string|Uint8Array} doc
   * @returns {{ ok: true, json: string, tsMs: number, incidents: import('../flowcast.js').Incident[] } | { ok: false, code: string, message: string }}
   */
  incidents(doc) {
    const r = this.engine.parseIncidents(doc, { canonical: true });
    if (!r.ok) return { ok: false, code: r.code, message: r.message };
    return { ok: true, json: /** @type {string} */ (r.canonical), tsMs: r.tsMs, incidents: r.incidents };
  }

  /** Empties the engine's history (the network stays): a replay whose clock jumped. */
  reset() {
    this.engine.loadNetwork(this.text);
    this.generation++; // what was read of the history before is no longer the engine's (history.js)
  }

  /** Newest history slot (slot k covers [k, k + 1) * interval), -Infinity before the first snapshot. */
  historyHead() { return this.engine.historyHead(); }

  /**
   * Committed history rows (slot means), row-major; see Predictor.historyRows.
   * @param {number} firstSlot
   * @param {number} rows
   * @param {Parameters<import('../flowcast.js').Predictor['historyRows']>[2]} [into]
   */
  historyRows(firstSlot, rows, into) { return this.engine.historyRows(firstSlot, rows, into); }

  /**
   * A second engine of the same network that only normalises: snapshots whose values are
   * wanted before (or apart from) their commit to this one, such as a recording moved to
   * today's date or a dataset's rows. An hour of history (the least an engine keeps): it serves none of it.
   */
  normaliser() {
    this.scratch ??= new NetworkRules(this.text, { historyS: 3600, maxAheadS: MAX_AHEAD_S });
    return this.scratch;
  }

  /** Frees the engines. */
  dispose() {
    this.scratch?.dispose();
    this.engine.dispose();
  }
}
