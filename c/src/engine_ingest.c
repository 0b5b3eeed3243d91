/* engine_ingest.c — snapshots into the engine: the parser dispatch (fast parser with the cJSON
 * reference as fallback, binary snapshots, typed rows of values), all under one rule: parse and
 * check everything into the staging area, then a commit that cannot fail; a refused snapshot
 * leaves the committed state untouched. Also the parser counters. */
#include "engine.h"
#include "ingest_bin.h"
#include "ingest_fast.h"
#include "timeutil.h"
#include <math.h>
#include <string.h>

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

/* For the echo ingests (engine_read.c): copies the staged columns (dequantised; NaN missing,
 * quality 0) into e->echo, after every check passed and before the stage is folded into the
 * slot and reset. Here, with the commit, so the read-back module depends on ingest, not both
 * ways. */
static void echo_stage(fc_engine *e)
{
    const fc_stage *st = &e->stage;
    for (uint32_t s = 0; s < st->n; s++) {
        e->echo.speed[s] = fc_dq_speed(st->in_speed[s]);
        e->echo.volume[s] = fc_dq_volume(st->in_volume[s]);
        e->echo.occ[s] = fc_dq_occupancy(st->in_occupancy[s]);
        e->echo.quality[s] = st->in_quality[s];
    }
}

/* Commits the staged snapshot (timed as the commit stage) and empties the stage. */
static void commit_staged(fc_engine *e, fc_ingest_result *res)
{
    double t0 = fc_clock_us();
    if (e->echo.speed) echo_stage(e);
    commit(e, res);
    fc_stats_record(&e->stats, FC_STAGE_COMMIT, t0, e->stage.n_readings);
    fc_stage_reset(&e->stage);
    e->msg[0] = '\0';
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
    commit_staged(e, res);
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
    commit_staged(e, res);
    return FC_OK;
}

void fc_engine_parser_counts(const fc_engine *e, uint64_t *fast, uint64_t *fallback)
{
    if (fast) *fast = e ? e->n_fast : 0;
    if (fallback) *fallback = e ? e->n_fallback : 0;
}

uint64_t fc_engine_canonical_readings(const fc_engine *e) { return e ? e->n_canonical : 0; }
