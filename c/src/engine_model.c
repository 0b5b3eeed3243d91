/* engine_model.c — the model's lifecycle in the engine: the neighbour graph it reads
 * (adjacency), stepwise training, the forecast, model files (save, load) and clearing the
 * profiles. A new model (trained or loaded) replaces the old one only once it is complete, and
 * every change of model moves the data version. */
#include "engine.h"
#include "model_io.h"
#include "model_pack.h"
#include "model_window.h"
#include "timeutil.h"
#include <math.h>

void fc_engine_drop_model(fc_engine *e)
{
    fc_trainer_free(e->trainer);
    e->trainer = NULL;
    fc_tiles_free(e->tiles);
    e->tiles = NULL;
    fc_model_free(e->model);
    e->model = NULL;
    e->data_version++;
}

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
    fc_engine_drop_model(e);
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
    return fc_trainer_create(e->net, &e->graph, fc_engine_history(e), &o, e->net_hash, &e->trainer, e->msg, sizeof e->msg);
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
        /* the model is what its file holds: forecasts before and after a save and a load agree,
         * and so does its identity (fc_model_id) for profile tiles */
        fc_model_pack_round(m);
        m->max_speed_mph = e->cfg.max_speed_mph; /* the plausible maximum the engine was made with */
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

/* A window model's check, out of line: the forecast path of a full model stays as it was (the
 * CPU profiles' stage attribution, bench/cpuprofile.js, reads its call stack). */
__attribute__((noinline)) static int window_covers(const fc_engine *e)
{
    const fc_history *h = fc_engine_history((fc_engine *)e);
    return h->head == INT64_MIN || fc_model_window_covers(e->model, e->net, h->head);
}

/* Not zeros from the cells the window file left out: an honest "no profile". */
__attribute__((noinline)) static fc_status window_refusal(fc_engine *e, const char *who)
{
    return fc_engine_fail(e, FC_E_STATE, "%sno profile for this time: the model came from a window file (origins %lld..%lld, "
                          "slots of %u s) and the newest data is at slot %lld; load the full model file", who,
                          (long long)e->model->window_first,
                          (long long)(e->model->window_first + e->model->window_origins - 1), e->net->interval_s,
                          (long long)fc_engine_history(e)->head);
}

fc_status fc_engine_forecast_now(fc_engine *e, float *mid, float *lo, float *hi, uint8_t *evidence, const char *who)
{
    if (e->tiles) {
        /* the forecast was made group by group as the tiles arrived (tile_mode.c) */
        if (fc_tiles_result(e->tiles, e->data_version, mid, lo, hi, evidence))
            return fc_engine_fail(e, FC_E_STATE, "%sprofile tiles: no forecast of the newest data yet (run the tile "
                                  "forecast: begin, every group, end)", who);
    } else if (!fc_model_has_profiles(e->model)) {
        return fc_engine_fail(e, FC_E_STATE, "%s" NO_PROFILES, who);
    } else if (e->model->window && !window_covers(e)) {
        return window_refusal(e, who);
    } else if (fc_model_forecast(e->model, e->net, &e->graph, fc_engine_history(e), mid, lo, hi, evidence)) {
        return fc_engine_fail(e, FC_E_STATE, "%sno data to forecast from: ingest a snapshot first", who);
    }
    return FC_OK;
}

fc_status fc_engine_forecast(fc_engine *e, float *mid, float *lo, float *hi, size_t n_values)
{
    return fc_engine_forecast_evidence(e, mid, lo, hi, n_values, NULL);
}

fc_status fc_engine_forecast_evidence(fc_engine *e, float *mid, float *lo, float *hi, size_t n_values,
                                      uint8_t *evidence)
{
    if (!e) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model: train or load one first");
    if (n_values != (size_t)e->model->n * e->model->horizons)
        return fc_engine_fail(e, FC_E_ARG, "forecast: buffers of %zu values, need %u sensors x %u horizons",
                              n_values, e->model->n, e->model->horizons);
    double t0 = fc_clock_us();
    fc_status st = fc_engine_forecast_now(e, mid, lo, hi, evidence, "");
    if (st) return st;
    fc_stats_record(&e->stats, FC_STAGE_FORECAST, t0, e->model->n);
    return FC_OK;
}

size_t fc_engine_model_size(const fc_engine *e)
{
    return e && e->model && fc_model_has_all_profiles(e->model) ? fc_model_write(e->model, NULL, 0, 1) : 0;
}

size_t fc_engine_model_size_without_profiles(const fc_engine *e)
{
    return e && e->model ? fc_model_write(e->model, NULL, 0, 0) : 0;
}

/* Writes the model file, with or without its profiles, into buf (cap bytes). */
static fc_status save_model(fc_engine *e, uint8_t *buf, size_t cap, size_t *written, int with_profiles)
{
    if (!e || (!buf && cap)) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model to save: train or load one first");
    if (with_profiles && !fc_model_has_all_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "the model's profiles are not here to save (profile tiles are enabled, or "
                              "it was loaded from a file without them or from a window file)");
    /* one pass sizes and writes (the encoding is variable-length) */
    size_t need = fc_model_write(e->model, buf, cap, with_profiles);
    if (!need) return fc_engine_fail(e, FC_E_NOMEM, "save_model: out of memory");
    if (written) *written = need;
    if (cap < need) return fc_engine_fail(e, FC_E_ARG, "save_model: buffer of %zu bytes, need %zu", cap, need);
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

/* The window: the origins of the snapshots in the span_s seconds from ts_ms, i.e. the slot of a
 * snapshot at ts_ms (the slot holding ts_ms - 1 ms, as ingest assigns it) and the slots up to
 * span_s later (an hour by default), at least one. Each origin brings the profile cells its
 * forecast reads: its recent window (FC_RECENT slots back, imputation) and its horizons, each
 * widened by ±smooth_slots (fc_model_window_mark). */
fc_status fc_engine_save_model_window(fc_engine *e, int64_t ts_ms, uint32_t span_s, uint8_t *buf, size_t cap,
                                      size_t *written)
{
    if (!e || (!buf && cap)) return FC_E_ARG;
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "no model to save: train or load one first");
    if (!fc_model_has_all_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "save_model_window: the model's profiles are not all here (profile tiles, "
                              "a file without profiles, or a window file)");
    if (!(ts_ms > -9000000000000000LL && ts_ms < 9000000000000000LL)) /* the wasm wrapper's double range */
        return fc_engine_fail(e, FC_E_RANGE, "save_model_window: time %lld ms out of range", (long long)ts_ms);
    if (span_s == 0) span_s = 3600;
    if (span_s > 7 * 86400u) return fc_engine_fail(e, FC_E_RANGE, "save_model_window: span of %u s, at most a week", span_s);
    int64_t first = fc_floor_div(ts_ms - 1, (int64_t)e->net->interval_s * 1000);
    uint32_t origins = span_s / e->net->interval_s + 1;
    size_t need = fc_model_pack_write(e->model, e->net, FC_PACK_WINDOW, first, origins, buf, cap);
    if (!need) return fc_engine_fail(e, FC_E_NOMEM, "save_model_window: out of memory");
    if (written) *written = need;
    if (cap < need) return fc_engine_fail(e, FC_E_ARG, "save_model_window: buffer of %zu bytes, need %zu", cap, need);
    return FC_OK;
}

fc_status fc_engine_load_model(fc_engine *e, const uint8_t *buf, size_t len)
{
    if (!e || (!buf && len)) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    fc_model *m = NULL;
    fc_status st = fc_model_read(buf ? buf : (const uint8_t *)"", len, e->net, e->net_hash, &m, e->msg, sizeof e->msg);
    if (st) return st;
    m->max_speed_mph = e->cfg.max_speed_mph; /* a file carries weights, not this engine's limits */
    /* in tile mode the new model reads the tiles; attaching it changes nothing when it fails,
     * so the old model stays, as it does for a file that does not load */
    if (e->tiles && (st = fc_tiles_attach(e->tiles, m, e->msg, sizeof e->msg))) {
        fc_model_free(m);
        return st;
    }
    fc_model_free(e->model);
    e->model = m;
    e->data_version++;
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

