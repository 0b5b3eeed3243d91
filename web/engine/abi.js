// abi.js — the JavaScript mirror of the C ABI and nothing else: status codes, enum values, the
// layouts of the structs JavaScript reads, and the two struct readers that more than one module
// needs. Every number here has its C twin named beside it; tests/abi.test.mjs reads
// c/include/flowcast.h, c/src/*.h and the _Static_asserts in c/wasm/api.c and fails when one
// of them differs, so a change on the C side cannot drift silently.

// ---- fc_status (c/include/flowcast.h; names from c/src/status.c) ----
export const FC_OK = 0;
export const FC_E_NOMEM = 1;
export const FC_E_ARG = 2;
export const FC_E_STATE = 3;
export const FC_E_TOO_LARGE = 4;
export const FC_E_ENCODING = 5;
export const FC_E_JSON = 6;
export const FC_E_SCHEMA = 7;
export const FC_E_NETWORK_ID = 8;
export const FC_E_FIELD = 9;
export const FC_E_TIMESTAMP = 10;
export const FC_E_TS_ORDER = 11;
export const FC_E_TS_AHEAD = 12;
export const FC_E_NETWORK = 13;
export const FC_E_TIMEZONE = 14;
export const FC_E_NOT_FOUND = 15;
export const FC_E_RANGE = 16;
export const FC_E_UNSUPPORTED = 17;
export const FC_E_GAP = 18;

/** Every fc_status by its C name, for the test that compares them with the header. */
export const FC_STATUS = Object.freeze({
  FC_OK, FC_E_NOMEM, FC_E_ARG, FC_E_STATE, FC_E_TOO_LARGE, FC_E_ENCODING, FC_E_JSON, FC_E_SCHEMA,
  FC_E_NETWORK_ID, FC_E_FIELD, FC_E_TIMESTAMP, FC_E_TS_ORDER, FC_E_TS_AHEAD, FC_E_NETWORK,
  FC_E_TIMEZONE, FC_E_NOT_FOUND, FC_E_RANGE, FC_E_UNSUPPORTED, FC_E_GAP,
});

// ---- fc_evidence (flowcast.h; the rule is in c/src/model_forecast.c) ----
/**
 * What each sensor's forecast stands on, by name: `forecast().evidence[s]` holds one of these.
 * observed: a reading now; carried: the last reading (at most 30 min old); profile: no reading
 * for over 30 min, the sensor's own learned profile; neighbours: estimated from the up- and
 * downstream neighbours (wider interval); none: no evidence, mid/lo/hi are NaN.
 * @type {Readonly<{ observed: 0, carried: 1, profile: 2, neighbours: 3, none: 4 }>}
 */
export const EVIDENCE = Object.freeze({ observed: 0, carried: 1, profile: 2, neighbours: 3, none: 4 });
/** Evidence names by value (EVIDENCE inverted), e.g. for labels. */
export const EVIDENCE_NAMES = Object.freeze(['observed', 'carried', 'profile', 'neighbours', 'none']);

// ---- fc_parser (flowcast.h) ----
/** @type {Readonly<Record<string, number>>} the config's parser names and their fc_parser values */
export const PARSERS = Object.freeze({ auto: 0, cjson: 1, fast: 2 }); // FC_PARSER_AUTO, _CJSON, _FAST
/** Not an fc_parser: passed for an unknown parser name so that the engine answers FC_E_RANGE. */
export const PARSER_INVALID = 255;

// ---- fc_stage_id (flowcast.h; fc_stage_name gives the same words) ----
/** Stage names by fc_stage_id, FC_STAGE_PARSE first. */
export const STAGE_NAMES = Object.freeze(['parse', 'commit', 'forecast', 'train', 'route']);
export const FC_STAGE_COUNT = 5;

// ---- route queries (flowcast.h) ----
/** fc_engine_travel_time flag: compute afresh, neither read nor fill the cache. */
export const FC_ROUTE_NO_CACHE = 1;

// ---- profile-tile day types (c/src/tile.h: 0 weekday, 1 weekend) ----
/** Day types of the profiles and tiles, by their index in the engine. */
export const DAYTYPES = /** @type {const} */ (['weekday', 'weekend']);
/** fcw_forecast_tiles_group (c/wasm/api.c) answers a missing tile as this plus its day type. */
export const TILE_MISSING_BASE = 100;

// ---- config defaults (fc_config_default) ----
export const DEFAULT_MAX_PAYLOAD = 8 << 20;

// ---- the per-engine scratch block JavaScript keeps in the wasm heap ----
// Byte offsets inside it; each struct's size is pinned by a _Static_assert in c/wasm/api.c.
export const SCRATCH_BYTES = 64;
export const OFF_RESULT = 0;   // fc_ingest_result, 24 bytes
export const OFF_LOCAL = 24;   // fc_local_time, 28 bytes
export const OFF_OUT = 56;     // one pointer, two u32, or a double (8-aligned)

// ---- struct layouts (byte offsets by C field name; sizes as *_BYTES) ----
export const INGEST_RESULT = Object.freeze({ ts_ms: 0, accepted: 8, dropped: 12, missing: 16, slots_advanced: 20 });
export const INGEST_RESULT_BYTES = 24;
export const LOCAL_TIME_BYTES = 28; // seven int32: year, month, day, minute of day, day of week, UTC offset, DST
export const TRAVEL_TIME = Object.freeze({
  minutes: 8, distance_mi: 16, free_flow_minutes: 24, delay_minutes: 32, low_minutes: 40, high_minutes: 48, n_segments: 56,
  n_estimated: 60,
});
export const TRAVEL_TIME_BYTES = 64;
export const TRAVEL_SEGMENT = Object.freeze({ from: 0, to: 4, length_mi: 8, speed_mph: 12, entry_min: 16, estimated: 24 });
export const TRAVEL_SEGMENT_BYTES = 32;
export const DEPARTURE = Object.freeze({ depart_ms: 0, minutes: 8, low_minutes: 16, high_minutes: 24 });
export const DEPARTURE_BYTES = 32;
export const CACHE_STATS = Object.freeze({
  hits: 0, misses: 8, insertions: 16, evictions: 24, bytes_in_use: 32, peak_bytes: 40, entries: 48, max_entries: 52,
  max_bytes: 56, footprint_bytes: 64,
});
export const CACHE_STATS_BYTES = 72;
export const STAGE_STATS = Object.freeze({ calls: 0, total_us: 8, median_us: 16, p95_us: 20 });
export const STAGE_STATS_BYTES = 24;
export const MEMORY = Object.freeze({ history_bytes: 0, model_bytes: 8, route_bytes: 16 });
export const MEMORY_BYTES = 24;
export const SPAN = Object.freeze({ start_us: 0, dur_us: 8, stage: 16, arg: 20 }); // fc_span, c/src/stats.h
export const SPAN_BYTES = 24;
/** FC_TRACE_CAP (c/src/stats.h): spans kept while tracing; the ring wraps at this count. */
export const TRACE_CAP = 8192;

/**
 * @typedef {object} CacheStats
 * @property {number} hits
 * @property {number} misses
 * @property {number} insertions
 * @property {number} evictions
 * @property {number} bytesInUse
 * @property {number} peakBytes
 * @property {number} entries
 * @property {number} maxEntries
 * @property {number} maxBytes
 * @property {number} footprintBytes the cache's whole allocation, fixed at creation
 */

/**
 * Reads an fc_cache_stats (the route cache, the tile cache and web/lru.js all report one).
 * @param {DataView} v  a view over the wasm memory
 * @param {number} p    the struct's address
 * @returns {CacheStats}
 */
export function readCacheStats(v, p) {
  const u64 = (/** @type {number} */ o) => Number(v.getBigUint64(p + o, true));
  const c = CACHE_STATS;
  return {
    hits: u64(c.hits), misses: u64(c.misses), insertions: u64(c.insertions), evictions: u64(c.evictions),
    bytesInUse: u64(c.bytes_in_use), peakBytes: u64(c.peak_bytes), entries: v.getUint32(p + c.entries, true),
    maxEntries: v.getUint32(p + c.max_entries, true), maxBytes: u64(c.max_bytes), footprintBytes: u64(c.footprint_bytes),
  };
}

/**
 * @typedef {object} IngestOk
 * @property {true} ok
 * @property {number} accepted   readings committed with a speed
 * @property {number} dropped    invalid readings dropped
 * @property {number} missing    sensors without a speed in this snapshot (not dropped)
 * @property {number} ts         the snapshot time, Unix milliseconds
 * @property {number} slotsAdvanced history slots opened by this snapshot
 */

/**
 * Reads an fc_ingest_result after a successful ingest (JSON, binary or a row of values).
 * @param {DataView} v
 * @param {number} p
 * @returns {IngestOk}
 */
export function readIngestResult(v, p) {
  const r = INGEST_RESULT;
  return {
    ok: true,
    accepted: v.getUint32(p + r.accepted, true),
    dropped: v.getUint32(p + r.dropped, true),
    missing: v.getUint32(p + r.missing, true),
    // int64 ms from two halves: exact below 2^53, and no BigInt on the ingest path
    ts: v.getInt32(p + r.ts_ms + 4, true) * 4294967296 + v.getUint32(p + r.ts_ms, true),
    slotsAdvanced: v.getUint32(p + r.slots_advanced, true),
  };
}
