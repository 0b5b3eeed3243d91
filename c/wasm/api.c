/* api.c — the WebAssembly exports that are not plain flowcast.h functions: calls whose C
 * signatures use structs or 64-bit integers get scalar/double forms here, so web/flowcast.js
 * needs no BigInt on its hot paths. Struct layouts that JavaScript reads are pinned below. */
#include <emscripten/emscripten.h>
#include <stddef.h>
#include <stdint.h>
#include "api.h"
#include "lru.h"

/* web/flowcast.js reads fc_ingest_result at these byte offsets. */
_Static_assert(offsetof(fc_ingest_result, ts_ms) == 0, "layout");
_Static_assert(offsetof(fc_ingest_result, accepted) == 8, "layout");
_Static_assert(offsetof(fc_ingest_result, dropped) == 12, "layout");
_Static_assert(offsetof(fc_ingest_result, missing) == 16, "layout");
_Static_assert(offsetof(fc_ingest_result, slots_advanced) == 20, "layout");
_Static_assert(sizeof(fc_ingest_result) == 24, "layout");
_Static_assert(sizeof(fc_local_time) == 28, "layout");

EMSCRIPTEN_KEEPALIVE
fc_status fcw_engine_create(uint32_t history_s, uint32_t max_payload_bytes, uint32_t max_ahead_s,
                            float max_speed_mph, float max_volume_vph, uint32_t parser, fc_engine **out)
{
    fc_config cfg;
    fc_config_default(&cfg);
    /* 0 keeps the default, so JS passes only what the caller set */
    if (history_s) cfg.history_s = history_s;
    if (max_payload_bytes) cfg.max_payload_bytes = max_payload_bytes;
    if (max_ahead_s) cfg.max_ahead_s = max_ahead_s;
    if (max_speed_mph > 0) cfg.max_speed_mph = max_speed_mph;
    if (max_volume_vph > 0) cfg.max_volume_vph = max_volume_vph;
    cfg.parser = parser; /* fc_parser; 0 is the default, FC_PARSER_AUTO */
    return fc_engine_create(&cfg, out);
}

EMSCRIPTEN_KEEPALIVE
double fcw_last_ts_ms(const fc_engine *e)
{
    int64_t t = fc_engine_last_ts_ms(e);
    return t == INT64_MIN ? -1.0 / 0.0 : (double)t;
}

EMSCRIPTEN_KEEPALIVE
fc_status fcw_local_time(const fc_engine *e, double ts_ms, fc_local_time *out)
{
    if (!(ts_ms > -9e15 && ts_ms < 9e15)) return FC_E_RANGE;
    return fc_engine_local_time(e, (int64_t)ts_ms, out);
}

EMSCRIPTEN_KEEPALIVE
fc_status fcw_parse_timestamp(const char *s, size_t len, double *out_ms)
{
    int64_t ms;
    fc_status st = fc_parse_timestamp(s, len, &ms);
    if (st == FC_OK) *out_ms = (double)ms;
    return st;
}

/* The digest as two 32-bit halves written to out[0] (low) and out[1] (high). */
EMSCRIPTEN_KEEPALIVE
void fcw_digest(const fc_engine *e, uint32_t *out)
{
    uint64_t d = fc_engine_digest(e);
    out[0] = (uint32_t)d;
    out[1] = (uint32_t)(d >> 32);
}

EMSCRIPTEN_KEEPALIVE
fc_status fcw_train_begin(fc_engine *e, uint32_t horizons, uint32_t smooth_slots, float profile_prior,
                          float huber_mph, float lambda_global, float lambda_sensor, uint32_t irls_iters,
                          uint32_t max_samples, uint32_t global_sensors)
{
    fc_train_options o;
    fc_train_options_default(&o);
    /* 0 (or negative for the floats) keeps the default */
    if (horizons) o.horizons = horizons;
    if (smooth_slots) o.smooth_slots = smooth_slots;
    if (profile_prior >= 0) o.profile_prior = profile_prior;
    if (huber_mph > 0) o.huber_mph = huber_mph;
    if (lambda_global >= 0) o.lambda_global = lambda_global;
    if (lambda_sensor >= 0) o.lambda_sensor = lambda_sensor;
    if (irls_iters) o.irls_iters = irls_iters;
    if (max_samples) o.max_samples = max_samples;
    if (global_sensors) o.global_sensors = global_sensors;
    return fc_engine_train_begin(e, &o);
}

EMSCRIPTEN_KEEPALIVE
fc_status fcw_ingest_values(fc_engine *e, double ts_ms, const float *speed, const float *volume,
                            const float *occupancy, size_t n, fc_ingest_result *out)
{
    if (!(ts_ms > -9e15 && ts_ms < 9e15)) return FC_E_RANGE;
    return fc_ingest_values(e, (int64_t)ts_ms, speed, volume, occupancy, n, out);
}

/* ---- travel times: web/flowcast.js reads these structs at these offsets ---- */

_Static_assert(offsetof(fc_travel_time, minutes) == 8 && offsetof(fc_travel_time, high_minutes) == 48 &&
               offsetof(fc_travel_time, n_segments) == 56 && sizeof(fc_travel_time) == 64, "layout");
_Static_assert(offsetof(fc_travel_time, n_estimated) == 60, "layout");
_Static_assert(offsetof(fc_travel_segment, length_mi) == 8 && offsetof(fc_travel_segment, entry_min) == 16 &&
               offsetof(fc_travel_segment, estimated) == 24 && sizeof(fc_travel_segment) == 32, "layout");
_Static_assert(offsetof(fc_departure, minutes) == 8 && sizeof(fc_departure) == 32, "layout");
_Static_assert(offsetof(fc_cache_stats, entries) == 48 && offsetof(fc_cache_stats, max_bytes) == 56 &&
               sizeof(fc_cache_stats) == 72, "layout");

static int ms_ok(double ms) { return ms > -9e15 && ms < 9e15; }

EMSCRIPTEN_KEEPALIVE
fc_status fcw_travel_time(fc_engine *e, uint32_t from, uint32_t to, double depart_ms, uint32_t flags,
                          fc_travel_time *out, fc_travel_segment *segments, uint32_t seg_cap)
{
    if (!ms_ok(depart_ms)) return FC_E_RANGE;
    return fc_engine_travel_time(e, from, to, (int64_t)depart_ms, flags, out, segments, seg_cap);
}

/* out_n_best[0] gets the number of departures, out_n_best[1] the index of the fastest. */
EMSCRIPTEN_KEEPALIVE
fc_status fcw_best_departure(fc_engine *e, uint32_t from, uint32_t to, double earliest_ms, double latest_ms,
                             double step_ms, fc_departure *out, uint32_t cap, uint32_t *out_n_best)
{
    if (!ms_ok(earliest_ms) || !ms_ok(latest_ms) || !ms_ok(step_ms)) return FC_E_RANGE;
    size_t n = 0, best = 0;
    fc_status st = fc_engine_best_departure(e, from, to, (int64_t)earliest_ms, (int64_t)latest_ms, (int64_t)step_ms,
                                            out, cap, &n, &best);
    out_n_best[0] = (uint32_t)n;
    out_n_best[1] = (uint32_t)best;
    return st;
}

EMSCRIPTEN_KEEPALIVE
double fcw_data_version(const fc_engine *e) { return (double)fc_engine_data_version(e); }

/* ---- the LRU cache as a handle (web/lru.js; benchmarks): keys are integers below 2^53 ---- */

/* Length of the value (copied into out when it fits in cap), or -1 on a miss. */
EMSCRIPTEN_KEEPALIVE
int32_t fcw_lru_get(fc_lru *c, double key, void *out, uint32_t cap)
{
    size_t len;
    if (fc_lru_get(c, (uint64_t)key, out, cap, &len) != FC_OK) return -1;
    return (int32_t)len;
}

EMSCRIPTEN_KEEPALIVE
fc_status fcw_lru_put(fc_lru *c, double key, const void *val, uint32_t len) { return fc_lru_put(c, (uint64_t)key, val, len); }

EMSCRIPTEN_KEEPALIVE
int fcw_lru_delete(fc_lru *c, double key) { return fc_lru_delete(c, (uint64_t)key); }

/* The benchmark's access pattern inside wasm: get each key, and on a miss put `value` under it
 * (fc_lru_access: one index probe for the miss and its insert). Returns the number of hits. */
EMSCRIPTEN_KEEPALIVE
uint32_t fcw_lru_access_batch(fc_lru *c, const uint32_t *keys, uint32_t n, const void *value, uint32_t value_len)
{
    unsigned char buf[64];
    uint32_t hits = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        if (fc_lru_access(c, keys[i], buf, sizeof buf, &len, value, value_len) == FC_OK) hits++;
    }
    return hits;
}

/* ---- history profile tiles (flowcast.h; web/flowcast.js useProfileTiles / forecastAsync) ---- */

EMSCRIPTEN_KEEPALIVE
fc_status fcw_tiles_enable(fc_engine *e, double max_bytes)
{
    return max_bytes >= 0 && max_bytes <= 4294967295.0 ? fc_engine_tiles_enable(e, (size_t)max_bytes)
                                                       : fc_engine_tiles_enable(e, 0);
}
EMSCRIPTEN_KEEPALIVE
int fcw_tiles_enabled(const fc_engine *e) { return fc_engine_tiles_enabled(e); }
EMSCRIPTEN_KEEPALIVE
uint32_t fcw_tile_groups(const fc_engine *e) { return fc_engine_tile_groups(e); }
EMSCRIPTEN_KEEPALIVE
const char *fcw_tile_group_id(const fc_engine *e, uint32_t g) { return fc_engine_tile_group_id(e, g); }
EMSCRIPTEN_KEEPALIVE
size_t fcw_tile_size(const fc_engine *e, uint32_t g) { return fc_engine_tile_size(e, g); }
EMSCRIPTEN_KEEPALIVE
fc_status fcw_tile_export(fc_engine *e, uint32_t g, int daytype, uint8_t *buf, size_t cap)
{
    return fc_engine_tile_export(e, g, daytype, buf, cap, NULL);
}
EMSCRIPTEN_KEEPALIVE
fc_status fcw_tile_put(fc_engine *e, const uint8_t *buf, size_t len) { return fc_engine_tile_put(e, buf, len); }
/* Day types the window needs as bits (1 weekday, 2 weekend), or -status. */
EMSCRIPTEN_KEEPALIVE
int fcw_forecast_tiles_begin(fc_engine *e)
{
    uint32_t mask = 0;
    fc_status st = fc_engine_forecast_tiles_begin(e, &mask);
    return st ? -(int)st : (int)mask;
}
/* 0 done; -status on failure; for a missing tile FC_E_NOT_FOUND is returned as 100 + day type. */
EMSCRIPTEN_KEEPALIVE
int fcw_forecast_tiles_group(fc_engine *e, uint32_t g)
{
    int need = 0;
    fc_status st = fc_engine_forecast_tiles_group(e, g, &need);
    if (st == FC_E_NOT_FOUND && g < fc_engine_tile_groups(e)) return 100 + need;
    return -(int)st;
}
EMSCRIPTEN_KEEPALIVE
fc_status fcw_forecast_tiles_end(fc_engine *e) { return fc_engine_forecast_tiles_end(e); }
EMSCRIPTEN_KEEPALIVE
void fcw_tile_cache_stats(const fc_engine *e, fc_cache_stats *out) { fc_engine_tile_cache_stats(e, out); }

/* ---- binary snapshots ---- */
EMSCRIPTEN_KEEPALIVE
fc_status fcw_ingest_binary(fc_engine *e, const uint8_t *buf, size_t len, fc_ingest_result *out)
{
    return fc_ingest_binary(e, buf, len, out);
}

/* ---- model files without profiles (for tile mode) ---- */
EMSCRIPTEN_KEEPALIVE
size_t fcw_model_size_without_profiles(const fc_engine *e) { return fc_engine_model_size_without_profiles(e); }
EMSCRIPTEN_KEEPALIVE
fc_status fcw_save_model_without_profiles(fc_engine *e, uint8_t *buf, size_t cap, size_t *written)
{
    return fc_engine_save_model_without_profiles(e, buf, cap, written);
}

/* the window file (fc_engine_save_model_window) with the time as a double */
EMSCRIPTEN_KEEPALIVE
fc_status fcw_save_model_window(fc_engine *e, double ts_ms, uint32_t span_s, uint8_t *buf, size_t cap, size_t *written)
{
    if (!(ts_ms > -9e15 && ts_ms < 9e15)) return FC_E_RANGE;
    return fc_engine_save_model_window(e, (int64_t)ts_ms, span_s, buf, cap, written);
}

/* ---- server rulebook: history read-back and matrix CSV (web/server/rules.js, dataset.js) ---- */
#include "matrix.h"

/* The newest history slot as a double (exact below 2^53), -Infinity when there is none. */
double fcw_history_head(const fc_engine *e);
EMSCRIPTEN_KEEPALIVE
double fcw_history_head(const fc_engine *e)
{
    int64_t h = fc_engine_history_head(e);
    return h == INT64_MIN ? -1.0 / 0.0 : (double)h;
}

fc_status fcw_history_rows(const fc_engine *e, double first_slot, size_t rows, float *speed, float *volume,
                           float *occ, uint8_t *quality, size_t n);
EMSCRIPTEN_KEEPALIVE
fc_status fcw_history_rows(const fc_engine *e, double first_slot, size_t rows, float *speed, float *volume,
                           float *occ, uint8_t *quality, size_t n)
{
    if (!(first_slot > -9e15 && first_slot < 9e15)) return FC_E_RANGE;
    return fc_engine_history_rows(e, (int64_t)first_slot, rows, speed, volume, occ, quality, n);
}

/* Matrix CSV with a header row (fc_matrix_parse, default limits): *out gets a matrix the caller
 * frees with fcw_matrix_free, or NULL with msg (msg_cap bytes) saying what and where. */
fc_status fcw_matrix_parse(const char *text, size_t len, fc_matrix **out, char *msg, size_t msg_cap);
EMSCRIPTEN_KEEPALIVE
fc_status fcw_matrix_parse(const char *text, size_t len, fc_matrix **out, char *msg, size_t msg_cap)
{
    return fc_matrix_parse(text, len, 1, NULL, out, msg, msg_cap);
}
size_t fcw_matrix_rows(const fc_matrix *m);
EMSCRIPTEN_KEEPALIVE
size_t fcw_matrix_rows(const fc_matrix *m) { return m->rows; }
size_t fcw_matrix_cols(const fc_matrix *m);
EMSCRIPTEN_KEEPALIVE
size_t fcw_matrix_cols(const fc_matrix *m) { return m->cols; }
const float *fcw_matrix_values(const fc_matrix *m);
EMSCRIPTEN_KEEPALIVE
const float *fcw_matrix_values(const fc_matrix *m) { return m->v; }
const char *fcw_matrix_id(const fc_matrix *m, size_t i);
EMSCRIPTEN_KEEPALIVE
const char *fcw_matrix_id(const fc_matrix *m, size_t i) { return m->ids && i < m->cols ? m->ids[i] : NULL; }
void fcw_matrix_free(fc_matrix *m);
EMSCRIPTEN_KEEPALIVE
void fcw_matrix_free(fc_matrix *m) { fc_matrix_free(m); }
