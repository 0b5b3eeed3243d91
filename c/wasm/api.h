/* api.h — prototypes of the wasm-only exports in api.c (see there). */
#ifndef FC_WASM_API_H
#define FC_WASM_API_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"

fc_status fcw_engine_create(uint32_t history_s, uint32_t max_payload_bytes, uint32_t max_ahead_s,
                            float max_speed_mph, float max_volume_vph, uint32_t parser, fc_engine **out);
double fcw_last_ts_ms(const fc_engine *e);
fc_status fcw_local_time(const fc_engine *e, double ts_ms, fc_local_time *out);
fc_status fcw_parse_timestamp(const char *s, size_t len, double *out_ms);
void fcw_digest(const fc_engine *e, uint32_t *out);

fc_status fcw_train_begin(fc_engine *e, uint32_t horizons, uint32_t smooth_slots, float profile_prior,
                          float huber_mph, float lambda_global, float lambda_sensor, uint32_t irls_iters,
                          uint32_t max_samples, uint32_t global_sensors);
fc_status fcw_ingest_values(fc_engine *e, double ts_ms, const float *speed, const float *volume,
                            const float *occupancy, size_t n, fc_ingest_result *out);

fc_status fcw_travel_time(fc_engine *e, uint32_t from, uint32_t to, double depart_ms, uint32_t flags,
                          fc_travel_time *out, fc_travel_segment *segments, uint32_t seg_cap);
fc_status fcw_best_departure(fc_engine *e, uint32_t from, uint32_t to, double earliest_ms, double latest_ms,
                             double step_ms, fc_departure *out, uint32_t cap, uint32_t *out_n_best);
double fcw_data_version(const fc_engine *e);

fc_status fcw_ingest_binary(fc_engine *e, const uint8_t *buf, size_t len, fc_ingest_result *out);

size_t fcw_model_size_without_profiles(const fc_engine *e);
fc_status fcw_save_model_without_profiles(fc_engine *e, uint8_t *buf, size_t cap, size_t *written);
fc_status fcw_save_model_window(fc_engine *e, double ts_ms, uint32_t span_s, uint8_t *buf, size_t cap, size_t *written);

/* history profile tiles */
fc_status fcw_tiles_enable(fc_engine *e, double max_bytes);
int fcw_tiles_enabled(const fc_engine *e);
uint32_t fcw_tile_groups(const fc_engine *e);
const char *fcw_tile_group_id(const fc_engine *e, uint32_t g);
size_t fcw_tile_size(const fc_engine *e, uint32_t g);
fc_status fcw_tile_export(fc_engine *e, uint32_t g, int daytype, uint8_t *buf, size_t cap);
fc_status fcw_tile_put(fc_engine *e, const uint8_t *buf, size_t len);
int fcw_forecast_tiles_begin(fc_engine *e);
int fcw_forecast_tiles_group(fc_engine *e, uint32_t g);
fc_status fcw_forecast_tiles_end(fc_engine *e);
void fcw_tile_cache_stats(const fc_engine *e, fc_cache_stats *out);

typedef struct fc_lru fc_lru;
int32_t fcw_lru_get(fc_lru *c, double key, void *out, uint32_t cap);
fc_status fcw_lru_put(fc_lru *c, double key, const void *val, uint32_t len);
int fcw_lru_delete(fc_lru *c, double key);
uint32_t fcw_lru_access_batch(fc_lru *c, const uint32_t *keys, uint32_t n, const void *value, uint32_t value_len);

#endif
