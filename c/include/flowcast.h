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
} fc_config;

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

#ifdef __cplusplus
}
#endif
#endif /* FLOWCAST_H */
