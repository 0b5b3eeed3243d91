/* ingest.c — the cJSON reference path for snapshots, and the staging rules every parser shares
 * (docs/FORMATS.md, "Ingest rules"). */
#include "ingest.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "utf8.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fc_stage_init(fc_stage *st, uint32_t n)
{
    memset(st, 0, sizeof *st);
    st->n = n;
    st->speed = malloc(n * sizeof(float));
    st->volume = malloc(n * sizeof(float));
    st->occupancy = malloc(n * sizeof(float));
    st->quality = malloc(n);
    st->state = calloc(n, 1);
    st->touched = malloc(n * sizeof(uint32_t));
    if (!st->speed || !st->volume || !st->occupancy || !st->quality || !st->state || !st->touched) {
        fc_stage_free(st);
        return -1;
    }
    return 0;
}

void fc_stage_free(fc_stage *st)
{
    free(st->speed);
    free(st->volume);
    free(st->occupancy);
    free(st->quality);
    free(st->state);
    free(st->touched);
    memset(st, 0, sizeof *st);
}

void fc_stage_reset(fc_stage *st)
{
    for (uint32_t k = 0; k < st->n_touched; k++) st->state[st->touched[k]] = FC_READ_NONE;
    st->n_touched = 0;
    st->ts_ms = 0;
    st->accepted = st->dropped = st->dropped_sensors = 0;
}

static fc_status fail(char *msg, size_t cap, fc_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return st;
}

fc_status fc_ingest_check_ts(const fc_ingest_limits *lim, int64_t ts_ms, char *msg, size_t cap)
{
    if (lim->last_ts_ms == INT64_MIN) return FC_OK;
    if (ts_ms <= lim->last_ts_ms)
        return fail(msg, cap, FC_E_TS_ORDER, "ts: %lld ms is not after the last committed snapshot (%lld ms)",
                    (long long)ts_ms, (long long)lim->last_ts_ms);
    if (ts_ms - lim->last_ts_ms > lim->max_ahead_ms)
        return fail(msg, cap, FC_E_TS_AHEAD, "ts: %lld s after the last committed snapshot (limit %lld s)",
                    (long long)((ts_ms - lim->last_ts_ms) / 1000), (long long)(lim->max_ahead_ms / 1000));
    return FC_OK;
}

static int value_ok(double v, double max) { return isnan(v) || (v >= 0 && v <= max); }

int fc_stage_reading(fc_stage *st, const fc_ingest_limits *lim, long sensor, double speed,
                     double volume, double occupancy, int quality, int value_error)
{
    if (sensor < 0) { /* unknown id: nothing to mark */
        st->dropped++;
        return FC_READ_DROPPED;
    }
    uint32_t s = (uint32_t)sensor;
    if (st->state[s] != FC_READ_NONE) { /* a second reading for the sensor never replaces the first */
        st->dropped++;
        return FC_READ_DROPPED;
    }
    st->touched[st->n_touched++] = s;
    int ok = !value_error && quality >= 0 && quality <= 255 && value_ok(speed, lim->max_speed_mph) &&
             value_ok(volume, lim->max_volume_vph) && value_ok(occupancy, 1.0);
    if (!ok) {
        st->state[s] = FC_READ_DROPPED;
        st->dropped++;
        st->dropped_sensors++;
        return FC_READ_DROPPED;
    }
    st->state[s] = FC_READ_VALID;
    st->speed[s] = (float)speed;
    st->volume[s] = (float)volume;
    st->occupancy[s] = (float)occupancy;
    st->quality[s] = (uint8_t)quality;
    if (!isnan(speed)) st->accepted++;
    return FC_READ_VALID;
}

/* A value field: absent or null -> NaN; a finite number -> itself; anything else -> error. */
static double field_value(const cJSON *v, int *error)
{
    if (!v || cJSON_IsNull(v)) return NAN;
    if (!fc_json_is_finite_number(v)) {
        *error = 1;
        return NAN;
    }
    return v->valuedouble;
}

enum { R_ID, R_SPEED, R_VOLUME, R_OCC, R_QUALITY, R_N };
static const char *const k_reading_keys[R_N] = {"id", "speed_mph", "volume_vph", "occupancy", "quality"};

static void stage_cjson_reading(fc_stage *st, const fc_ingest_limits *lim, const cJSON *r)
{
    const cJSON *f[R_N];
    if (!cJSON_IsObject(r) || fc_json_members(r, k_reading_keys, R_N, f) >= 0 ||
        !f[R_ID] || !cJSON_IsString(f[R_ID])) {
        /* without a usable id the reading cannot be tied to a sensor: dropped, unattributed */
        fc_stage_reading(st, lim, -1, NAN, NAN, NAN, 0, 1);
        return;
    }
    long s = fc_idmap_find(&lim->net->ids, f[R_ID]->valuestring, strlen(f[R_ID]->valuestring));
    int err = 0;
    double speed = field_value(f[R_SPEED], &err);
    double volume = field_value(f[R_VOLUME], &err);
    double occ = field_value(f[R_OCC], &err);
    int quality = 0;
    if (f[R_QUALITY] && !cJSON_IsNull(f[R_QUALITY]))
        quality = fc_json_is_int_in(f[R_QUALITY], 0, 255) ? f[R_QUALITY]->valueint : -1;
    fc_stage_reading(st, lim, s, speed, volume, occ, quality, err);
}

enum { T_SCHEMA, T_NETWORK, T_TS, T_INTERVAL, T_READINGS, T_N };
static const char *const k_top_keys[T_N] = {"schema", "network", "ts", "interval_s", "readings"};

static fc_status check_top(const fc_ingest_limits *lim, const cJSON *root, const cJSON **f,
                           int64_t *ts_ms, char *msg, size_t cap)
{
    if (!cJSON_IsObject(root)) return fail(msg, cap, FC_E_FIELD, "snapshot: must be a JSON object");
    int dup = fc_json_members(root, k_top_keys, T_N, f);
    if (dup >= 0) return fail(msg, cap, FC_E_FIELD, "snapshot: duplicate key \"%s\"", k_top_keys[dup]);
    if (!f[T_SCHEMA] || !cJSON_IsString(f[T_SCHEMA]) || strcmp(f[T_SCHEMA]->valuestring, "flowcast.snapshot/1") != 0)
        return fail(msg, cap, FC_E_SCHEMA, "schema: must be \"flowcast.snapshot/1\"");
    if (!f[T_NETWORK] || !cJSON_IsString(f[T_NETWORK]))
        return fail(msg, cap, FC_E_FIELD, "network: must be a string");
    if (strcmp(f[T_NETWORK]->valuestring, lim->net->id) != 0)
        return fail(msg, cap, FC_E_NETWORK_ID, "network: \"%.63s\" is not the loaded network \"%s\"",
                    f[T_NETWORK]->valuestring, lim->net->id);
    if (!f[T_TS] || !cJSON_IsString(f[T_TS]) ||
        fc_iso8601_parse(f[T_TS]->valuestring, strlen(f[T_TS]->valuestring), ts_ms))
        return fail(msg, cap, FC_E_TIMESTAMP, "ts: must be an ISO 8601 time with seconds and an offset, e.g. 2026-11-25T08:15:00-05:00");
    if (f[T_INTERVAL] && !fc_json_is_int_in(f[T_INTERVAL], 1, 86400))
        return fail(msg, cap, FC_E_FIELD, "interval_s: must be an integer in [1, 86400]");
    if (!f[T_READINGS] || !cJSON_IsArray(f[T_READINGS]))
        return fail(msg, cap, FC_E_FIELD, "readings: must be an array");
    return fc_ingest_check_ts(lim, *ts_ms, msg, cap);
}

fc_status fc_ingest_parse_cjson(const fc_ingest_limits *lim, const char *json, size_t len,
                                fc_stage *st, char *msg, size_t cap)
{
    fc_stage_reset(st);
    if (len > lim->max_payload_bytes)
        return fail(msg, cap, FC_E_TOO_LARGE, "snapshot: %zu bytes exceeds the limit of %u bytes",
                    len, lim->max_payload_bytes);
    size_t bad = fc_utf8_check((const unsigned char *)json, len);
    if (bad != len)
        return fail(msg, cap, FC_E_ENCODING, "snapshot: invalid UTF-8 or control byte at offset %zu", bad);
    size_t off;
    cJSON *root = fc_json_parse(json, len, &off);
    if (!root) return fail(msg, cap, FC_E_JSON, "snapshot: malformed JSON near offset %zu", off);
    const cJSON *f[T_N];
    int64_t ts_ms = 0;
    fc_status status = check_top(lim, root, f, &ts_ms, msg, cap);
    if (status == FC_OK) {
        st->ts_ms = ts_ms;
        for (const cJSON *r = f[T_READINGS]->child; r; r = r->next) stage_cjson_reading(st, lim, r);
    }
    cJSON_Delete(root);
    return status;
}
