/* model_forecast.c — forecasting with a trained model (model.h): every sensor's recent window
 * cleaned once (neighbour features read the others'), gaps imputed (carried forward, else the
 * online profile), the features of model_features.h per horizon, the weights of the sample's
 * regime, and the interval from the sensor's residual quantiles, widened when the origin
 * reading was imputed. */
#include "model.h"

/* Interval widening when the origin reading was carried forward / taken from the profile. */
static const float k_widen[3] = {1.0f, 1.5f, 2.0f};

_Static_assert(FC_RECENT - 1 >= FC_FEATURE_BACK, "the recent window must hold the slots the features read");

/* Profile at `slot` for sensor s, leaving out the closed slots of the same local day inside
 * the window (they are in the profile sums; training left a slot's own day out too). */
static float online_profile(const fc_model *m, uint32_t s, int64_t slot, int64_t head, const float *recent)
{
    int64_t base = fc_model_cal_first(m, head);
    const fc_slot_cal *c = &m->cal[slot - base];
    int sm = (int)m->params.smooth_slots;
    float ex_sum = 0, ex_cnt = 0;
    for (int64_t u = slot - sm; u <= slot + sm; u++) {
        if (u >= head || u <= head - FC_RECENT) continue; /* open, future, or outside the window */
        float v = recent[FC_RECENT - 1 - (head - u)];
        if (isnan(v) || m->cal[u - base].local_day != c->local_day) continue;
        ex_sum += v;
        ex_cnt += 1;
    }
    return fc_profile_get(&m->prof, s, c->daytype, c->tod, sm, m->params.profile_prior, ex_sum, ex_cnt);
}

int fc_model_forecast_prepare(fc_model *m, const fc_network *net, const fc_history *h)
{
    if (h->head == INT64_MIN) return -1;
    const int R = FC_RECENT;
    const int64_t head = h->head;
    /* time-zone arithmetic once per slot, not once per sensor */
    for (size_t k = 0; k < fc_model_cal_span(&m->params); k++) fc_slot_calendar(net, fc_model_cal_first(m, head) + (int64_t)k, &m->cal[k]);
    /* cleaned recent window of every sensor (neighbour features need the others'): the raw
     * readings are copied out once, oldest first, with the stuck-detection lead-in before them */
    enum { LEAD = FC_STUCK_RUN - 1 };
    uint16_t raw[FC_RECENT + LEAD];
    int64_t oldest = head - (R - 1) - LEAD;
    for (uint32_t s = 0; s < m->n; s++) {
        for (int k = 0; k < R + LEAD; k++) {
            int64_t slot = oldest + k;
            raw[k] = head - slot < (int64_t)h->cap ? h->speed[fc_history_index(h, s, slot)] : FC_Q_MISSING;
        }
        float *r = m->recent + (size_t)s * R;
        for (int k = 0; k < R; k++) {
            uint16_t prev[LEAD];
            for (int j = 0; j < LEAD; j++) prev[j] = raw[LEAD + k - 1 - j];
            /* a slot older than the ring has no predecessors to compare with */
            int np = head - (oldest + LEAD + k) + LEAD < (int64_t)h->cap ? LEAD : 0;
            r[k] = fc_clean_value(raw[LEAD + k], prev, np);
        }
    }
    return 0;
}

unsigned fc_model_window_daytypes(const fc_model *m)
{
    unsigned mask = 0;
    for (size_t k = 0; k < fc_model_cal_span(&m->params); k++) mask |= 1u << m->cal[k].daytype;
    return mask;
}

void fc_model_forecast_sensors(fc_model *m, const fc_graph *g, const fc_history *h, const uint32_t *sensors,
                               uint32_t count, float *mid, float *lo, float *hi, uint8_t *imputed)
{
    const int R = FC_RECENT;
    const int64_t head = h->head;
    const float vmax = m->max_speed_mph;
    for (uint32_t j = 0; j < count; j++) {
        uint32_t s = sensors ? sensors[j] : j;
        const float *r = m->recent + (size_t)s * R;
        float imp[FC_RECENT];
        uint8_t level[FC_RECENT];
        int since = FC_CARRY_MAX + 1;
        float last = NAN;
        for (int k = 0; k < R; k++) {
            if (!isnan(r[k])) {
                last = r[k];
                since = 0;
            } else {
                since++;
            }
            if (since == 0) {
                imp[k] = r[k];
                level[k] = 0;
            } else if (since <= FC_CARRY_MAX && !isnan(last)) {
                imp[k] = last;
                level[k] = 1;
            } else {
                imp[k] = online_profile(m, s, head - (R - 1 - k), head, r);
                level[k] = 2;
            }
        }
        /* the series fc_feature_series reads, with the origin at R - 1 and the horizons after
         * it; the neighbour means only at the slots the features read */
        float down[FC_RECENT], up[FC_RECENT], prof[FC_RECENT + FC_MAX_H];
        for (int k = 0; k < FC_N_DOWN; k++)
            down[R - 1 - fc_down_back[k]] = fc_neighbour_mean(g, FC_GRAPH_DOWN, s, m->recent, R, (size_t)(R - 1 - fc_down_back[k]));
        for (int k = 0; k < FC_N_UP; k++)
            up[R - 1 - fc_up_back[k]] = fc_neighbour_mean(g, FC_GRAPH_UP, s, m->recent, R, (size_t)(R - 1 - fc_up_back[k]));
        prof[R - 1] = online_profile(m, s, head, head, r);
        const fc_feature_series series = {imp, down, up, prof};
        fc_feat_in in;
        fc_feature_origin(&series, R - 1, &in);
        float widen = k_widen[level[R - 1]];
        if (imputed) imputed[s] = level[R - 1];
        for (uint32_t hz = 1; hz <= m->horizons; hz++) {
            prof[R - 1 + hz] = online_profile(m, s, head + hz, head, r);
            fc_feature_target(&series, R - 1, hz, &in);
            float f[FC_NF];
            fc_features_make(&in, f);
            size_t at = (size_t)s * m->horizons + (hz - 1);
            float c = in.x0 + fc_features_dot(m->w + ((size_t)fc_features_regime(&in) * m->n * m->horizons + at) * FC_NF, f);
            c = c < 0 ? 0 : c > vmax ? vmax : c;
            if (mid) mid[at] = c;
            if (lo) {
                float v = c + widen * m->lo[at];
                lo[at] = v < 0 ? 0 : v > c ? c : v;
            }
            if (hi) {
                float v = c + widen * m->hi[at];
                hi[at] = v > vmax ? vmax : v < c ? c : v;
            }
        }
    }
}

int fc_model_forecast(fc_model *m, const fc_network *net, const fc_graph *g, const fc_history *h,
                      float *mid, float *lo, float *hi, uint8_t *imputed)
{
    if (fc_model_forecast_prepare(m, net, h)) return -1;
    fc_model_forecast_sensors(m, g, h, NULL, m->n, mid, lo, hi, imputed);
    return 0;
}
