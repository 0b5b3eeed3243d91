/* engine.c — the engine handle: configuration, creation and destruction, network (re)loading
 * and release, and read access to the committed state (sensors, latest values, speed history,
 * local time, the state digest). The other jobs live in engine_*.c (engine.h lists them). */
#include "engine.h"
#include "status.h"
#include "hash.h"
#include "incidents.h"
#include "timeutil.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* History larger than this is refused up front (wasm32 heaps top out at 2 GB). */
#define FC_MAX_HISTORY_BYTES (1ull << 30)

void fc_config_default(fc_config *cfg)
{
    cfg->history_s = 28u * 86400u;          /* four weeks: enough for day-of-week profiles */
    cfg->max_payload_bytes = 8u << 20;      /* 50,000 sensors at ~100 bytes a reading fit */
    cfg->max_ahead_s = 7u * 86400u;
    cfg->max_speed_mph = FC_DEFAULT_MAX_SPEED_MPH;
    cfg->max_volume_vph = 20000.0f;
    cfg->parser = FC_PARSER_AUTO;
}

fc_status fc_engine_fail(fc_engine *e, fc_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fc_vfail(e->msg, sizeof e->msg, st, fmt, ap);
    va_end(ap);
    return st;
}

static fc_status check_config(const fc_config *c, char *msg, size_t cap)
{
    const char *bad = NULL;
    if (c->history_s < 3600 || c->history_s > 366u * 86400u) bad = "history_s must be in [3600, 31622400]";
    else if (c->max_payload_bytes < 1024 || c->max_payload_bytes > (1u << 30)) bad = "max_payload_bytes must be in [1024, 2^30]";
    else if (c->max_ahead_s < 1 || c->max_ahead_s > 3660u * 86400u) bad = "max_ahead_s must be in [1, 10 years]";
    /* the 16-bit history quantisation holds speeds up to 655 mph and volumes up to 65534 */
    else if (!(c->max_speed_mph >= 1 && c->max_speed_mph <= 600)) bad = "max_speed_mph must be in [1, 600]";
    else if (!(c->max_volume_vph >= 1 && c->max_volume_vph <= 60000)) bad = "max_volume_vph must be in [1, 60000]";
    else if (c->parser > FC_PARSER_FAST) bad = "parser must be 0 (auto), 1 (cjson) or 2 (fast)";
    if (!bad) return FC_OK;
    snprintf(msg, cap, "config: %s", bad);
    return FC_E_RANGE;
}

fc_status fc_engine_create(const fc_config *cfg, fc_engine **out)
{
    if (!out) return FC_E_ARG;
    fc_engine *e = calloc(1, sizeof *e);
    if (!e) return FC_E_NOMEM;
    if (cfg) e->cfg = *cfg;
    else fc_config_default(&e->cfg);
    fc_status st = check_config(&e->cfg, e->msg, sizeof e->msg);
    if (st) {
        free(e);
        return st;
    }
    e->hist.head = INT64_MIN;
    e->last_ts_ms = INT64_MIN;
    *out = e;
    return FC_OK;
}

static void release_network(fc_engine *e)
{
    fc_engine_drop_model(e);
    fc_graph_free(&e->graph);
    fc_network_free(e->net);
    e->net = NULL;
    fc_history_free(&e->hist);
    fc_stage_free(&e->stage);
    e->last_ts_ms = INT64_MIN;
    fc_engine_release_routes(e);
}

void fc_engine_destroy(fc_engine *e)
{
    if (!e) return;
    release_network(e);
    fc_stats_free(&e->stats);
    free(e);
}

const char *fc_engine_message(const fc_engine *e) { return e ? e->msg : "no engine"; }

fc_status fc_engine_incidents(fc_engine *e, const char *json, size_t len, uint32_t flags, char *out,
                              size_t cap, size_t *written)
{
    if (!e || (!json && len) || (!out && cap) || !written || (flags & ~FC_INCIDENTS_DECODED)) return FC_E_ARG;
    return fc_incidents_parse(e->net, json, len, e->cfg.max_payload_bytes, !!(flags & FC_INCIDENTS_DECODED),
                              out, cap, written, e->msg, sizeof e->msg);
}

fc_status fc_engine_load_network(fc_engine *e, const char *json, size_t len)
{
    if (!e || (!json && len)) return FC_E_ARG;
    fc_network *net = NULL;
    fc_status st = fc_network_parse(json, len, &net, e->msg, sizeof e->msg);
    if (st) return st;
    uint32_t cap = (e->cfg.history_s + net->interval_s - 1) / net->interval_s;
    if (cap < 2) cap = 2;
    fc_history hist;
    fc_stage stage;
    fc_graph graph;
    /* two stations each way: about a mile of corridor at 0.3-0.5 mi spacing */
    if (fc_graph_from_network(&graph, net, 2)) {
        fc_network_free(net);
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the neighbour graph");
    }
    /* refuse before allocating: a failed 2 GB attempt would still have grown the wasm heap */
    if ((uint64_t)net->n_sensors * cap * 7 > FC_MAX_HISTORY_BYTES || fc_history_init(&hist, net->n_sensors, cap)) {
        fc_graph_free(&graph);
        fc_network_free(net);
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for %u sensors x %u history slots (%.0f MB); lower history_s",
                              net->n_sensors, cap, (double)net->n_sensors * cap * 7 / 1e6);
    }
    if (fc_stage_init(&stage, net->n_sensors)) {
        fc_graph_free(&graph);
        fc_history_free(&hist);
        fc_network_free(net);
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for %u sensors", net->n_sensors);
    }
    /* everything is built: only now is the old network given up */
    release_network(e);
    e->net = net;
    e->hist = hist;
    e->stage = stage;
    e->graph = graph;
    e->net_hash = FC_HASH_SEED;
    e->net_hash = fc_hash_bytes(e->net_hash, net->id, strlen(net->id));
    e->net_hash = fc_hash_bytes(e->net_hash, &net->interval_s, sizeof net->interval_s);
    for (uint32_t i = 0; i < net->n_sensors; i++)
        e->net_hash = fc_hash_bytes(e->net_hash, net->sensor_id[i], strlen(net->sensor_id[i]));
    e->msg[0] = '\0';
    return FC_OK;
}

size_t fc_engine_sensor_count(const fc_engine *e) { return e && e->net ? e->net->n_sensors : 0; }

const char *fc_engine_sensor_id(const fc_engine *e, size_t i)
{
    if (!e || !e->net || i >= e->net->n_sensors) return NULL;
    return e->net->sensor_id[i];
}

long fc_engine_sensor_index(const fc_engine *e, const char *id, size_t len)
{
    if (!e || !e->net || !id) return -1;
    return fc_idmap_find(&e->net->ids, id, len);
}

const char *fc_engine_network_id(const fc_engine *e) { return e && e->net ? e->net->id : NULL; }
uint32_t fc_engine_interval_s(const fc_engine *e) { return e && e->net ? e->net->interval_s : 0; }
int64_t fc_engine_last_ts_ms(const fc_engine *e) { return e ? e->last_ts_ms : INT64_MIN; }
fc_status fc_engine_latest(const fc_engine *e, float *speed, float *volume, float *occ,
                           uint8_t *quality, size_t n)
{
    if (!e) return FC_E_ARG;
    if (!e->net) return FC_E_STATE;
    if (n != e->net->n_sensors) return FC_E_ARG;
    const fc_history *h = fc_engine_history(e);
    for (uint32_t s = 0; s < n; s++) {
        if (h->head == INT64_MIN) {
            if (speed) speed[s] = NAN;
            if (volume) volume[s] = NAN;
            if (occ) occ[s] = NAN;
            if (quality) quality[s] = 0;
            continue;
        }
        size_t i = fc_history_index(h, s, h->head);
        if (speed) speed[s] = fc_dq_speed(h->speed[i]);
        if (volume) volume[s] = fc_dq_volume(h->volume[i]);
        if (occ) occ[s] = fc_dq_occupancy(h->occupancy[i]);
        if (quality) quality[s] = h->quality[i];
    }
    return FC_OK;
}

fc_status fc_engine_speed_history(const fc_engine *e, size_t sensor, float *out, size_t n_slots)
{
    if (!e || (!out && n_slots)) return FC_E_ARG;
    if (!e->net) return FC_E_STATE;
    if (sensor >= e->net->n_sensors) return FC_E_NOT_FOUND;
    const fc_history *h = fc_engine_history(e);
    for (size_t k = 0; k < n_slots; k++) {
        int64_t back = (int64_t)(n_slots - 1 - k);
        if (h->head == INT64_MIN || back >= (int64_t)h->cap) out[k] = NAN;
        else out[k] = fc_dq_speed(h->speed[fc_history_index(h, (uint32_t)sensor, h->head - back)]);
    }
    return FC_OK;
}

uint64_t fc_engine_digest(const fc_engine *e)
{
    uint64_t h = FC_HASH_SEED;
    if (!e || !e->net) return h;
    const fc_history *hi = fc_engine_history(e);
    size_t n = (size_t)hi->n_sensors * hi->cap, ns = e->net->n_sensors;
    h = fc_hash_bytes(h, e->net->id, strlen(e->net->id));
    h = fc_hash_bytes(h, &e->last_ts_ms, sizeof e->last_ts_ms);
    h = fc_hash_bytes(h, &hi->head, sizeof hi->head);
    h = fc_hash_bytes(h, &hi->first, sizeof hi->first);
    h = fc_hash_bytes(h, hi->speed, n * sizeof(uint16_t));
    h = fc_hash_bytes(h, hi->volume, n * sizeof(uint16_t));
    h = fc_hash_bytes(h, hi->occupancy, n * sizeof(uint16_t));
    h = fc_hash_bytes(h, hi->quality, n);
    /* the running sums are live from the newest slot's second snapshot on (stale before) */
    h = fc_hash_bytes(h, &hi->open_commits, sizeof hi->open_commits);
    for (int f = 0; f < FC_F_N && hi->open_commits >= 2; f++) {
        h = fc_hash_bytes(h, hi->sum[f], ns * sizeof(uint32_t));
        h = fc_hash_bytes(h, hi->count[f], ns * sizeof(uint16_t));
    }
    return h;
}

fc_status fc_parse_timestamp(const char *s, size_t len, int64_t *out_ms)
{
    if (!s || !out_ms) return FC_E_ARG;
    return fc_iso8601_parse(s, len, out_ms) ? FC_E_TIMESTAMP : FC_OK;
}

fc_status fc_engine_local_time(const fc_engine *e, int64_t ts_ms, fc_local_time *out)
{
    if (!e || !out) return FC_E_ARG;
    if (!e->net) return FC_E_STATE;
    int64_t utc_s = fc_floor_div(ts_ms, 1000);
    int dst;
    int32_t off = fc_tz_offset_at(&e->net->tz, utc_s, &dst);
    int64_t local = utc_s + off;
    int64_t days = fc_floor_div(local, 86400);
    int64_t y;
    int m, d;
    fc_civil_from_days(days, &y, &m, &d);
    out->year = (int32_t)y;
    out->month = m;
    out->day = d;
    out->minute_of_day = (int32_t)((local - days * 86400) / 60);
    out->day_of_week = fc_weekday_from_days(days);
    out->utc_offset_min = off / 60;
    out->is_dst = dst;
    return FC_OK;
}

