/* engine.c — the engine handle: configuration, network (re)loading, committing staged
 * snapshots into the history, and read access to the committed state. */
#include "engine.h"
#include "hash.h"
#include "ingest_bin.h"
#include "ingest_fast.h"
#include "model_io.h"
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
    cfg->max_speed_mph = 120.0f;
    cfg->max_volume_vph = 20000.0f;
    cfg->parser = FC_PARSER_AUTO;
}

fc_status fc_engine_fail(fc_engine *e, fc_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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

static void release_routes(fc_engine *e);

static void drop_model(fc_engine *e)
{
    fc_trainer_free(e->trainer);
    e->trainer = NULL;
    fc_engine_tiles_free(e);
    fc_model_free(e->model);
    e->model = NULL;
    e->data_version++;
}

static void release_network(fc_engine *e)
{
    drop_model(e);
    fc_graph_free(&e->graph);
    fc_network_free(e->net);
    e->net = NULL;
    fc_history_free(&e->hist);
    fc_stage_free(&e->stage);
    e->last_ts_ms = INT64_MIN;
    release_routes(e);
}

void fc_engine_destroy(fc_engine *e)
{
    if (!e) return;
    release_network(e);
    fc_stats_free(&e->stats);
    free(e);
}

const char *fc_engine_message(const fc_engine *e) { return e ? e->msg : "no engine"; }

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

/* Commits a fully validated stage. Cannot fail: everything it touches was allocated with the
 * network. */
static void commit(fc_engine *e, fc_ingest_result *res)
{
    fc_stage *st = &e->stage;
    fc_history *h = &e->hist;
    int64_t interval_ms = (int64_t)e->net->interval_s * 1000;
    /* the snapshot's period ends at ts, so its slot is the one holding ts - 1 ms */
    int64_t slot = fc_floor_div(st->ts_ms - 1, interval_ms);
    int64_t old_head = h->head;
    uint32_t advanced = fc_history_advance(h, slot);
    /* the old newest slot is final now: the profiles learn from it without retraining */
    if (advanced && e->model && old_head != INT64_MIN) fc_model_observe_slot(e->model, e->net, h, old_head);
    fc_history_commit(h, st->in_speed, st->in_volume, st->in_occupancy, st->in_quality);
    e->last_ts_ms = st->ts_ms;
    e->n_committed++;
    e->data_version++;
    if (res) {
        res->ts_ms = st->ts_ms;
        res->accepted = st->accepted;
        res->dropped = st->dropped;
        res->missing = e->net->n_sensors - st->accepted - st->dropped_sensors;
        res->slots_advanced = advanced;
    }
}

static fc_ingest_limits limits_of(const fc_engine *e)
{
    fc_ingest_limits lim = {
        e->net, e->last_ts_ms, e->cfg.max_payload_bytes, (int64_t)e->cfg.max_ahead_s * 1000,
        e->cfg.max_speed_mph, e->cfg.max_volume_vph};
    return lim;
}

/* The end of every snapshot ingest, whatever its format: time the parse (begun at t0, len
 * bytes); a parse that failed leaves the stage empty and the state untouched; a staged snapshot
 * is committed whole. */
static fc_status finish_ingest(fc_engine *e, fc_status st, double t0, size_t len, fc_ingest_result *res)
{
    fc_stats_record(&e->stats, FC_STAGE_PARSE, t0, (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len));
    if (st) {
        fc_stage_reset(&e->stage);
        e->n_rejected++;
        return st;
    }
    t0 = fc_clock_us();
    commit(e, res);
    fc_stats_record(&e->stats, FC_STAGE_COMMIT, t0, e->stage.n_readings);
    fc_stage_reset(&e->stage);
    e->msg[0] = '\0';
    return FC_OK;
}

fc_status fc_ingest_json(fc_engine *e, const char *json, size_t len, fc_ingest_result *res)
{
    if (res) memset(res, 0, sizeof *res);
    if (!e || (!json && len)) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    fc_ingest_limits lim = limits_of(e);
    const char *text = json ? json : "";
    double t0 = fc_clock_us();
    /* the fast parser either decides exactly as cJSON would or says FC_E_UNSUPPORTED */
    fc_status st = FC_E_UNSUPPORTED;
    if (e->cfg.parser != FC_PARSER_CJSON) {
        st = fc_ingest_parse_fast(&lim, text, len, &e->stage, e->msg, sizeof e->msg);
        if (st == FC_E_UNSUPPORTED) e->n_fallback++;
        else {
            e->n_fast++;
            e->n_canonical += e->stage.n_canonical;
        }
    }
    if (st == FC_E_UNSUPPORTED && e->cfg.parser != FC_PARSER_FAST)
        st = fc_ingest_parse_cjson(&lim, text, len, &e->stage, e->msg, sizeof e->msg);
    return finish_ingest(e, st, t0, len, res);
}

fc_status fc_ingest_binary(fc_engine *e, const uint8_t *buf, size_t len, fc_ingest_result *res)
{
    if (res) memset(res, 0, sizeof *res);
    if (!e || (!buf && len)) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    fc_ingest_limits lim = limits_of(e);
    double t0 = fc_clock_us();
    fc_status st = fc_ingest_parse_binary(&lim, buf, len, &e->stage, e->msg, sizeof e->msg);
    return finish_ingest(e, st, t0, len, res);
}

void fc_engine_parser_counts(const fc_engine *e, uint64_t *fast, uint64_t *fallback)
{
    if (fast) *fast = e ? e->n_fast : 0;
    if (fallback) *fallback = e ? e->n_fallback : 0;
}

uint64_t fc_engine_canonical_readings(const fc_engine *e) { return e ? e->n_canonical : 0; }

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

/* ---- typed ingest ---- */

fc_status fc_ingest_values(fc_engine *e, int64_t ts_ms, const float *speed, const float *volume,
                           const float *occ, size_t n, fc_ingest_result *res)
{
    if (res) memset(res, 0, sizeof *res);
    if (!e || !speed) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (n != e->net->n_sensors)
        return fc_engine_fail(e, FC_E_ARG, "values: %zu given for %u sensors", n, e->net->n_sensors);
    fc_ingest_limits lim = limits_of(e);
    fc_stage_reset(&e->stage);
    fc_status st = fc_ingest_check_ts(&lim, ts_ms, e->msg, sizeof e->msg);
    if (st) {
        e->n_rejected++;
        return st;
    }
    e->stage.ts_ms = ts_ms;
    for (uint32_t s = 0; s < n; s++) {
        double v = speed[s], vo = volume ? volume[s] : NAN, oc = occ ? occ[s] : NAN;
        if (isnan(v) && isnan(vo) && isnan(oc)) continue; /* absent, as in a snapshot */
        fc_stage_reading(&e->stage, &lim, (long)s, v, vo, oc, 0, 0);
    }
    double t0 = fc_clock_us();
    commit(e, res);
    fc_stats_record(&e->stats, FC_STAGE_COMMIT, t0, e->stage.n_readings);
    fc_stage_reset(&e->stage);
    e->msg[0] = '\0';
    return FC_OK;
}

/* ---- model ---- */

void fc_train_options_default(fc_train_options *opt) { fc_train_options_default_impl(opt); }

fc_status fc_engine_set_adjacency(fc_engine *e, const float *adj, size_t n)
{
    if (!e || !adj) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (n != e->net->n_sensors)
        return fc_engine_fail(e, FC_E_ARG, "adjacency: %zu x %zu given for %u sensors", n, n, e->net->n_sensors);
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(adj[i]) || adj[i] < 0)
            return fc_engine_fail(e, FC_E_RANGE, "adjacency[%zu][%zu]: must be a finite number >= 0", i / n, i % n);
    fc_graph g;
    if (fc_graph_from_dense(&g, (uint32_t)n, adj)) return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the adjacency");
    /* a model trained on the old graph would read different neighbour features */
    drop_model(e);
    fc_graph_free(&e->graph);
    e->graph = g;
    return FC_OK;
}

fc_status fc_engine_train_begin(fc_engine *e, const fc_train_options *opt)
{
    if (!e) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (e->tiles) return fc_engine_fail(e, FC_E_STATE, "profile tiles are enabled: the profiles are the server's, so "
                                        "this engine cannot train (reload the network to leave tile mode)");
    fc_train_options o;
    if (opt) o = *opt;
    else fc_train_options_default(&o);
    if (o.horizons < 1 || o.horizons > FC_MAX_H || o.smooth_slots > 48 || !(o.profile_prior >= 0) ||
        !(o.huber_mph > 0) || !(o.lambda_global >= 0) || !(o.lambda_sensor >= 0) || o.irls_iters < 1 ||
        o.irls_iters > 20 || o.max_samples < 50 || o.global_sensors < 1)
        return fc_engine_fail(e, FC_E_RANGE, "train options out of range (horizons 1..%d, irls_iters 1..20, max_samples >= 50, ...)", FC_MAX_H);
    fc_trainer_free(e->trainer);
    e->trainer = NULL;
    if (fc_trainer_create(e->net, &e->graph, fc_engine_history(e), &o, e->net_hash, &e->trainer, e->msg, sizeof e->msg))
        return e->hist.head == INT64_MIN ? FC_E_STATE : FC_E_RANGE;
    return FC_OK;
}

fc_status fc_engine_train_step(fc_engine *e, double *progress)
{
    if (!e) return FC_E_ARG;
    if (!e->trainer) return fc_engine_fail(e, FC_E_STATE, "no training in progress: call train_begin");
    double t0 = fc_clock_us();
    double p = fc_trainer_step(e->trainer);
    fc_stats_record(&e->stats, FC_STAGE_TRAIN, t0, (uint32_t)(p * 1000));
    if (progress) *progress = p;
    if (p >= 1.0) {
        fc_model *m = fc_trainer_finish(e->trainer);
        e->trainer = NULL;
        if (!m) return fc_engine_fail(e, FC_E_STATE, "training did not complete");
        fc_model_free(e->model);
        e->model = m;
        e->data_version++;
    }
    return FC_OK;
}

fc_status fc_engine_train(fc_engine *e, const fc_train_options *opt, void (*progress)(double, void *), void *user)
{
    fc_status st = fc_engine_train_begin(e, opt);
    double p = 0;
    while (!st && p < 1.0) {
        st = fc_engine_train_step(e, &p);
        if (!st && progress) progress(p, user);
    }
    return st;
}

uint32_t fc_engine_horizons(const fc_engine *e) { return e && e->model ? e->model->horizons : 0; }

/* A model loaded from a file without profiles forecasts only in tile mode. */
#define NO_PROFILES "this model file carries no profiles: enable profile tiles (useProfileTiles) to forecast"

fc_status fc_engine_forecast(fc_engine *e, float *mid, float *lo, float *hi, size_t n_values)
{
    if (!e) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model: train or load one first");
    if (n_values != (size_t)e->model->n * e->model->horizons)
        return fc_engine_fail(e, FC_E_ARG, "forecast: buffers of %zu values, need %u sensors x %u horizons",
                              n_values, e->model->n, e->model->horizons);
    double t0 = fc_clock_us();
    if (e->tiles) {
        /* the forecast was made group by group as the tiles arrived (engine_tiles.c) */
        if (fc_engine_tiles_result(e, mid, lo, hi))
            return fc_engine_fail(e, FC_E_STATE, "profile tiles: no forecast of the newest data yet (run the tile "
                                  "forecast: begin, every group, end)");
    } else if (!fc_model_has_profiles(e->model)) {
        return fc_engine_fail(e, FC_E_STATE, NO_PROFILES);
    } else if (fc_model_forecast(e->model, e->net, &e->graph, fc_engine_history(e), mid, lo, hi, NULL)) {
        return fc_engine_fail(e, FC_E_STATE, "no data to forecast from: ingest a snapshot first");
    }
    fc_stats_record(&e->stats, FC_STAGE_FORECAST, t0, e->model->n);
    return FC_OK;
}

size_t fc_engine_model_size(const fc_engine *e)
{
    return e && e->model && fc_model_has_profiles(e->model) ? fc_model_file_size(e->model, 1) : 0;
}

size_t fc_engine_model_size_without_profiles(const fc_engine *e)
{
    return e && e->model ? fc_model_file_size(e->model, 0) : 0;
}

/* Writes the model file, with or without its profiles, into buf (cap bytes). */
static fc_status save_model(fc_engine *e, uint8_t *buf, size_t cap, size_t *written, int with_profiles)
{
    if (!e || (!buf && cap)) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model to save: train or load one first");
    if (with_profiles && !fc_model_has_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "the model's profiles are not here to save (profile tiles are enabled, or "
                              "it was loaded from a file without them)");
    size_t need = fc_model_file_size(e->model, with_profiles);
    if (written) *written = need;
    if (cap < need) return fc_engine_fail(e, FC_E_ARG, "save_model: buffer of %zu bytes, need %zu", cap, need);
    fc_model_write(e->model, buf, with_profiles);
    return FC_OK;
}

fc_status fc_engine_save_model(fc_engine *e, uint8_t *buf, size_t cap, size_t *written)
{
    return save_model(e, buf, cap, written, 1);
}

fc_status fc_engine_save_model_without_profiles(fc_engine *e, uint8_t *buf, size_t cap, size_t *written)
{
    return save_model(e, buf, cap, written, 0);
}

fc_status fc_engine_load_model(fc_engine *e, const uint8_t *buf, size_t len)
{
    if (!e || (!buf && len)) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    fc_model *m = NULL;
    fc_status st = fc_model_read(buf ? buf : (const uint8_t *)"", len, e->net, e->net_hash, &m, e->msg, sizeof e->msg);
    if (st) return st;
    fc_model_free(e->model);
    e->model = m;
    e->data_version++;
    if (e->tiles && fc_engine_tiles_attach(e)) {
        drop_model(e);
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for profile tiles");
    }
    e->msg[0] = '\0';
    return FC_OK;
}

fc_status fc_engine_clear_profiles(fc_engine *e)
{
    if (!e) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model");
    if (e->tiles) return fc_engine_fail(e, FC_E_STATE, "profile tiles are enabled: the profiles are the server's");
    fc_profile_clear(&e->model->prof);
    e->data_version++;
    return FC_OK;
}

/* ---- travel times ---- */

/* Stored in front of every cached result and compared on a hit, so that even a collision of
 * the 64-bit cache keys can never serve another query's answer. */
typedef struct route_key {
    uint64_t version;
    int64_t depart_ms;
    uint32_t from, to;
} route_key;

/* chunk size of the route cache: results are 88 bytes + 24 per segment, 1–5 KB on Atlanta */
#define ROUTE_CACHE_CHUNK 256u

static void release_routes(fc_engine *e)
{
    if (e->route) fc_route_free(e->route);
    free(e->route);
    e->route = NULL;
    fc_lru_destroy(e->route_cache);
    e->route_cache = NULL;
    free(e->route_fc);
    e->route_fc = NULL;
    e->route_fc_len = 0;
    e->route_fc_version = 0;
    free(e->route_buf);
    e->route_buf = NULL;
}

static size_t route_buf_size(uint32_t n) { return sizeof(route_key) + sizeof(fc_travel_time) + (size_t)n * sizeof(fc_travel_segment); }

/* Builds what queries need on first use and refreshes the forecast once per data version. */
static fc_status routes_prepare(fc_engine *e, fc_route_speeds *sp)
{
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "travel time: no model: train or load one first");
    if (e->hist.head == INT64_MIN) return fc_engine_fail(e, FC_E_STATE, "travel time: no data: ingest a snapshot first");
    uint32_t n = e->net->n_sensors, H = e->model->horizons;
    if (!e->route) {
        e->route = malloc(sizeof *e->route);
        e->route_buf = malloc(route_buf_size(n));
        if (!e->route || !e->route_buf || fc_route_init(e->route, e->net)) {
            free(e->route);
            free(e->route_buf);
            e->route = NULL;
            e->route_buf = NULL;
            return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route graph");
        }
    }
    if (!e->route_cache && fc_lru_create(FC_ROUTE_CACHE_ENTRIES, FC_ROUTE_CACHE_BYTES, ROUTE_CACHE_CHUNK, &e->route_cache))
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route cache");
    size_t len = (size_t)n * (1 + 3 * (size_t)H);
    if (len != e->route_fc_len) {
        free(e->route_fc);
        e->route_fc_len = 0;
        e->route_fc_version = 0;
        e->route_fc = malloc(len * sizeof(float));
        if (!e->route_fc) return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route forecast");
        e->route_fc_len = len;
    }
    float *now = e->route_fc, *mid = now + n, *lo = mid + (size_t)n * H, *hi = lo + (size_t)n * H;
    if (e->route_fc_version != e->data_version || !e->data_version) {
        if (!e->tiles) {
            if (!fc_model_has_profiles(e->model)) return fc_engine_fail(e, FC_E_STATE, "travel time: " NO_PROFILES);
            if (fc_model_forecast(e->model, e->net, &e->graph, fc_engine_history(e), mid, lo, hi, NULL))
                return fc_engine_fail(e, FC_E_STATE, "travel time: no data to forecast from");
        } else if (fc_engine_tiles_result(e, mid, lo, hi)) {
            return fc_engine_fail(e, FC_E_STATE, "travel time: profile tiles: forecast the newest data first");
        }
        fc_engine_latest(e, now, NULL, NULL, NULL, n);
        /* a station without a reading now starts from its first forecast step */
        for (uint32_t s = 0; s < n; s++)
            if (!(now[s] > 0)) now[s] = mid[(size_t)s * H];
        e->route_fc_version = e->data_version;
    }
    sp->now = now;
    sp->mid = mid;
    sp->lo = lo;
    sp->hi = hi;
    sp->horizons = H;
    sp->t0_ms = e->last_ts_ms;
    sp->step_ms = (int64_t)e->net->interval_s * 1000;
    return FC_OK;
}

static fc_status travel_time(fc_engine *e, size_t from, size_t to, int64_t depart_ms, uint32_t flags,
                             fc_travel_time *out, fc_travel_segment *seg, size_t seg_cap)
{
    if (!e || !out || (!seg && seg_cap) || (flags & ~FC_ROUTE_NO_CACHE)) return FC_E_ARG;
    fc_route_speeds sp;
    fc_status st = routes_prepare(e, &sp);
    if (st) return st;
    uint32_t n = e->net->n_sensors;
    if (from >= n || to >= n)
        return fc_engine_fail(e, FC_E_NOT_FOUND, "travel time: unknown station index %zu", from >= n ? from : to);
    route_key key;
    memset(&key, 0, sizeof key);
    key.version = e->data_version;
    key.depart_ms = depart_ms;
    key.from = (uint32_t)from;
    key.to = (uint32_t)to;
    uint64_t hash = fc_hash_bytes(FC_HASH_SEED, &key, sizeof key);
    unsigned char *buf = e->route_buf;
    fc_travel_time *res = (fc_travel_time *)(buf + sizeof key);
    fc_travel_segment *segs = (fc_travel_segment *)(res + 1);
    size_t len = 0;
    int hit = !(flags & FC_ROUTE_NO_CACHE) &&
              fc_lru_get(e->route_cache, hash, buf, route_buf_size(n), &len) == FC_OK &&
              len >= sizeof key + sizeof *res && memcmp(buf, &key, sizeof key) == 0;
    if (!hit) {
        st = fc_route_travel(e->route, e->net, &sp, key.from, key.to, depart_ms, res, segs, n, e->msg, sizeof e->msg);
        if (st) return st;
        memcpy(buf, &key, sizeof key);
        /* a result too large for the cache is simply not cached */
        if (!(flags & FC_ROUTE_NO_CACHE))
            (void)fc_lru_put(e->route_cache, hash, buf, sizeof key + sizeof *res + res->n_segments * sizeof *segs);
    }
    *out = *res;
    if (seg_cap) memcpy(seg, segs, (seg_cap < res->n_segments ? seg_cap : res->n_segments) * sizeof *segs);
    e->msg[0] = '\0';
    return FC_OK;
}

fc_status fc_engine_best_departure(fc_engine *e, size_t from, size_t to, int64_t earliest_ms, int64_t latest_ms,
                                   int64_t step_ms, fc_departure *out, size_t cap, size_t *n_out, size_t *best)
{
    if (n_out) *n_out = 0;
    if (best) *best = 0;
    if (!e || (!out && cap)) return FC_E_ARG;
    fc_route_speeds sp;
    fc_status st = routes_prepare(e, &sp);
    if (st) return st;
    if (step_ms < 1) return fc_engine_fail(e, FC_E_ARG, "best departure: the step must be at least 1 ms");
    int64_t end_ms = sp.t0_ms + (int64_t)sp.horizons * sp.step_ms;
    if (earliest_ms > latest_ms || earliest_ms < sp.t0_ms || latest_ms > end_ms)
        return fc_engine_fail(e, FC_E_RANGE, "best departure: the window %.1f..%.1f min after the newest data must be ordered and inside the forecast (0..%.0f min)",
                              (double)(earliest_ms - sp.t0_ms) / 60000.0, (double)(latest_ms - sp.t0_ms) / 60000.0,
                              (double)(end_ms - sp.t0_ms) / 60000.0);
    size_t count = (size_t)((latest_ms - earliest_ms) / step_ms) + 1;
    if (n_out) *n_out = count;
    if (count > cap) return fc_engine_fail(e, FC_E_ARG, "best departure: %zu departures, room for %zu", count, cap);
    size_t b = 0;
    for (size_t i = 0; i < count; i++) {
        fc_travel_time tt;
        st = fc_engine_travel_time(e, from, to, earliest_ms + (int64_t)i * step_ms, 0, &tt, NULL, 0);
        if (st) return st;
        out[i].depart_ms = tt.depart_ms;
        out[i].minutes = tt.minutes;
        out[i].low_minutes = tt.low_minutes;
        out[i].high_minutes = tt.high_minutes;
        if (tt.minutes < out[b].minutes) b = i;
    }
    if (best) *best = b;
    return FC_OK;
}

void fc_engine_route_cache_stats(const fc_engine *e, fc_cache_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (e && e->route_cache) fc_lru_get_stats(e->route_cache, out);
}

uint64_t fc_engine_data_version(const fc_engine *e) { return e ? e->data_version : 0; }

fc_status fc_engine_travel_time(fc_engine *e, size_t from, size_t to, int64_t depart_ms, uint32_t flags,
                                fc_travel_time *out, fc_travel_segment *seg, size_t seg_cap)
{
    double t0 = fc_clock_us();
    fc_status st = travel_time(e, from, to, depart_ms, flags, out, seg, seg_cap);
    if (e && !st) fc_stats_record(&e->stats, FC_STAGE_ROUTE, t0, (uint32_t)out->n_segments);
    return st;
}

/* ---- instrumentation ---- */

const char *fc_stage_name(fc_stage_id stage)
{
    static const char *const names[FC_STAGE_COUNT] = {"parse", "commit", "forecast", "train", "route"};
    return (unsigned)stage < FC_STAGE_COUNT ? names[stage] : "?";
}

fc_status fc_engine_stage_stats(const fc_engine *e, fc_stage_id stage, fc_stage_stats *out)
{
    if (!e || !out || (unsigned)stage >= FC_STAGE_COUNT) return FC_E_ARG;
    out->calls = e->stats.calls[stage];
    out->total_us = e->stats.total_us[stage];
    fc_stats_summary(&e->stats, stage, &out->median_us, &out->p95_us);
    return FC_OK;
}

fc_status fc_engine_trace(fc_engine *e, int on)
{
    if (!e) return FC_E_ARG;
    if (fc_stats_trace(&e->stats, on)) return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the trace buffer");
    return FC_OK;
}

const void *fc_engine_trace_spans(const fc_engine *e, size_t *count, size_t *next)
{
    if (count) *count = e ? e->stats.trace_len : 0;
    if (next) *next = e ? e->stats.trace_next : 0;
    return e ? e->stats.trace : NULL;
}

fc_status fc_engine_memory(const fc_engine *e, fc_memory *out)
{
    if (!e || !out) return FC_E_ARG;
    memset(out, 0, sizeof *out);
    if (!e->net) return FC_OK;
    uint64_t n = e->net->n_sensors;
    /* ring buffers (7 bytes per sensor-slot), newest-slot sums and counts (18 B), staging
     * (12 B) per sensor */
    out->history_bytes = n * e->hist.cap * 7 + n * 18 + n * 12;
    /* weights and intervals, forecast scratch, then the profile arrays (2 day types x q slots x 8
     * bytes + 16 per sensor) or, in tile mode, the tile state */
    if (e->model) {
        out->model_bytes = fc_model_file_size(e->model, 0) + n * FC_RECENT * 5;
        if (fc_model_has_profiles(e->model)) out->model_bytes += n * FC_DAYTYPES * e->model->q * 8 + n * 16;
        out->model_bytes += fc_engine_tiles_bytes(e);
    }
    out->route_bytes = e->route_fc_len * sizeof(float) + (e->route_cache ? 4u << 20 : 0);
    return FC_OK;
}
