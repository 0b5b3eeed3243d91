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

#endif
