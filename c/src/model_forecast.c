/* model_forecast.c — forecasting with a trained model (model.h): every sensor's recent window
 * cleaned once (neighbour features read the others'), gaps imputed (carried forward, else the
 * online profile), the features of model_features.h per horizon, the weights of the sample's
 * regime, and the interval from the sensor's residual quantiles, widened when the origin
 * reading was imputed.
 *
 * It is also the one place of the evidence rule (fc_evidence, flowcast.h): a forecast stands on
 * the sensor's own readings, or its own trusted profile, or its neighbours' forecasts, or it is
 * NaN. A sensor that never reported has a profile of 0 mph, so imputing from it would forecast
 * a jam that no reading supports (issue 15); its neighbours are the only evidence left. */
#include "model.h"
#include "once_loop.h"
#include <string.h>

/* Interval widening when the origin reading was carried forward / taken from the profile. */
static const float k_widen[3] = {1.0f, 1.5f, 2.0f};

_Static_assert(FC_RECENT - 1 >= FC_FEATURE_BACK, "the recent window must hold the slots the features read");
_Static_assert(FC_RECENT - 1 >= FC_MLP_BACK, "the recent window must hold the slots the network reads");

/* What a profile lookup at `slot` leaves out: the sensor's closed readings (before head, inside
 * the recent window) of the slot's local day within its window slot +- smooth_slots. They are
 * in the profile sums; training left a slot's own day out too. Oldest first, the order of the
 * sums training's leave-out makes. base: fc_model_cal_first(m, head). */
static inline void left_out(const fc_model *m, int64_t base, int64_t slot, int64_t head, const float *recent, float *ex_sum,
                            float *ex_cnt)
{
    int32_t day = m->cal[slot - base].local_day;
    int sm = (int)m->params.smooth_slots;
    int64_t lo = slot - sm > head - FC_RECENT + 1 ? slot - sm : head - FC_RECENT + 1;
    int64_t hi = slot + sm < head - 1 ? slot + sm : head - 1; /* the open slot and later: none */
    float sum = 0, cnt = 0;
    for (int64_t u = lo; u <= hi; u++) {
        float v = recent[FC_RECENT - 1 - (head - u)];
        if (isnan(v) || m->cal[u - base].local_day != day) continue;
        sum += v;
        cnt += 1;
    }
    *ex_sum = sum;
    *ex_cnt = cnt;
}

/* Profile at `slot` for sensor s, leaving out left_out's readings. */
static float online_profile(const fc_model *m, uint32_t s, int64_t slot, int64_t head, const float *recent)
{
    int64_t base = fc_model_cal_first(m, head);
    const fc_slot_cal *c = &m->cal[slot - base];
    float ex_sum, ex_cnt;
    left_out(m, base, slot, head, recent, &ex_sum, &ex_cnt);
    return fc_profile_get(&m->prof, s, c->daytype, c->tod, (int)m->params.smooth_slots, m->params.profile_prior, ex_sum, ex_cnt);
}

/* online_profile at slots head, head + 1, ..., head + count - 1 into out: where two slots follow
 * each other within a day type, the window slides by one cell (two adds and two subtractions)
 * instead of being summed again; exact, so the values are online_profile's to the bit. */
static void online_profile_run(const fc_model *m, uint32_t s, int64_t head, uint32_t count, const float *recent, float *out)
{
    int64_t base = fc_model_cal_first(m, head);
    int sm = (int)m->params.smooth_slots;
    fc_profile_row row;
    double sum = 0, cnt = 0;
    int day = -1;
    uint32_t tod = 0, q = m->prof.q;
    for (uint32_t k = 0; k < count; k++) {
        int64_t slot = head + (int64_t)k;
        const fc_slot_cal *c = &m->cal[slot - base];
        if (c->daytype == day && c->tod == tod + 1 && 2 * sm + 1 < (int)q) {
            uint32_t in = (uint32_t)(((int64_t)c->tod + sm) % q), gone = (uint32_t)(((int64_t)c->tod - sm - 1 + (int64_t)q * 4) % q);
            sum += (double)row.sums[in] - (double)row.sums[gone];
            cnt += (double)row.cnts[in] - (double)row.cnts[gone];
        } else {
            fc_profile_row_of(&m->prof, s, c->daytype, &row);
            fc_profile_window(&row, c->tod, sm, &sum, &cnt);
            day = c->daytype;
        }
        tod = c->tod;
        /* as online_profile (tiles hold other days only: nothing to leave out) */
        float ex_sum = 0, ex_cnt = 0;
        if (!m->prof.tiled) left_out(m, base, slot, head, recent, &ex_sum, &ex_cnt);
        out[k] = fc_profile_value(&row, sum, cnt, m->params.profile_prior, ex_sum, ex_cnt);
    }
}

int fc_model_forecast_prepare(fc_model *m, const fc_network *net, const fc_history *h)
{
    if (h->head == INT64_MIN) return -1;
    const int R = FC_RECENT;
    const int64_t head = h->head;
    /* time-zone arithmetic once per slot, not once per sensor */
    for (size_t k = 0; k < fc_model_cal_span(&m->params); k++) fc_slot_calendar(net, fc_model_cal_first(m, head) + (int64_t)k, &m->cal[k]);
    /* cleaned recent window of every sensor (neighbour features need the others'): the raw
     * readings are copied out once, newest first, with the stuck-detection lead-in after them,
     * so a slot's predecessors, newest first as fc_clean_value reads them, are the readings
     * that follow it: no copy per slot (the copies were 16% of a forecast's instructions,
     * PERFORMANCE.md §37) */
    enum { LEAD = FC_STUCK_RUN - 1 };
    uint16_t back[FC_RECENT + LEAD]; /* back[i]: the reading i slots before head */
    for (uint32_t s = 0; s < m->n; s++) {
        for (int i = 0; i < R + LEAD; i++) back[i] = i < (int64_t)h->cap ? h->speed[fc_history_index(h, s, head - i)] : FC_Q_MISSING;
        float *r = m->recent + (size_t)s * R;
        for (int k = 0; k < R; k++) {
            int i = R - 1 - k;
            /* a slot older than the ring has no predecessors to compare with */
            int np = i + LEAD < (int64_t)h->cap ? LEAD : 0;
            r[k] = fc_clean_value(back[i], back + i + 1, np);
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

/* Whether sensor s's profile may stand in for readings: it holds FC_PROFILE_TRUST_DAYS days'
 * worth of the sensor's own readings (one per slot). The profile at a time of day is the mean
 * of the readings near it, shrunk toward the sensor's overall mean; with under a day of
 * readings most times of day have none of their own, so the value is the mean of other hours
 * (night readings standing in for the rush hour), and with none at all it is 0 mph. */
static int profile_trusted(const fc_model *m, uint32_t s, int daytype)
{
    return fc_profile_count(&m->prof, s, daytype) >= (double)FC_PROFILE_TRUST_DAYS * m->q;
}

/* NaN at every horizon of sensor s in the outputs that are there. */
static void no_forecast(const fc_model *m, uint32_t s, float *mid, float *lo, float *hi)
{
    for (uint32_t hz = 0; hz < m->horizons; hz++) {
        size_t at = (size_t)s * m->horizons + hz;
        if (mid) mid[at] = NAN;
        if (lo) lo[at] = NAN;
        if (hi) hi[at] = NAN;
    }
}

void fc_model_forecast_sensors(fc_model *m, const fc_graph *g, const fc_history *h, const uint32_t *sensors,
                               uint32_t count, float *mid, float *lo, float *hi)
{
    const int R = FC_RECENT;
    const int64_t head = h->head;
    const float vmax = m->max_speed_mph;
    const int64_t cal0 = fc_model_cal_first(m, head);
    const int head_daytype = m->cal[head - cal0].daytype;
    const uint32_t minute = fc_mlp_minute(m->cal[head - cal0].tod, m->interval_s);
    int hour[FC_MAX_H + 1]; /* the local hour of each horizon's target (the pooled correction) */
    for (uint32_t hz = 1; hz <= m->horizons; hz++) hour[hz] = fc_rc_hour(m->interval_s, m->cal[head + hz - cal0].tod);
    for (uint32_t j = 0; j < count; j++) {
        uint32_t s = sensors ? sensors[j] : j;
        const float *r = m->recent + (size_t)s * R;
        /* the origin's evidence first: without a recent reading or a trusted profile there is
         * nothing of the sensor's own to forecast from (fc_model_forecast_neighbours decides) */
        int since_last = 0;
        while (since_last < R && isnan(r[R - 1 - since_last])) since_last++;
        if (since_last > FC_CARRY_MAX && !profile_trusted(m, s, head_daytype)) {
            m->evidence[s] = FC_EVIDENCE_NONE;
            no_forecast(m, s, mid, lo, hi);
            continue;
        }
        float imp[FC_RECENT];
        uint8_t level[FC_RECENT];
        fc_carry_forward(r, R, imp, level);
        for (int k = 0; k < R; k++)
            if (level[k] == FC_EVIDENCE_PROFILE) imp[k] = online_profile(m, s, head - (R - 1 - k), head, r);
        /* the series fc_feature_series reads, with the origin at R - 1 and the horizons after
         * it; the neighbour means only at the slots the features read (the network's downstream
         * slots are among them), the profile before the origin only at the network's slots */
        float down[FC_RECENT], up[FC_RECENT], prof[FC_RECENT + FC_MAX_H];
        for (int k = 0; k < FC_N_DOWN; k++)
            down[R - 1 - fc_down_back[k]] = fc_neighbour_mean(g, FC_GRAPH_DOWN, s, m->recent, R, (size_t)(R - 1 - fc_down_back[k]));
        for (int k = 0; k < FC_N_UP; k++)
            up[R - 1 - fc_up_back[k]] = fc_neighbour_mean(g, FC_GRAPH_UP, s, m->recent, R, (size_t)(R - 1 - fc_up_back[k]));
        online_profile_run(m, s, head, m->horizons + 1, r, prof + R - 1);
        if (m->has_mlp)
            FC_ONCE_LOOP
            for (int k = 0; k < FC_MLP_PROF_BACK; k++)
                prof[R - 1 - fc_mlp_prof_back[k]] = online_profile(m, s, head - fc_mlp_prof_back[k], head, r);
        const fc_feature_series series = {imp, down, up, prof};
        fc_feat_in in;
        fc_feature_origin(&series, R - 1, &in);
        fc_rc_origin rco;
        fc_rc_origin_bins(&in, &rco);
        float widen = k_widen[level[R - 1]];
        m->evidence[s] = level[R - 1];
        /* the shared network's correction of every horizon (model_mlp.h) */
        float net[FC_MAX_H];
        if (m->has_mlp) {
            float xin[FC_MLP_IN];
            fc_mlp_inputs(&series, R - 1, m->horizons, minute, head_daytype, xin);
            fc_mlp_forward(m->mlp, m->horizons, xin, net);
        }
        for (uint32_t hz = 1; hz <= m->horizons; hz++) {
            fc_feature_target(&series, R - 1, hz, &in);
            float f[FC_NF];
            fc_features_make(&in, f);
            size_t at = (size_t)s * m->horizons + (hz - 1);
            float c = in.x0 + fc_features_dot(m->w + ((size_t)fc_features_regime(&in) * m->n * m->horizons + at) * FC_NF, f);
            /* the pooled correction of the linear forecast (model_resid.h) */
            uint8_t cell[FC_RC_TABLES];
            fc_rc_cells(&rco, &in, hour[hz], cell);
            c += fc_rc_value(m->rc + (size_t)(hz - 1) * FC_RC_CELLS, cell);
            if (m->has_mlp) c += net[hz - 1];
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

/* A sensor without evidence of its own is estimated from its up- and downstream neighbours
 * (the model's graph, both groups, with their weights) that have some (evidence observed,
 * carried or profile; never another estimate, so the order of sensors does not matter): the
 * weighted mean of their forecasts at each horizon, which lies within the range they span, and
 * for the interval the envelope of theirs (lowest 10% bound, highest 90% bound), wider than
 * any one of them because the sensor's own deviation from its neighbours is unknown. */
void fc_model_forecast_neighbours(fc_model *m, const fc_graph *g, float *mid, float *lo, float *hi)
{
    const uint32_t H = m->horizons;
    for (uint32_t s = 0; s < m->n; s++) {
        if (m->evidence[s] != FC_EVIDENCE_NONE) continue;
        double wsum = 0;
        for (int grp = FC_GRAPH_DOWN; grp <= FC_GRAPH_UP; grp++)
            for (uint32_t a = g->start[grp][s]; a < g->start[grp][s + 1]; a++)
                if (m->evidence[g->idx[grp][a]] <= FC_EVIDENCE_PROFILE) wsum += g->w[grp][a];
        if (!(wsum > 0)) continue; /* no reporting neighbour: stays NaN */
        for (uint32_t hz = 0; hz < H; hz++) {
            double sum = 0;
            float low = INFINITY, high = -INFINITY;
            for (int grp = FC_GRAPH_DOWN; grp <= FC_GRAPH_UP; grp++)
                for (uint32_t a = g->start[grp][s]; a < g->start[grp][s + 1]; a++) {
                    uint32_t nb = g->idx[grp][a];
                    if (m->evidence[nb] > FC_EVIDENCE_PROFILE) continue;
                    size_t at = (size_t)nb * H + hz;
                    if (mid) sum += g->w[grp][a] * mid[at];
                    if (lo && lo[at] < low) low = lo[at];
                    if (hi && hi[at] > high) high = hi[at];
                }
            size_t at = (size_t)s * H + hz;
            if (mid) mid[at] = (float)(sum / wsum);
            if (lo) lo[at] = low;
            if (hi) hi[at] = high;
        }
        m->evidence[s] = FC_EVIDENCE_NEIGHBOURS;
    }
}

int fc_model_forecast(fc_model *m, const fc_network *net, const fc_graph *g, const fc_history *h,
                      float *mid, float *lo, float *hi, uint8_t *evidence)
{
    if (fc_model_forecast_prepare(m, net, h)) return -1;
    fc_model_forecast_sensors(m, g, h, NULL, m->n, mid, lo, hi);
    fc_model_forecast_neighbours(m, g, mid, lo, hi);
    if (evidence) memcpy(evidence, m->evidence, m->n);
    return 0;
}
