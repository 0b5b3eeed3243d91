/* ingest.c — the cJSON reference path for snapshots, and the staging rules every parser shares
 * (docs/FORMATS.md, "Ingest rules"). */
#include "ingest.h"
#include "status.h"
#include "history.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "utf8.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stage's arrays hold "nothing staged" (MISSING values, quality 0) for sensors [0, n). */
static void stage_clear(fc_stage *st, uint32_t n)
{
    memset(st->speed, 0xFF, n * sizeof(uint16_t)); /* 0xFFFF = FC_Q_MISSING */
    memset(st->volume, 0xFF, n * sizeof(uint16_t));
    memset(st->occupancy, 0xFF, n * sizeof(uint16_t));
    memset(st->quality, 0, n);
}

static void stage_point_at_own(fc_stage *st)
{
    st->in_speed = st->speed;
    st->in_volume = st->volume;
    st->in_occupancy = st->occupancy;
    st->in_quality = st->quality;
}

int fc_stage_init(fc_stage *st, uint32_t n)
{
    memset(st, 0, sizeof *st);
    st->n = n;
    st->speed = malloc(n * sizeof(uint16_t));
    st->volume = malloc(n * sizeof(uint16_t));
    st->occupancy = malloc(n * sizeof(uint16_t));
    st->quality = malloc(n);
    st->state = calloc(n, 1);
    st->touched = malloc(n * sizeof(uint32_t));
    if (!st->speed || !st->volume || !st->occupancy || !st->quality || !st->state || !st->touched) {
        fc_stage_free(st);
        return -1;
    }
    stage_clear(st, n);
    stage_point_at_own(st);
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
    if (st->dense) {
        stage_clear(st, st->n);
    } else {
        for (uint32_t k = 0; k < st->n_touched; k++) {
            uint32_t s = st->touched[k];
            st->speed[s] = st->volume[s] = st->occupancy[s] = FC_Q_MISSING;
            st->quality[s] = 0;
        }
    }
    for (uint32_t k = 0; k < st->n_touched; k++) st->state[st->touched[k]] = FC_READ_NONE;
    st->n_touched = 0;
    st->dense = 0;
    st->n_readings = 0;
    st->n_canonical = 0;
    stage_point_at_own(st);
    st->ts_ms = 0;
    st->accepted = st->dropped = st->dropped_sensors = 0;
    st->next_hint = 0;
}

fc_status fc_ingest_check_ts(const fc_ingest_limits *lim, int64_t ts_ms, char *msg, size_t cap)
{
    if (lim->last_ts_ms == INT64_MIN) return FC_OK;
    if (ts_ms <= lim->last_ts_ms)
        return fc_fail(msg, cap, FC_E_TS_ORDER, "ts: %lld ms is not after the last committed snapshot (%lld ms)",
                    (long long)ts_ms, (long long)lim->last_ts_ms);
    if (ts_ms - lim->last_ts_ms > lim->max_ahead_ms)
        return fc_fail(msg, cap, FC_E_TS_AHEAD, "ts: %lld s after the last committed snapshot (limit %lld s)",
                    (long long)((ts_ms - lim->last_ts_ms) / 1000), (long long)(lim->max_ahead_ms / 1000));
    return FC_OK;
}

static int value_ok(double v, double max) { return isnan(v) || (v >= 0 && v <= max); }

/* fc_stage_reading(), inlined into fc_stage_reading_fields(): it runs once per reading of every
 * snapshot, and in wasm a call costs more than most of its body. */
static inline __attribute__((always_inline)) int stage_reading(fc_stage *st, const fc_ingest_limits *lim, long sensor,
                                                               double speed, double volume, double occupancy,
                                                               int quality, int value_error)
{
    st->n_readings++;
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
    st->speed[s] = isnan(speed) ? FC_Q_MISSING : fc_q_speed(speed);
    st->volume[s] = isnan(volume) ? FC_Q_MISSING : fc_q_volume(volume);
    st->occupancy[s] = isnan(occupancy) ? FC_Q_MISSING : fc_q_occupancy(occupancy);
    st->quality[s] = (uint8_t)quality;
    if (!isnan(speed)) st->accepted++;
    return FC_READ_VALID;
}

int fc_stage_reading(fc_stage *st, const fc_ingest_limits *lim, long sensor, double speed,
                     double volume, double occupancy, int quality, int value_error)
{
    return stage_reading(st, lim, sensor, speed, volume, occupancy, quality, value_error);
}

const char *const fc_top_keys[FC_TOP_N] = {"schema", "network", "ts", "interval_s", "readings"};
const char *const fc_reading_keys[FC_RD_N] = {"id", "speed_mph", "volume_vph", "occupancy", "quality"};

static int jv_equals(const fc_jv *v, const char *s)
{
    size_t n = strlen(s);
    return v->kind == FC_JV_STRING && v->len == n && memcmp(v->str, s, n) == 0;
}

/* A finite number with an integral value in [lo, hi]. */
static int jv_int_in(const fc_jv *v, double lo, double hi)
{
    return v->kind == FC_JV_NUMBER && isfinite(v->num) && v->num == floor(v->num) && v->num >= lo && v->num <= hi;
}

/* A value field: absent or null -> NaN; a finite number -> itself; anything else -> error. */
static double jv_value(const fc_jv *v, int *error)
{
    if (v->kind == FC_JV_ABSENT || v->kind == FC_JV_NULL) return NAN;
    if (v->kind != FC_JV_NUMBER || !isfinite(v->num)) {
        *error = 1;
        return NAN;
    }
    return v->num;
}

void fc_stage_reading_fields(fc_stage *st, const fc_ingest_limits *lim, const fc_jv *f, int malformed)
{
    if (malformed || f[FC_RD_ID].kind != FC_JV_STRING) {
        /* without a usable id the reading cannot be tied to a sensor: dropped, unattributed */
        stage_reading(st, lim, -1, NAN, NAN, NAN, 0, 1);
        return;
    }
    long s = fc_idmap_find_hinted(&lim->net->ids, f[FC_RD_ID].str, f[FC_RD_ID].len, st->next_hint, st->n);
    if (s >= 0) st->next_hint = (uint32_t)s + 1;
    int err = 0;
    double speed = jv_value(&f[FC_RD_SPEED], &err);
    double volume = jv_value(&f[FC_RD_VOLUME], &err);
    double occ = jv_value(&f[FC_RD_OCC], &err);
    const fc_jv *q = &f[FC_RD_QUALITY];
    int quality = 0;
    if (q->kind != FC_JV_ABSENT && q->kind != FC_JV_NULL) quality = jv_int_in(q, 0, 255) ? (int)q->num : -1;
    stage_reading(st, lim, s, speed, volume, occ, quality, err);
}

fc_status fc_ingest_check_size(const fc_ingest_limits *lim, size_t len, char *msg, size_t cap)
{
    if (len <= lim->max_payload_bytes) return FC_OK;
    return fc_fail(msg, cap, FC_E_TOO_LARGE, "snapshot: %zu bytes exceeds the limit of %u bytes", len,
                lim->max_payload_bytes);
}

fc_status fc_ingest_check_top(const fc_ingest_limits *lim, const fc_jv *f, int dup, int64_t *ts_ms,
                              char *msg, size_t cap)
{
    if (dup >= 0) return fc_fail(msg, cap, FC_E_FIELD, "snapshot: duplicate key \"%s\"", fc_top_keys[dup]);
    if (!jv_equals(&f[FC_TOP_SCHEMA], "flowcast.snapshot/1"))
        return fc_fail(msg, cap, FC_E_SCHEMA, "schema: must be \"flowcast.snapshot/1\"");
    const fc_jv *net = &f[FC_TOP_NETWORK];
    if (net->kind != FC_JV_STRING) return fc_fail(msg, cap, FC_E_FIELD, "network: must be a string");
    if (!jv_equals(net, lim->net->id))
        return fc_fail(msg, cap, FC_E_NETWORK_ID, "network: \"%.*s\" is not the loaded network \"%s\"",
                    (int)(net->len < 63 ? net->len : 63), net->str, lim->net->id);
    const fc_jv *ts = &f[FC_TOP_TS];
    if (ts->kind != FC_JV_STRING || fc_iso8601_parse(ts->str, ts->len, ts_ms))
        return fc_fail(msg, cap, FC_E_TIMESTAMP, "ts: must be an ISO 8601 time with seconds and an offset, e.g. 2026-11-25T08:15:00-05:00");
    if (f[FC_TOP_INTERVAL].kind != FC_JV_ABSENT && !jv_int_in(&f[FC_TOP_INTERVAL], 1, 86400))
        return fc_fail(msg, cap, FC_E_FIELD, "interval_s: must be an integer in [1, 86400]");
    if (f[FC_TOP_READINGS].kind != FC_JV_ARRAY) return fc_fail(msg, cap, FC_E_FIELD, "readings: must be an array");
    return fc_ingest_check_ts(lim, *ts_ms, msg, cap);
}

/* ---- the cJSON reference path ---- */

static fc_jv jv_of(const cJSON *v)
{
    fc_jv j = {FC_JV_ABSENT, 0, NULL, 0};
    if (!v) return j;
    if (cJSON_IsNull(v)) j.kind = FC_JV_NULL;
    else if (cJSON_IsNumber(v)) {
        j.kind = FC_JV_NUMBER;
        j.num = v->valuedouble;
    } else if (cJSON_IsString(v)) {
        j.kind = FC_JV_STRING;
        j.str = v->valuestring;
        j.len = strlen(v->valuestring);
    } else j.kind = cJSON_IsArray(v) ? FC_JV_ARRAY : FC_JV_OTHER;
    return j;
}

/* Looks up the known members of obj: f[i] for names[i]; returns the first repeated one or -1. */
static int members_of(const cJSON *obj, const char *const *names, int n, fc_jv *f)
{
    const cJSON *found[FC_KEYS_MAX];
    int dup = fc_json_members(obj, names, n, found);
    for (int i = 0; i < n; i++) f[i] = jv_of(found[i]);
    return dup;
}

fc_status fc_ingest_parse_cjson(const fc_ingest_limits *lim, const char *json, size_t len,
                                fc_stage *st, char *msg, size_t cap)
{
    fc_stage_reset(st);
    fc_status status = fc_ingest_check_size(lim, len, msg, cap);
    if (status) return status;
    size_t bad = fc_utf8_check((const unsigned char *)json, len);
    if (bad != len)
        return fc_fail(msg, cap, FC_E_ENCODING, "snapshot: invalid UTF-8 or control byte at offset %zu", bad);
    size_t off;
    char why[160];
    cJSON *root = fc_json_parse(json, len, &off, why, sizeof why);
    if (!root) return fc_fail(msg, cap, FC_E_JSON, "snapshot: malformed JSON near offset %zu%s", off, why);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return fc_fail(msg, cap, FC_E_FIELD, "snapshot: must be a JSON object");
    }
    fc_jv top[FC_TOP_N];
    int dup = members_of(root, fc_top_keys, FC_TOP_N, top);
    int64_t ts_ms = 0;
    status = fc_ingest_check_top(lim, top, dup, &ts_ms, msg, cap);
    if (status == FC_OK) {
        st->ts_ms = ts_ms;
        const cJSON *readings = cJSON_GetObjectItemCaseSensitive(root, "readings");
        for (const cJSON *r = readings->child; r; r = r->next) {
            fc_jv f[FC_RD_N] = {{0}};
            int malformed = !cJSON_IsObject(r) || members_of(r, fc_reading_keys, FC_RD_N, f) >= 0;
            fc_stage_reading_fields(st, lim, f, malformed);
        }
    }
    cJSON_Delete(root);
    return status;
}
