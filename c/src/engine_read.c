/* engine_read.c — what a host that serves the engine's decisions (the feed server,
 * web/server/rules.js) reads back: the values a snapshot committed for itself, and a range of
 * committed history rows. The server keeps no rule of its own: it stores and serves exactly
 * these, so a page's engine that ingests what the server serves reaches the same state.
 *
 * Nothing here adds a rule either. The echo ingests decide through fc_ingest_json and
 * fc_ingest_binary themselves; the parse before them only copies the staged values out, which
 * the commit does not keep (it folds them into the slot's means and resets the stage). */
#include "engine.h"
#include "ingest_bin.h"
#include <math.h>
#include <string.h>

/* What a snapshot is checked against: the same limits engine.c builds for every ingest. */
static fc_ingest_limits read_limits(const fc_engine *e)
{
    fc_ingest_limits lim = {
        e->net, e->last_ts_ms, e->cfg.max_payload_bytes, (int64_t)e->cfg.max_ahead_s * 1000,
        e->cfg.max_speed_mph, e->cfg.max_volume_vph};
    return lim;
}

/* Copies the staged columns (dequantised; NaN missing, quality 0) and empties the stage. */
static void copy_stage(fc_engine *e, float *speed, float *volume, float *occ, uint8_t *quality)
{
    fc_stage *st = &e->stage;
    for (uint32_t s = 0; s < st->n; s++) {
        speed[s] = fc_dq_speed(st->in_speed[s]);
        volume[s] = fc_dq_volume(st->in_volume[s]);
        occ[s] = fc_dq_occupancy(st->in_occupancy[s]);
        quality[s] = st->in_quality[s];
    }
    fc_stage_reset(st);
}

static fc_status check_echo_args(const fc_engine *e, const void *buf, size_t len, const float *speed,
                                 const float *volume, const float *occ, const uint8_t *quality, size_t n)
{
    if (!e || (!buf && len) || !speed || !volume || !occ || !quality) return FC_E_ARG;
    if (e->net && n != e->net->n_sensors) return FC_E_ARG;
    return FC_OK;
}

fc_status fc_ingest_json_echo(fc_engine *e, const char *json, size_t len, fc_ingest_result *res,
                              float *speed, float *volume, float *occ, uint8_t *quality, size_t n)
{
    fc_status st = check_echo_args(e, json, len, speed, volume, occ, quality, n);
    if (st) {
        if (res) memset(res, 0, sizeof *res);
        return st;
    }
    if (e->net) {
        fc_ingest_limits lim = read_limits(e);
        /* the reference parser: the fast one decides identically or hands over to it
         * (ARCHITECTURE.md, "Two snapshot parsers, one answer"), so its stage is the one
         * fc_ingest_json commits */
        st = fc_ingest_parse_cjson(&lim, json ? json : "", len, &e->stage, e->msg, sizeof e->msg);
        if (st == FC_OK) copy_stage(e, speed, volume, occ, quality);
        else fc_stage_reset(&e->stage);
    }
    /* the decision, counters and commit are fc_ingest_json's own, whatever the parse above said */
    return fc_ingest_json(e, json, len, res);
}

fc_status fc_ingest_binary_echo(fc_engine *e, const uint8_t *buf, size_t len, fc_ingest_result *res,
                                float *speed, float *volume, float *occ, uint8_t *quality, size_t n)
{
    fc_status st = check_echo_args(e, buf, len, speed, volume, occ, quality, n);
    if (st) {
        if (res) memset(res, 0, sizeof *res);
        return st;
    }
    if (e->net) {
        fc_ingest_limits lim = read_limits(e);
        st = fc_ingest_parse_binary(&lim, buf, len, &e->stage, e->msg, sizeof e->msg);
        if (st == FC_OK) copy_stage(e, speed, volume, occ, quality);
        else fc_stage_reset(&e->stage);
    }
    return fc_ingest_binary(e, buf, len, res);
}

int64_t fc_engine_history_head(const fc_engine *e)
{
    return e && e->net ? e->hist.head : INT64_MIN;
}

fc_status fc_engine_history_rows(const fc_engine *e, int64_t first_slot, size_t rows, float *speed,
                                 float *volume, float *occ, uint8_t *quality, size_t n)
{
    if (!e || (rows && (!speed || !volume || !occ || !quality))) return FC_E_ARG;
    if (!e->net) return FC_E_STATE;
    if (n != e->net->n_sensors) return FC_E_ARG;
    const fc_history *h = fc_engine_history(e);
    for (size_t r = 0; r < rows; r++) {
        int64_t slot = first_slot + (int64_t)r;
        size_t o = r * n;
        /* held: not after the head, and not so old that the ring has reused its row */
        int held = h->head != INT64_MIN && slot <= h->head && h->head - slot < (int64_t)h->cap;
        if (!held) {
            for (size_t s = 0; s < n; s++) speed[o + s] = volume[o + s] = occ[o + s] = NAN;
            memset(quality + o, 0, n);
            continue;
        }
        size_t row = fc_history_index(h, 0, slot);
        for (size_t s = 0; s < n; s++) {
            speed[o + s] = fc_dq_speed(h->speed[row + s]);
            volume[o + s] = fc_dq_volume(h->volume[row + s]);
            occ[o + s] = fc_dq_occupancy(h->occupancy[row + s]);
        }
        memcpy(quality + o, h->quality + row, n);
    }
    return FC_OK;
}
