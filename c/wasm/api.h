/* api.h — prototypes of the wasm-only exports in api.c (see there). */
#ifndef FC_WASM_API_H
#define FC_WASM_API_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"

fc_status fcw_engine_create(uint32_t history_s, uint32_t max_payload_bytes, uint32_t max_ahead_s,
                            float max_speed_mph, float max_volume_vph, fc_engine **out);
double fcw_last_ts_ms(const fc_engine *e);
fc_status fcw_local_time(const fc_engine *e, double ts_ms, fc_local_time *out);
fc_status fcw_parse_timestamp(const char *s, size_t len, double *out_ms);
void fcw_digest(const fc_engine *e, uint32_t *out);

fc_status fcw_train_begin(fc_engine *e, uint32_t horizons, uint32_t smooth_slots, float profile_prior,
                          float huber_mph, float lambda_global, float lambda_sensor, uint32_t irls_iters,
                          uint32_t max_samples, uint32_t global_sensors);
fc_status fcw_ingest_values(fc_engine *e, double ts_ms, const float *speed, const float *volume,
                            const float *occupancy, size_t n, fc_ingest_result *out);

#endif
