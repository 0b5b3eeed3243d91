/* model.c — the model's memory, its training defaults, the calendar of a slot and the cleaning
 * rule that training and forecasting share, and the online profile update (see model.h).
 * Features: model_features.h; training: model_train.c; forecasting: model_forecast.c; the
 * dense algebra: model_solve.c; the file format: model_io.c. */
#include "model.h"
#include "timeutil.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void fc_train_options_default_impl(fc_train_options *p)
{
    p->horizons = 12;
    p->smooth_slots = 4;
    p->profile_prior = 6.0f;
    /* a knee of 0.2 mph makes the linear fits nearly least absolute deviations, the error MAE
     * scores, and goes with twice the pull toward the pooled weights (0.5 and 0.4 before the
     * network's §35 inputs: PERFORMANCE.md §35, chosen on the inner split) */
    p->huber_mph = 0.2f;
    p->lambda_global = 1.0f;
    p->lambda_sensor = 0.8f;
    p->irls_iters = 3;
    p->max_samples = 1500;
    p->global_sensors = 48;
}

void fc_slot_calendar(const fc_network *net, int64_t slot, fc_slot_cal *out)
{
    int64_t start_s = slot * (int64_t)net->interval_s;
    int dst;
    int64_t local = start_s + fc_tz_offset_at(&net->tz, start_s, &dst);
    int64_t day = fc_floor_div(local, 86400);
    out->local_day = (int32_t)day;
    out->tod = (uint16_t)((local - day * 86400) / net->interval_s);
    out->daytype = fc_weekday_from_days(day) >= 5;
}

float fc_clean_value(uint16_t q, const uint16_t *prev, int n_prev)
{
    if (q == FC_Q_MISSING) return NAN;
    if (n_prev >= FC_STUCK_RUN - 1) {
        int k = 0;
        while (k < FC_STUCK_RUN - 1 && prev[k] == q) k++;
        if (k == FC_STUCK_RUN - 1) return NAN; /* a detector repeating itself for an hour */
    }
    return fc_dq_speed(q);
}

void fc_carry_forward(const float *x, size_t n, float *out, uint8_t *level)
{
    int since = FC_CARRY_MAX + 1;
    float last = NAN;
    for (size_t k = 0; k < n; k++) {
        if (!isnan(x[k])) {
            last = x[k];
            since = 0;
        } else if (since <= FC_CARRY_MAX) {
            since++;
        }
        uint8_t lv = since == 0 ? FC_EVIDENCE_OBSERVED
                   : since <= FC_CARRY_MAX && !isnan(last) ? FC_EVIDENCE_CARRIED : FC_EVIDENCE_PROFILE;
        out[k] = lv == FC_EVIDENCE_PROFILE ? NAN : last;
        if (level) level[k] = lv;
    }
}

/* ---- model memory ---- */

fc_model *fc_model_alloc(uint32_t n, uint32_t horizons, uint32_t q, uint32_t interval_s,
                         const fc_train_options *p, int with_profiles)
{
    fc_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n = n;
    m->horizons = horizons;
    m->q = q;
    m->interval_s = interval_s;
    m->params = *p;
    /* the engine's default clamp until the engine installs the model with its own config */
    m->max_speed_mph = FC_DEFAULT_MAX_SPEED_MPH;
    m->w = calloc((size_t)n * horizons * FC_REGIMES * FC_NF, sizeof(float));
    m->lo = calloc((size_t)n * horizons, sizeof(float));
    m->hi = calloc((size_t)n * horizons, sizeof(float));
    m->rc = calloc((size_t)horizons * FC_RC_CELLS, sizeof(float));
    m->mlp = calloc(fc_mlp_params(horizons), sizeof(float));
    m->recent = calloc((size_t)n * FC_RECENT, sizeof(float));
    m->evidence = calloc(n ? n : 1, 1);
    m->cal = calloc(fc_model_cal_span(p), sizeof(fc_slot_cal));
    if (!m->cal || !m->w || !m->lo || !m->hi || !m->rc || !m->mlp || !m->recent || !m->evidence ||
        (with_profiles && fc_profile_init(&m->prof, n, q))) {
        fc_model_free(m);
        return NULL;
    }
    if (!with_profiles) { /* profiles only through tiles (tile_mode.c): no arrays, no view yet */
        m->prof.n = n;
        m->prof.q = q;
        m->prof.tiled = 1;
    }
    return m;
}

void fc_model_free(fc_model *m)
{
    if (!m) return;
    free(m->w);
    free(m->lo);
    free(m->hi);
    free(m->rc);
    free(m->mlp);
    free(m->recent);
    free(m->evidence);
    free(m->cal);
    free(m->window);
    fc_profile_free(&m->prof);
    free(m);
}

int fc_model_mlp_nonzero(const fc_model *m)
{
    size_t np = fc_mlp_params(m->horizons);
    for (size_t i = 0; i < np; i++)
        if (m->mlp[i] != 0) return 1;
    return 0;
}

void fc_model_observe_slot(fc_model *m, const fc_network *net, const fc_history *h, int64_t slot)
{
    if (h->head == INT64_MIN || slot > h->head || h->head - slot >= (int64_t)h->cap) return;
    fc_slot_cal c;
    fc_slot_calendar(net, slot, &c);
    for (uint32_t s = 0; s < m->n; s++) {
        uint16_t prev[FC_STUCK_RUN - 1] = {0};
        int np = 0;
        for (; np < FC_STUCK_RUN - 1 && h->head - (slot - 1 - np) < (int64_t)h->cap; np++)
            prev[np] = h->speed[fc_history_index(h, s, slot - 1 - np)];
        float v = fc_clean_value(h->speed[fc_history_index(h, s, slot)], prev, np);
        if (!isnan(v)) fc_profile_add(&m->prof, s, c.daytype, c.tod, v);
    }
}
