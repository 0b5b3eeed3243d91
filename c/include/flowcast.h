/* flowcast.h — the whole public C API of the flowcast predictor core.
 *
 * The core knows nothing of JavaScript: the WebAssembly exports (c/wasm/) and the native tools
 * are thin layers over this header.
 *
 * Ownership, everywhere:
 *   - The caller owns every buffer it passes in; the engine never keeps a pointer to one after
 *     the call returns (it copies what it needs).
 *   - The engine owns everything it allocates and frees it in fc_engine_destroy().
 *   - Pointers the engine returns (strings, views) stay valid until the next call that changes
 *     the engine's network, or until fc_engine_destroy().
 *
 * Errors: every fallible function returns an fc_status (FC_OK = 0). fc_strerror() gives the
 * generic text of a code; fc_engine_message() gives the detailed message of the engine's last
 * failed call ("readings[3].speed_mph: must be a number in [0, 120]").
 */
#ifndef FLOWCAST_H
#define FLOWCAST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FC_VERSION_MAJOR 0
#define FC_VERSION_MINOR 1
#define FC_VERSION_PATCH 0
#define FC_VERSION "0.1.0"

typedef enum fc_status {
    FC_OK = 0,
    FC_E_NOMEM = 1,       /* an allocation failed */
    FC_E_ARG = 2,         /* a bad argument (NULL handle, wrong buffer size) */
    FC_E_STATE = 3,       /* the call needs a state the engine is not in (no network loaded) */
    FC_E_TOO_LARGE = 4,   /* payload over the configured size limit */
    FC_E_ENCODING = 5,    /* invalid UTF-8, or a raw control byte such as NUL */
    FC_E_JSON = 6,        /* not well-formed JSON (syntax, truncation, nesting too deep) */
    FC_E_SCHEMA = 7,      /* missing or unknown schema/version tag */
    FC_E_NETWORK_ID = 8,  /* the snapshot names another network */
    FC_E_FIELD = 9,       /* a required field is missing, duplicated or of the wrong type */
    FC_E_TIMESTAMP = 10,  /* a timestamp is missing or not valid ISO 8601 with an offset */
    FC_E_TS_ORDER = 11,   /* the timestamp is not newer than the last committed one */
    FC_E_TS_AHEAD = 12,   /* the timestamp is too far ahead of the last committed one */
    FC_E_NETWORK = 13,    /* the network document is invalid (the message names the field) */
    FC_E_TIMEZONE = 14,   /* an unknown time-zone name or an invalid POSIX TZ rule */
    FC_E_NOT_FOUND = 15,  /* an unknown sensor or station */
    FC_E_RANGE = 16,      /* a value outside its allowed range */
    FC_E_UNSUPPORTED = 17,/* outside what the selected snapshot parser decides (parser = fast) */
    FC_E_GAP = 18,        /* a trip crosses a station with no evidence to forecast from (no reading,
                           * no trusted profile, no reporting neighbour: FC_EVIDENCE_NONE) */
    FC_STATUS_COUNT
} fc_status;

/* Generic description of a status code; never NULL. */
const char *fc_strerror(fc_status status);
/* The enum's name without prefix ("E_TS_ORDER", "OK"), stable for programs; never NULL. */
const char *fc_status_name(fc_status status);
/* The library version string, FC_VERSION. */
const char *fc_version(void);

/* ---- configuration --------------------------------------------------------------------- */

typedef struct fc_config {
    uint32_t history_s;        /* history kept per sensor; default 28 days */
    uint32_t max_payload_bytes;/* snapshots larger than this are rejected; default 8 MiB */
    uint32_t max_ahead_s;      /* how far a snapshot may jump past the last one; default 7 days */
    float max_speed_mph;       /* plausible maximum; default 120 (record speeds are far lower) */
    float max_volume_vph;      /* plausible station maximum; default 20000 (8 lanes x 2500) */
    uint32_t parser;           /* snapshot parser, an fc_parser; default FC_PARSER_AUTO */
} fc_config;

/* Which snapshot parser fc_ingest_json() runs. AUTO: the fast single-pass parser, falling back
 * to the cJSON reference parser for input outside its subset (same results either way). CJSON:
 * the reference only. FAST: the fast parser only; input it would hand to the reference is
 * rejected with FC_E_UNSUPPORTED (for differential tests and benchmarks). */
typedef enum fc_parser { FC_PARSER_AUTO = 0, FC_PARSER_CJSON = 1, FC_PARSER_FAST = 2 } fc_parser;

/* Fills *cfg with the defaults above. */
void fc_config_default(fc_config *cfg);

/* ---- engine ------------------------------------------------------------------------------ */

typedef struct fc_engine fc_engine;

/* Creates an engine. cfg may be NULL for the defaults. On success *out owns a new engine that
 * the caller frees with fc_engine_destroy(). A config value out of range gives FC_E_RANGE. */
fc_status fc_engine_create(const fc_config *cfg, fc_engine **out);
/* Frees the engine and everything it allocated. NULL is allowed. */
void fc_engine_destroy(fc_engine *engine);

/* Detailed message of the last failed call on this engine ("" after a success). */
const char *fc_engine_message(const fc_engine *engine);

/* Loads (or replaces) the network from a flowcast.network/1 JSON document of len bytes
 * (no terminating NUL needed). Replacing the network clears the history. On failure the
 * previous network and history are kept and the message names the offending field. */
fc_status fc_engine_load_network(fc_engine *engine, const char *json, size_t len);

/* ---- network queries --------------------------------------------------------------------- */

size_t fc_engine_sensor_count(const fc_engine *engine);
/* Id of sensor i (network order), or NULL when i is out of range. */
const char *fc_engine_sensor_id(const fc_engine *engine, size_t i);
/* Index of the sensor with this id, or -1. */
long fc_engine_sensor_index(const fc_engine *engine, const char *id, size_t id_len);
/* The network's id and interval, or NULL / 0 when none is loaded. */
const char *fc_engine_network_id(const fc_engine *engine);
uint32_t fc_engine_interval_s(const fc_engine *engine);

/* ---- incidents (flowcast.incidents/1, docs/FORMATS.md; c/src/incidents.h) ---------------- */

#define FC_INCIDENTS_DECODED 1u /* flag: add sensor_index, start_ms, end_ms and ts_ms */

/* Validates an incidents document of len bytes against the loaded network (schema, network id,
 * known sensors, lanes, ISO 8601 times, kinds, ids unique, text without control characters, at
 * most max_payload_bytes and 1,000 incidents) and writes its canonical JSON into out[cap]
 * (NUL-terminated); *written gets its length, even when cap is too small (FC_E_ARG). The engine
 * keeps nothing: its state is unchanged whatever the answer. Errors carry a message naming the
 * field; FC_E_STATE without a network. */
fc_status fc_engine_incidents(fc_engine *engine, const char *json, size_t len, uint32_t flags,
                              char *out, size_t cap, size_t *written);

/* ---- ingest ------------------------------------------------------------------------------ */

typedef struct fc_ingest_result {
    int64_t ts_ms;      /* the snapshot's timestamp, Unix milliseconds (0 when rejected) */
    uint32_t accepted;  /* readings committed with a speed */
    uint32_t dropped;   /* invalid readings dropped (unknown id, duplicate, bad value, ...) */
    uint32_t missing;   /* network sensors with no speed in this snapshot and not dropped */
    uint32_t slots_advanced; /* history slots opened by this snapshot (0: same slot) */
} fc_ingest_result;

/* Parses a flowcast.snapshot/1 JSON document of len bytes and commits it. On any status other
 * than FC_OK the engine's committed state is byte-for-byte unchanged. out may be NULL. */
fc_status fc_ingest_json(fc_engine *engine, const char *json, size_t len, fc_ingest_result *out);

/* How many snapshots the fast parser decided (accepted or rejected), and how many it handed to
 * the cJSON reference parser, since the engine was created. Either pointer may be NULL. */
void fc_engine_parser_counts(const fc_engine *engine, uint64_t *fast, uint64_t *fallback);

/* How many readings of the snapshots the fast parser decided went through its literal shortcut
 * for the usual minified shape (the rest took its general member loop). A feed whose readings
 * stop matching shows here rather than as an error: it still parses, only slower. */
uint64_t fc_engine_canonical_readings(const fc_engine *engine);

/* Timestamp of the last committed snapshot (Unix ms), or INT64_MIN when none. */
int64_t fc_engine_last_ts_ms(const fc_engine *engine);

/* Copies the newest slot's values into caller buffers of n = sensor count elements each;
 * any pointer may be NULL to skip that field. Missing values are NaN (quality: 0).
 * Gives FC_E_ARG when n differs from the sensor count, FC_E_STATE without a network. */
fc_status fc_engine_latest(const fc_engine *engine, float *speed_mph, float *volume_vph,
                           float *occupancy, uint8_t *quality, size_t n);

/* Copies n_slots of one sensor's speed history ending at the newest slot (oldest first; NaN
 * for missing or not yet recorded) into out. */
fc_status fc_engine_speed_history(const fc_engine *engine, size_t sensor, float *out,
                                  size_t n_slots);

/* A 64-bit hash of the committed state (network id, history, open-slot sums, last timestamp).
 * Equal digests mean equal state; tests use it to prove a rejected snapshot changed nothing. */
uint64_t fc_engine_digest(const fc_engine *engine);

/* ---- model: training and forecasting ------------------------------------------------- */

/* How a model is trained; fc_train_options_default() gives values tuned on splits of the
 * Los-loop training rows (docs/ACCURACY.md). */
typedef struct fc_train_options {
    uint32_t horizons;       /* steps ahead, 1..24 (default 12: 60 min at 5-minute data) */
    uint32_t smooth_slots;   /* profile window half-width in slots (4) */
    float profile_prior;     /* profile shrinkage toward the sensor mean, in days (6) */
    float huber_mph;         /* residual size where the loss turns from squared to linear (0.2) */
    float lambda_global;     /* ridge on the pooled model (1) */
    float lambda_sensor;     /* pull of each sensor's weights toward the pooled ones (0.8) */
    uint32_t irls_iters;     /* reweighting passes (3) */
    uint32_t max_samples;    /* origins per sensor and horizon, evenly subsampled (1500) */
    uint32_t global_sensors; /* sensors pooled for the global model (48) */
} fc_train_options;

void fc_train_options_default(fc_train_options *opt);

/* Replaces the neighbour graph (built from the network's corridors and connections at load)
 * by a dense row-major n x n adjacency: entry (i, j) > 0 makes sensor j a neighbour of i. */
fc_status fc_engine_set_adjacency(fc_engine *engine, const float *adj, size_t n);

/* Stepwise training on the engine's whole history: begin, then step until *progress is 1
 * (each step is bounded work, so a caller can report progress). The new model replaces the old
 * one only when training completes. opt may be NULL for the defaults. */
fc_status fc_engine_train_begin(fc_engine *engine, const fc_train_options *opt);
fc_status fc_engine_train_step(fc_engine *engine, double *progress);
/* All steps at once, calling progress(fraction, user) after each (progress may be NULL). */
fc_status fc_engine_train(fc_engine *engine, const fc_train_options *opt,
                          void (*progress)(double fraction, void *user), void *user);

/* Steps ahead the current model forecasts, 0 without a model. */
uint32_t fc_engine_horizons(const fc_engine *engine);
/* Forecasts from the newest slot: central value and 10%/90% bounds per sensor and horizon,
 * sensor-major (index sensor * horizons + (step - 1)), n_values = sensors * horizons; any
 * output may be NULL. FC_E_STATE without a model or without data. A sensor with no evidence
 * (FC_EVIDENCE_NONE below) gets NaN in all three at every horizon: the engine never invents
 * a speed. */
fc_status fc_engine_forecast(fc_engine *engine, float *mid, float *lo, float *hi, size_t n_values);

/* What a sensor's forecast stands on (one value per sensor, for every horizon of it). The
 * first three are the imputation of the origin reading; the rule is in c/src/model_forecast.c. */
typedef enum fc_evidence {
    FC_EVIDENCE_OBSERVED = 0,   /* a reading in the newest slot */
    FC_EVIDENCE_CARRIED = 1,    /* no reading now; the last one (at most 30 min old) carried forward */
    FC_EVIDENCE_PROFILE = 2,    /* no reading for over 30 min: the sensor's own learned profile, which
                                 * holds at least FC_PROFILE_TRUST_DAYS days of its readings */
    FC_EVIDENCE_NEIGHBOURS = 3, /* neither: the weighted mean of the up- and downstream neighbours'
                                 * forecasts (those with evidence 0-2), the interval their envelope */
    FC_EVIDENCE_NONE = 4,       /* nothing to stand on: mid, lo and hi are NaN */
    FC_EVIDENCE_COUNT
} fc_evidence;
/* A profile is trusted once it holds this many days' worth of the sensor's own readings (one
 * reading per slot): below that most times of day have no reading of their own, and a sensor
 * that never reported has a profile of 0 mph (model_forecast.c says more). */
#define FC_PROFILE_TRUST_DAYS 1
/* fc_engine_forecast, plus each sensor's fc_evidence in evidence[n_sensors] (may be NULL). */
fc_status fc_engine_forecast_evidence(fc_engine *engine, float *mid, float *lo, float *hi, size_t n_values,
                                      uint8_t *evidence);

/* Model files (format 3: c/src/model_pack.c; format 2, which still loads: c/src/model_io.c).
 * fc_engine_model_size() is the byte size of the current model's file (0 without a model, or
 * when its profiles are not all here); fc_engine_save_model() writes it into the caller's
 * buffer of cap bytes (*written gets the size even when cap is too small: FC_E_ARG). Format 3
 * stores weights, intervals and profiles quantised (model_pack.c says to what); a trained model
 * is rounded to that when training ends, so a save and a load change no forecast.
 * fc_engine_load_model() validates everything (magic, version, network, sizes, checksum,
 * finite values) before replacing the current model; on failure the old model stays. */
size_t fc_engine_model_size(const fc_engine *engine);
/* The model file format version this engine writes and reads (the u32 at byte 8 of every model
 * file): a server that stores or serves model files reports it, so there is one number. */
uint32_t fc_model_format_version(void);
fc_status fc_engine_save_model(fc_engine *engine, uint8_t *buf, size_t cap, size_t *written);
fc_status fc_engine_load_model(fc_engine *engine, const uint8_t *buf, size_t len);
/* The model file without its time-of-day profiles (weights and intervals only: a quarter of
 * the full file for Atlanta), for engines that read the profiles from tiles: such a model forecasts
 * only after fc_engine_tiles_enable (FC_E_STATE before). Works in any mode. */
size_t fc_engine_model_size_without_profiles(const fc_engine *engine);
fc_status fc_engine_save_model_without_profiles(fc_engine *engine, uint8_t *buf, size_t cap, size_t *written);
/* A window file: the model with only the profile cells that forecasts from the snapshots in
 * the span_s seconds after ts_ms (0: an hour) read, for a first forecast that does not wait for
 * the whole file (a third of it for Atlanta: 82 KB of 237 KB with brotli). An engine that
 * loads it forecasts exactly as with the full file while its newest data is inside the window,
 * and outside it refuses (FC_E_STATE, "no profile for this time") until the full file is
 * loaded; it cannot save a full file or export tiles. *written gets the size even when cap is
 * too small (FC_E_ARG); FC_E_RANGE for a span over a week. */
fc_status fc_engine_save_model_window(fc_engine *engine, int64_t ts_ms, uint32_t span_s, uint8_t *buf, size_t cap,
                                      size_t *written);

/* Empties the model's time-of-day profiles so that they are rebuilt only from snapshots
 * ingested from now on. For evaluation replays that must not see the future. */
fc_status fc_engine_clear_profiles(fc_engine *engine);

/* Ingests a binary snapshot (FCSNAP1: columns in network order at the stored resolution;
 * c/src/ingest_bin.h, docs/FORMATS.md) under the same rules and with the same all-or-nothing
 * guarantee as fc_ingest_json; the same snapshot as JSON commits the same state. */
fc_status fc_ingest_binary(fc_engine *engine, const uint8_t *buf, size_t len, fc_ingest_result *result);

/* Ingests one row of values (NaN = missing) for every sensor in network order, under the same
 * rules as fc_ingest_json (timestamp order, plausible ranges). Any array but speed may be NULL. */
fc_status fc_ingest_values(fc_engine *engine, int64_t ts_ms, const float *speed_mph,
                           const float *volume_vph, const float *occupancy, size_t n,
                           fc_ingest_result *out);

/* ---- travel times ------------------------------------------------------------------------ */

/* Travel times walk the network (corridors in downstream order, loops wrapping, interchange
 * connections) on the current model's forecast, time-dependently: each segment at the speed
 * forecast for the moment the traveller reaches it (c/src/route.h has the exact rules). The
 * engine keeps the forecast the queries read and recomputes it once per data version; results
 * are cached (an LRU of FC_ROUTE_CACHE_ENTRIES entries and FC_ROUTE_CACHE_BYTES bytes) under
 * (from, to, departure, data version), so a stale result is never served. The data version
 * changes with every committed snapshot, network load, model training or loading, adjacency
 * change and profile clearing. */

#define FC_ROUTE_CACHE_ENTRIES 1024u
#define FC_ROUTE_CACHE_BYTES (4u << 20)
#define FC_ROUTE_NO_CACHE 1u   /* flag: compute afresh, neither read nor fill the cache */

typedef struct fc_travel_segment {
    uint32_t from, to;         /* sensor indices */
    float length_mi;
    float speed_mph;           /* the speed used: harmonic mean of the two ends at entry */
    double entry_min;          /* minutes after departure when the traveller enters it */
    uint32_t estimated;        /* 1 when an end's speed is estimated from its neighbours
                                * (FC_EVIDENCE_NEIGHBOURS), with their wider interval; else 0 */
    uint32_t reserved;
} fc_travel_segment;

typedef struct fc_travel_time {
    int64_t depart_ms;
    double minutes;            /* predicted travel time (central forecast) */
    double distance_mi;
    double free_flow_minutes;  /* at the speed limits */
    double delay_minutes;      /* max(0, minutes - free_flow_minutes) */
    double low_minutes;        /* 10–90% range from the forecast's interval bounds */
    double high_minutes;
    uint32_t n_segments;       /* segments of the whole path (even beyond the caller's capacity) */
    uint32_t n_estimated;      /* of those, segments costed from a neighbour estimate (estimated) */
} fc_travel_time;

typedef struct fc_departure {
    int64_t depart_ms;
    double minutes, low_minutes, high_minutes;
} fc_departure;

/* An LRU cache's counters (fc_engine_route_cache_stats; c/src/lru.h). */
typedef struct fc_cache_stats {
    uint64_t hits, misses;      /* lookups that found / did not find their key */
    uint64_t insertions;        /* values stored under a key not present */
    uint64_t evictions;         /* entries dropped to make room */
    uint64_t bytes_in_use;      /* value bytes held (in whole chunks) */
    uint64_t peak_bytes;        /* highest bytes_in_use so far */
    uint32_t entries;           /* entries held */
    uint32_t max_entries;       /* capacity in entries */
    uint64_t max_bytes;         /* capacity in value bytes */
    uint64_t footprint_bytes;   /* the cache's whole allocation, fixed at creation */
} fc_cache_stats;

/* Travel time from sensor station `from` to `to` (indices) leaving at depart_ms, which must lie
 * in [newest data time, newest data time + horizons x interval]. Fills *out and the first
 * seg_cap segments of the path (segments may be NULL with seg_cap 0); flags: 0 or
 * FC_ROUTE_NO_CACHE. Errors, with a message: FC_E_STATE without a model or data, FC_E_NOT_FOUND
 * for an unknown station or when no path leads from `from` to `to`, FC_E_ARG for from == to,
 * FC_E_RANGE for a departure outside the forecast, FC_E_GAP when the path crosses a station
 * without evidence (the message names it): a travel time is never costed from an invented
 * speed. Stations estimated from their neighbours are costed from that estimate and counted in
 * n_estimated. Allocates only on the first query after the
 * network or the model changed (the route graph, the forecast buffers, the cache). */
fc_status fc_engine_travel_time(fc_engine *engine, size_t from, size_t to, int64_t depart_ms,
                                uint32_t flags, fc_travel_time *out, fc_travel_segment *segments,
                                size_t seg_cap);

/* Travel times for departures earliest, earliest + step_ms, ... <= latest (all inside the
 * forecast range), written to out[0..*n_out-1]; *best gets the index of the fastest (the
 * earliest among equals). FC_E_ARG when cap is smaller than the number of departures (*n_out
 * then gives it) or step_ms < 1; otherwise the errors of fc_engine_travel_time. */
fc_status fc_engine_best_departure(fc_engine *engine, size_t from, size_t to, int64_t earliest_ms,
                                   int64_t latest_ms, int64_t step_ms, fc_departure *out,
                                   size_t cap, size_t *n_out, size_t *best);

/* Counters of the engine's route-result cache (zeros before the first query). */
void fc_engine_route_cache_stats(const fc_engine *engine, fc_cache_stats *out);

/* The engine's data version: changes whenever a forecast or a travel time could change. */
uint64_t fc_engine_data_version(const fc_engine *engine);

/* ---- history profile tiles (c/src/tile.h: format; c/src/tile_mode.c: how) -------------- */

/* Tile mode: after a model is loaded, the time-of-day profiles are read from tiles (one per
 * sensor group and day type; groups are the corridors, then "~rest" for sensors in no
 * corridor) held in an LRU cache of max_bytes value bytes, and the model's own profile arrays
 * are freed. Loading another model keeps tile mode (and forgets the other model's tiles);
 * training, saving the model and clearing profiles are refused (FC_E_STATE) in tile mode.
 * Leaving it: reload the network. */
fc_status fc_engine_tiles_enable(fc_engine *engine, size_t max_bytes);
int fc_engine_tiles_enabled(const fc_engine *engine);
uint32_t fc_engine_tile_groups(const fc_engine *engine);
const char *fc_engine_tile_group_id(const fc_engine *engine, uint32_t group);
/* Bytes of the tile file of a group (0 for a bad group or without a model). */
size_t fc_engine_tile_size(const fc_engine *engine, uint32_t group);
/* Writes the tile of (group, daytype 0 weekday / 1 weekend) from this engine's model (not in
 * tile mode): for servers. *written gets the size even when cap is too small (FC_E_ARG). */
fc_status fc_engine_tile_export(fc_engine *engine, uint32_t group, int daytype, uint8_t *buf, size_t cap,
                                size_t *written);
/* Validates a tile (untrusted bytes) and caches it; FC_E_TOO_LARGE when it exceeds the cap. */
fc_status fc_engine_tile_put(fc_engine *engine, const uint8_t *buf, size_t len);
/* A forecast in tile mode: begin (prepares the newest data; *daytypes gets the day types the
 * window needs as bits), then every group (FC_E_NOT_FOUND with *need_daytype when that tile is
 * not cached: put it and call again), then end; fc_engine_forecast and the travel-time queries
 * then read the result until the data changes. */
fc_status fc_engine_forecast_tiles_begin(fc_engine *engine, uint32_t *daytypes);
fc_status fc_engine_forecast_tiles_group(fc_engine *engine, uint32_t group, int *need_daytype);
fc_status fc_engine_forecast_tiles_end(fc_engine *engine);
/* Counters of the tile cache (zeros unless tile mode is on). */
void fc_engine_tile_cache_stats(const fc_engine *engine, fc_cache_stats *out);

/* ---- instrumentation ------------------------------------------------------------------- */

/* Engine stages that are timed on every call (always on: one clock read per boundary). */
typedef enum fc_stage_id {
    FC_STAGE_PARSE = 0,   /* snapshot parsing and validation into the staging area */
    FC_STAGE_COMMIT = 1,  /* writing a validated snapshot (or a row of values) into history */
    FC_STAGE_FORECAST = 2,/* fc_engine_forecast */
    FC_STAGE_TRAIN = 3,   /* one training step */
    FC_STAGE_ROUTE = 4,   /* one travel-time query (cache hits included) */
    FC_STAGE_COUNT
} fc_stage_id;

/* "parse", "commit", "forecast", "train", "route"; "?" for an unknown id. */
const char *fc_stage_name(fc_stage_id stage);

typedef struct fc_stage_stats {
    uint64_t calls;          /* since the engine was created */
    double total_us;         /* summed duration of those calls */
    float median_us, p95_us; /* over the last 256 calls */
} fc_stage_stats;

fc_status fc_engine_stage_stats(const fc_engine *engine, fc_stage_id stage, fc_stage_stats *out);

/* Starts (on = 1, clearing earlier spans) or stops (0) recording one span per timed call, up to
 * the newest 8192. fc_engine_trace_spans() gives the span array (24-byte records: f64 start_us,
 * f64 dur_us, u32 stage, u32 arg), the number of valid spans and the index after the newest;
 * web/flowcast.js turns them into Chrome trace-event JSON. */
fc_status fc_engine_trace(fc_engine *engine, int on);
const void *fc_engine_trace_spans(const fc_engine *engine, size_t *count, size_t *next);

/* Bytes the engine holds for its network's history (ring buffers, open-slot sums, staging),
 * its model and its route state: what a memory panel reports besides the wasm heap size. */
typedef struct fc_memory {
    uint64_t history_bytes, model_bytes, route_bytes;
} fc_memory;
fc_status fc_engine_memory(const fc_engine *engine, fc_memory *out);

/* ---- time ------------------------------------------------------------------------------- */

typedef struct fc_local_time {
    int32_t year, month, day;   /* local civil date */
    int32_t minute_of_day;      /* 0..1439, local */
    int32_t day_of_week;        /* 0 = Monday .. 6 = Sunday, local */
    int32_t utc_offset_min;     /* local - UTC, minutes (-240 for EDT) */
    int32_t is_dst;             /* 1 while daylight-saving time is in effect */
} fc_local_time;

/* Parses an ISO 8601 timestamp with seconds and an offset or Z into Unix milliseconds. */
fc_status fc_parse_timestamp(const char *s, size_t len, int64_t *out_ms);
/* Local time of a Unix-ms instant in the loaded network's time zone. */
fc_status fc_engine_local_time(const fc_engine *engine, int64_t ts_ms, fc_local_time *out);

/* ---- read-back for hosts that serve the engine's decisions (c/src/engine_read.c) --------- */

/* fc_ingest_json / fc_ingest_binary, deciding and committing exactly as they do, that also copy
 * the values the snapshot committed for itself into caller buffers of n = sensor count each:
 * its own readings as staged (quantised as the history stores them, dropped readings missing),
 * before any averaging with other snapshots of its slot. Missing values are NaN (quality 0).
 * The buffers are written only on FC_OK. For a feed server that stores and serves what the
 * engine accepted (web/server/rules.js). Costs one more parse than the plain ingest. */
fc_status fc_ingest_json_echo(fc_engine *engine, const char *json, size_t len, fc_ingest_result *out,
                              float *speed_mph, float *volume_vph, float *occupancy, uint8_t *quality,
                              size_t n);
fc_status fc_ingest_binary_echo(fc_engine *engine, const uint8_t *buf, size_t len, fc_ingest_result *out,
                                float *speed_mph, float *volume_vph, float *occupancy, uint8_t *quality,
                                size_t n);

/* Absolute number of the newest history slot (slot k covers [k, k + 1) x interval from the epoch), or
 * INT64_MIN with no snapshot committed or no network. */
int64_t fc_engine_history_head(const fc_engine *engine);

/* Copies the committed rows of slots first_slot .. first_slot + rows - 1, every sensor, into
 * row-major caller buffers of rows x n values (n = sensor count): a slot's values are the
 * means of its snapshots, as every engine reader sees them. Slots not held (after the head,
 * or older than the history keeps) are NaN, quality 0. FC_E_STATE without a network. */
fc_status fc_engine_history_rows(const fc_engine *engine, int64_t first_slot, size_t rows,
                                 float *speed_mph, float *volume_vph, float *occupancy,
                                 uint8_t *quality, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* FLOWCAST_H */
