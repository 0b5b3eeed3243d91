/* model_train.c — stepwise training of the speed model (model.h): the history cleaned once,
 * then per sensor its derived series (imputed speeds, neighbour means, leave-one-day-out
 * profile) and samples (model_features.h), a pooled Huber IRLS fit over a subset of sensors
 * (the "global" weights), then every sensor's own fit pulled toward the pooled weights, and
 * its residual quantiles for the prediction intervals; then the shared network (model_mlp.h)
 * on those fits' residuals, and the pooled tables (model_resid.h) on what it leaves.
 * Deterministic for the same data. */
#include "model.h"
#include "status.h"
#include "model_solve.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pull toward the pooled weights is lambda_sensor times the sensor's (Huber-weighted)
 * sample count plus this many samples' worth: a regime seen only a few dozen times at a
 * sensor (queues are rare) must not get 16 weights of its own from them. */
#define PRIOR_SAMPLES 100.0

_Static_assert(FC_LAG_MAX >= FC_FEATURE_BACK, "the first training origin must have the lags the features read");
_Static_assert(FC_LAG_MAX >= FC_MLP_BACK, "the first training origin must have the lags the network reads");

enum { PHASE_GLOBAL, PHASE_SENSORS, PHASE_NETWORK, PHASE_CORRECTION, PHASE_DONE };

/* Samples the shared network (model_mlp.h) is trained on: origins of the sensors' fits, every
 * net_every-th of them when there are more. 16-bit samples, 62 bytes each for 12 horizons:
 * 18.6 MB at most. Every origin of the Los-loop training rows fits (262,062 for 207 sensors);
 * Atlanta's 4 weeks keep one in three of their fits' origins (206,000). */
#define MLP_CAP 300000u

struct fc_trainer {
    const fc_network *net;
    const fc_graph *g;
    fc_train_options p;
    uint32_t n, T, H;
    float *clean;          /* [n][T] cleaned speeds, NaN missing */
    fc_slot_cal *cal;      /* [T] */
    fc_model *m;
    /* one sensor's series for fc_feature_series, rebuilt per sensor: imputed speed, downstream
     * and upstream neighbour means, leave-one-day-out profile */
    float *imp, *nd, *nu, *pl;
    /* samples of one (sensor, horizon): regime 0 from the front of the buffers, regime 1 from
     * the back (see collect) */
    float *feat, *y, *wt, *res;
    uint32_t *org;         /* origin slot of each sample */
    /* the pooled residual correction's samples, per horizon: bins and residual of every
     * rc_every-th sample of the sensors' fits, at most RC_CAP (model_resid.h) */
    uint8_t *rcb;          /* [H][RC_CAP][FC_RC_TABLES] cells (fc_rc_cells) */
    float *rcr, *rce;      /* [RC_CAP] the horizon being fitted: residuals, scratch */
    uint32_t rcn[FC_MAX_H], rc_seen[FC_MAX_H], rc_every;
    int32_t *rc_net;       /* [H][RC_CAP]: each correction sample's network sample (its origin's) */
    /* the shared network's samples: one per origin on its grid (see fit_sensor) */
    fc_mlp_trainer *mt;
    int32_t *net_at;       /* [T] the current sensor's network sample at each origin, or -1 */
    uint32_t net_every;
    uint32_t nreg[FC_REGIMES];
    uint32_t stride_sensor, stride_global;
    /* global fit */
    double wg[FC_MAX_H][FC_REGIMES][FC_NF];
    double Gg[FC_MAX_H][FC_REGIMES][FC_NF * FC_NF], bg[FC_MAX_H][FC_REGIMES][FC_NF];
    double ng[FC_MAX_H][FC_REGIMES]; /* samples behind each pooled fit */
    uint32_t *gsens, n_gsens;
    float *lo_ok;          /* [n] 1 when the sensor had enough samples for its own intervals */
    int phase;
    uint32_t pass, cursor;
};

void fc_trainer_free(fc_trainer *t)
{
    if (!t) return;
    free(t->clean); free(t->cal); free(t->imp); free(t->nd); free(t->nu); free(t->pl);
    free(t->feat); free(t->y); free(t->wt); free(t->res); free(t->gsens); free(t->lo_ok);
    free(t->org); free(t->rcb); free(t->rcr); free(t->rce); free(t->rc_net); free(t->net_at);
    fc_mlp_trainer_free(t->mt);
    fc_model_free(t->m);
    free(t);
}

/* Builds sensor s's derived series: LOO profile, imputed speeds, neighbour means. */
static void build_series(fc_trainer *t, uint32_t s)
{
    const float *x = t->clean + (size_t)s * t->T;
    int sm = (int)t->p.smooth_slots;
    for (uint32_t i = 0; i < t->T; i++) {
        /* leave the slot's own local day out of its profile: the feature must not contain the
         * value it is used to predict */
        float ex_sum = 0, ex_cnt = 0;
        int64_t lo = (int64_t)i - sm, hi = (int64_t)i + sm;
        for (int64_t u = lo < 0 ? 0 : lo; u <= hi && u < (int64_t)t->T; u++) {
            if (t->cal[u].local_day == t->cal[i].local_day && !isnan(x[u])) {
                ex_sum += x[u];
                ex_cnt += 1;
            }
        }
        t->pl[i] = fc_profile_get(&t->m->prof, s, t->cal[i].daytype, t->cal[i].tod, sm, t->p.profile_prior, ex_sum, ex_cnt);
    }
    fc_carry_forward(x, t->T, t->imp, NULL);
    for (uint32_t i = 0; i < t->T; i++) {
        if (isnan(t->imp[i])) t->imp[i] = t->pl[i];
        t->nd[i] = fc_neighbour_mean(t->g, FC_GRAPH_DOWN, s, t->clean, t->T, i);
        t->nu[i] = fc_neighbour_mean(t->g, FC_GRAPH_UP, s, t->clean, t->T, i);
    }
}

/* Collects the samples of sensor s at horizon h (1-based): regime 0 into t->feat / t->y from
 * index 0 up, regime 1 from index max_samples - 1 down (so each regime's samples are
 * contiguous and the buffers need no more room); counts in t->nreg. Returns the total. */
static uint32_t collect(fc_trainer *t, uint32_t s, uint32_t h, uint32_t stride)
{
    const float *x = t->clean + (size_t)s * t->T;
    const fc_feature_series series = {t->imp, t->nd, t->nu, t->pl};
    uint32_t n = 0, S = t->p.max_samples;
    t->nreg[0] = t->nreg[1] = 0;
    for (uint32_t o = FC_LAG_MAX; o + h < t->T && n < S; o += stride) {
        if (isnan(x[o]) || isnan(x[o + h])) continue;
        fc_feat_in in; /* x0 = the imputed speed at o, which is x[o] itself: x[o] is observed */
        fc_feature_origin(&series, o, &in);
        fc_feature_target(&series, o, h, &in);
        int r = fc_features_regime(&in);
        uint32_t at = r ? S - 1 - t->nreg[1] : t->nreg[0];
        fc_features_make(&in, t->feat + (size_t)at * FC_NF);
        t->y[at] = x[o + h] - x[o];
        t->org[at] = o;
        t->nreg[r]++;
        n++;
    }
    return n;
}

/* First sample index of regime r after collect. */
static uint32_t regime_base(const fc_trainer *t, int r)
{
    return r ? t->p.max_samples - t->nreg[1] : 0;
}

/* A pooled regime fit needs this many samples; with fewer (a network whose profiles never
 * drop much) the regime takes the other regime's pooled weights. */
#define REGIME_MIN_SAMPLES (8 * FC_NF)

static void solve_global(fc_trainer *t)
{
    double ridge[FC_NF];
    for (int k = 0; k < FC_NF; k++) ridge[k] = k == FC_F_BIAS ? 1e-6 : t->p.lambda_global; /* the constant term unpenalised */
    for (uint32_t h = 0; h < t->H; h++) {
        for (int r = 0; r < FC_REGIMES; r++) fc_solve_spd(t->Gg[h][r], ridge, t->bg[h][r], t->wg[h][r]);
        for (int r = 0; r < FC_REGIMES; r++)
            if (t->ng[h][r] < REGIME_MIN_SAMPLES && t->ng[h][1 - r] >= REGIME_MIN_SAMPLES)
                memcpy(t->wg[h][r], t->wg[h][1 - r], sizeof t->wg[h][r]);
        memset(t->Gg[h], 0, sizeof t->Gg[h]);
        memset(t->bg[h], 0, sizeof t->bg[h]);
        memset(t->ng[h], 0, sizeof t->ng[h]);
    }
}

/* One global sensor's contribution to the pooled fit of every horizon. */
static void global_sensor(fc_trainer *t, uint32_t s)
{
    build_series(t, s);
    for (uint32_t h = 1; h <= t->H; h++) {
        collect(t, s, h, t->stride_global);
        for (int r = 0; r < FC_REGIMES; r++) {
            uint32_t base = regime_base(t, r), n = t->nreg[r];
            float w[FC_NF];
            for (int k = 0; k < FC_NF; k++) w[k] = (float)t->wg[h - 1][r][k];
            for (uint32_t i = base; i < base + n; i++)
                t->wt[i] = t->pass == 0 ? 1.0f : fc_huber_weight(t->y[i] - fc_features_dot(w, t->feat + (size_t)i * FC_NF), t->p.huber_mph);
            fc_accumulate_normal(t->Gg[h - 1][r], t->bg[h - 1][r], t->feat + (size_t)base * FC_NF, t->y + base, t->wt + base, n);
            t->ng[h - 1][r] += n;
        }
    }
}

/* How many of n training residuals lie outside each end of a 10-90% interval. The residuals are
 * in-sample (the weights were fitted to these very points) and of the linear forecast before
 * the pooled correction (model_resid.h) moves it. For the linear model alone, the plain 10%
 * and 90% quantiles covered 78.5-79.0% of new data and 9.5% tails were chosen (§27); with the
 * correction, 10% tails bring the inner split's coverage to 80% (PERFORMANCE.md §32, 9.5%
 * gave 81%). Chosen on the inner split of the training rows, as §27. */
#ifndef FC_INTERVAL_TAIL
#define FC_INTERVAL_TAIL 0.10
#endif
static uint32_t interval_tail(uint32_t n)
{
    return (uint32_t)((double)n * FC_INTERVAL_TAIL);
}

/* Samples the pooled correction is fitted to, per horizon: a cap keeps its memory (12 bytes a
 * sample: 8.6 MB for 12 horizons) and time bounded whatever the history's length; the inner
 * split lost 0.1-0.3% MAE against keeping every sample (PERFORMANCE.md §32). */
#define RC_CAP 60000u
/* The tables' pull toward 0, in samples (inner split: 3 beat 10, 50 and 200; a cell holds
 * hundreds to thousands of samples, so this only tames the sparse corners). */
#define RC_PRIOR 3.0f

/* The origin of the i-th residual of the n samples just fitted (t->res is packed regime 0 then
 * regime 1; the samples sit at the front and the back of the buffers). */
static uint32_t res_origin(const fc_trainer *t, uint32_t i)
{
    return t->org[i < t->nreg[0] ? i : regime_base(t, 1) + (i - t->nreg[0])];
}

/* Keeps the cells of every rc_every-th of the n samples just fitted at horizon h (regime 0
 * first) that the network has a sample of, for the pooled correction: the tables are fitted to
 * what the network leaves of those samples' residuals. Needs the sensor's series
 * (build_series). */
static void rc_push(fc_trainer *t, uint32_t h, uint32_t n)
{
    const fc_feature_series series = {t->imp, t->nd, t->nu, t->pl};
    uint32_t *cnt = &t->rcn[h - 1];
    for (uint32_t i = 0; i < n && *cnt < RC_CAP; i++) {
        uint32_t o = res_origin(t, i);
        if (t->net_at[o] < 0 || t->rc_seen[h - 1]++ % t->rc_every) continue;
        fc_feat_in in;
        fc_feature_origin(&series, o, &in);
        fc_feature_target(&series, o, h, &in);
        fc_rc_origin ob;
        fc_rc_origin_bins(&in, &ob);
        size_t k = (size_t)(h - 1) * RC_CAP + *cnt;
        fc_rc_cells(&ob, &in, fc_rc_hour(t->net->interval_s, t->cal[o + h].tod), t->rcb + k * FC_RC_TABLES);
        t->rc_net[k] = t->net_at[o]; /* its residual: what the network leaves (rc_fit_horizon) */
        (*cnt)++;
    }
}

/* The pooled correction of horizon h (0-based), once every sensor's samples are in: one
 * horizon per training step (a fit is ~2 M sample-table updates, tens of milliseconds). */
static void rc_fit_horizon(fc_trainer *t, uint32_t h)
{
    size_t k = (size_t)h * RC_CAP;
    for (uint32_t i = 0; i < t->rcn[h]; i++) t->rcr[i] = fc_mlp_left(t->mt, t->rc_net[k + i], h);
    fc_rc_fit(t->rcb + k * FC_RC_TABLES, t->rcr, t->rcn[h], t->p.huber_mph, RC_PRIOR, t->rce,
              t->m->rc + (size_t)h * FC_RC_CELLS);
}

/* The network's samples of sensor s: its fits' origins (collect's grid) whose targets reach
 * every horizon, every net_every-th of them (offset by sensor, so all phases are covered), with
 * an observed origin speed; t->net_at maps an origin to its sample. Needs build_series. */
static void net_samples(fc_trainer *t, uint32_t s)
{
    const float *x = t->clean + (size_t)s * t->T;
    const fc_feature_series series = {t->imp, t->nd, t->nu, t->pl};
    for (uint32_t o = 0; o < t->T; o++) t->net_at[o] = -1;
    uint32_t k = 0;
    for (uint32_t o = FC_LAG_MAX; o + t->H < t->T; o += t->stride_sensor, k++) {
        if ((k + s) % t->net_every || isnan(x[o])) continue;
        float in[FC_MLP_IN];
        fc_mlp_inputs(&series, o, t->H, fc_mlp_minute(t->cal[o].tod, t->net->interval_s), t->cal[o].daytype, in);
        t->net_at[o] = fc_mlp_add(t->mt, in);
    }
}

/* Sensor s's own weights, pulled toward the global ones, its residual quantiles, and its
 * samples for the network and the pooled correction. */
static void fit_sensor(fc_trainer *t, uint32_t s)
{
    build_series(t, s);
    net_samples(t, s);
    fc_model *m = t->m;
    int enough = 1;
    for (uint32_t h = 1; h <= t->H; h++) {
        uint32_t n = collect(t, s, h, t->stride_sensor);
        size_t at = (size_t)s * t->H + (h - 1);
        for (int r = 0; r < FC_REGIMES; r++) {
            uint32_t base = regime_base(t, r), nr = t->nreg[r];
            const float *feat = t->feat + (size_t)base * FC_NF, *yr = t->y + base;
            float *wt = t->wt + base;
            double wd[FC_NF], prior[FC_NF];
            for (int k = 0; k < FC_NF; k++) wd[k] = prior[k] = t->wg[h - 1][r][k];
            float w[FC_NF];
            for (uint32_t it = 0; it < t->p.irls_iters && nr > 0; it++) {
                for (int k = 0; k < FC_NF; k++) w[k] = (float)wd[k];
                double G[FC_NF * FC_NF] = {0}, b[FC_NF] = {0}, wsum = 0;
                for (uint32_t i = 0; i < nr; i++) {
                    wt[i] = fc_huber_weight(yr[i] - fc_features_dot(w, feat + (size_t)i * FC_NF), t->p.huber_mph);
                    wsum += wt[i];
                }
                fc_accumulate_normal(G, b, feat, yr, wt, nr);
                double lambda = t->p.lambda_sensor * (wsum > 1 ? wsum : 1) + PRIOR_SAMPLES, ridge[FC_NF], rhs[FC_NF];
                for (int k = 0; k < FC_NF; k++) {
                    ridge[k] = lambda;
                    rhs[k] = b[k] + lambda * prior[k];
                }
                fc_solve_spd(G, ridge, rhs, wd);
            }
            float *out = m->w + ((size_t)r * t->n * t->H + at) * FC_NF;
            for (int k = 0; k < FC_NF; k++) out[k] = (float)wd[k];
            /* residuals of both regimes, packed from index 0 */
            uint32_t off = r ? t->nreg[0] : 0;
            for (uint32_t i = 0; i < nr; i++) t->res[off + i] = yr[i] - fc_features_dot(out, feat + (size_t)i * FC_NF);
        }
        for (uint32_t i = 0; i < n; i++) fc_mlp_target(t->mt, t->net_at[res_origin(t, i)], h - 1, t->res[i]);
        rc_push(t, h, n);
        /* the interval: residual quantiles of this sensor at this horizon */
        if (n >= 30) {
            uint32_t tail = interval_tail(n);
            m->lo[at] = fc_select_kth(t->res, n, tail);
            m->hi[at] = fc_select_kth(t->res, n, n - 1 - tail);
        } else {
            enough = 0;
        }
    }
    t->lo_ok[s] = (float)enough;
}

/* Sensors without enough data of their own take the median interval of those with. */
static void fill_missing_intervals(fc_trainer *t)
{
    fc_model *m = t->m;
    for (uint32_t h = 0; h < t->H; h++) {
        uint32_t k = 0;
        for (uint32_t s = 0; s < t->n; s++)
            if (t->lo_ok[s]) t->res[k++] = m->lo[(size_t)s * t->H + h];
        float lo = k ? fc_select_kth(t->res, k, k / 2) : -5.0f * sqrtf((float)(h + 1));
        k = 0;
        for (uint32_t s = 0; s < t->n; s++)
            if (t->lo_ok[s]) t->res[k++] = m->hi[(size_t)s * t->H + h];
        float hi = k ? fc_select_kth(t->res, k, k / 2) : 5.0f * sqrtf((float)(h + 1));
        for (uint32_t s = 0; s < t->n; s++) {
            if (t->lo_ok[s]) continue;
            m->lo[(size_t)s * t->H + h] = lo;
            m->hi[(size_t)s * t->H + h] = hi;
        }
    }
}

fc_status fc_trainer_create(const fc_network *net, const fc_graph *g, const fc_history *h,
                      const fc_train_options *p, uint64_t network_hash, fc_trainer **out,
                      char *msg, size_t cap)
{
    if (p->horizons < 1 || p->horizons > FC_MAX_H) return fc_fail(msg, cap, FC_E_RANGE, "horizons must be in [1, %d]", FC_MAX_H);
    if (h->head == INT64_MIN) return fc_fail(msg, cap, FC_E_STATE, "no history to train on: ingest data first");
    /* the history actually recorded: from the oldest slot still kept to the newest */
    int64_t first = h->head - (int64_t)h->cap + 1;
    if (h->first > first) first = h->first;
    uint32_t T = (uint32_t)(h->head - first + 1);
    if (T < FC_LAG_MAX + p->horizons + 2)
        return fc_fail(msg, cap, FC_E_RANGE, "history of %u slots is too short for %u horizons", T, p->horizons);
    fc_trainer *t = calloc(1, sizeof *t);
    if (!t) return fc_fail(msg, cap, FC_E_NOMEM, "out of memory");
    t->net = net;
    t->g = g;
    t->p = *p;
    t->n = net->n_sensors;
    t->T = T;
    t->H = p->horizons;
    uint32_t q = 86400u / net->interval_s + 1; /* +1: a 25-hour DST day's extra slots wrap */
    size_t S = p->max_samples;
    t->clean = malloc((size_t)t->n * T * sizeof(float));
    t->cal = malloc(T * sizeof(fc_slot_cal));
    t->imp = malloc(T * sizeof(float));
    t->nd = malloc(T * sizeof(float));
    t->nu = malloc(T * sizeof(float));
    t->pl = malloc(T * sizeof(float));
    t->feat = malloc(S * FC_NF * sizeof(float));
    t->y = malloc(S * sizeof(float));
    t->wt = malloc(S * sizeof(float));
    t->res = malloc((S > t->n ? S : t->n) * sizeof(float));
    t->lo_ok = calloc(t->n, sizeof(float));
    t->org = malloc(S * sizeof(uint32_t));
    t->rcb = malloc((size_t)t->H * RC_CAP * FC_RC_TABLES);
    t->rcr = malloc(RC_CAP * sizeof(float));
    t->rce = malloc(RC_CAP * sizeof(float));
    t->rc_net = malloc((size_t)t->H * RC_CAP * sizeof(int32_t));
    t->net_at = malloc((size_t)T * sizeof(int32_t));
    t->mt = fc_mlp_trainer_new(t->H, MLP_CAP);
    t->m = fc_model_alloc(t->n, t->H, q, net->interval_s, p, 1);
    if (!t->clean || !t->cal || !t->imp || !t->nd || !t->nu || !t->pl || !t->feat || !t->y ||
        !t->wt || !t->res || !t->lo_ok || !t->org || !t->rcb || !t->rcr || !t->rce || !t->rc_net || !t->net_at || !t->mt || !t->m) {
        fc_trainer_free(t);
        return fc_fail(msg, cap, FC_E_NOMEM, "out of memory for training (%u sensors x %u slots)", net->n_sensors, T);
    }
    t->m->network_hash = network_hash;
    for (uint32_t i = 0; i < T; i++) fc_slot_calendar(net, first + i, &t->cal[i]);
    uint64_t observed = 0;
    for (uint32_t s = 0; s < t->n; s++) {
        float *x = t->clean + (size_t)s * T;
        uint16_t prev[FC_STUCK_RUN - 1] = {0};
        for (uint32_t i = 0; i < T; i++) {
            int np = 0;
            for (; np < FC_STUCK_RUN - 1 && (int64_t)i - 1 - np >= 0; np++)
                prev[np] = h->speed[fc_history_index(h, s, first + i - 1 - np)];
            x[i] = fc_clean_value(h->speed[fc_history_index(h, s, first + i)], prev, np);
            /* the newest slot is still open: it joins the profile when it closes */
            if (!isnan(x[i]) && i + 1 < T) {
                fc_profile_add(&t->m->prof, s, t->cal[i].daytype, t->cal[i].tod, x[i]);
                observed++;
            }
        }
    }
    if (observed < (uint64_t)t->n) {
        fc_trainer_free(t);
        return fc_fail(msg, cap, FC_E_RANGE, "too little data to train: %llu readings for %u sensors",
                    (unsigned long long)observed, net->n_sensors);
    }
    t->m->train_rows = T;
    /* subsample origins evenly when the history is long: neighbouring 5-minute origins carry
     * nearly the same information, and training time is linear in samples */
    uint32_t usable = T - FC_LAG_MAX - 1;
    t->stride_sensor = usable / p->max_samples + 1;
    uint32_t ng = p->global_sensors < t->n ? p->global_sensors : t->n;
    t->gsens = malloc((ng ? ng : 1) * sizeof(uint32_t));
    if (!t->gsens) {
        fc_trainer_free(t);
        return fc_fail(msg, cap, FC_E_NOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < ng; k++) t->gsens[k] = (uint32_t)((uint64_t)k * t->n / ng);
    t->n_gsens = ng;
    t->stride_global = usable / (p->max_samples / 2 + 1) + 1;
    /* the network keeps every net_every-th origin of the sensors' fits: the fewest skipped
     * that keep every sensor's samples within MLP_CAP */
    uint64_t per_sensor = usable / t->stride_sensor + 1;
    if (per_sensor > p->max_samples) per_sensor = p->max_samples;
    t->net_every = 1;
    while ((uint64_t)t->n * ((per_sensor + t->net_every - 1) / t->net_every) > MLP_CAP) t->net_every++;
    /* the pooled correction keeps every rc_every-th of those, spread over all sensors */
    per_sensor = (per_sensor + t->net_every - 1) / t->net_every;
    t->rc_every = (uint32_t)((per_sensor * t->n + RC_CAP - 1) / RC_CAP);
    if (t->rc_every < 1) t->rc_every = 1;
    t->phase = PHASE_GLOBAL;
    *out = t;
    return 0;
}

/* Sensors per step: small enough that a step takes tens of milliseconds on a phone. */
#define SENSORS_PER_STEP 8

double fc_trainer_step(fc_trainer *t)
{
    uint32_t global_work = t->p.irls_iters * t->n_gsens;
    /* a horizon's correction counts as a sensor, the network as a pass over the sensors */
    double total = (double)global_work + 2.0 * t->n + t->H;
    if (t->phase == PHASE_GLOBAL) {
        for (int k = 0; k < SENSORS_PER_STEP && t->cursor < t->n_gsens; k++) global_sensor(t, t->gsens[t->cursor++]);
        if (t->cursor == t->n_gsens) {
            solve_global(t);
            t->cursor = 0;
            if (++t->pass == t->p.irls_iters) t->phase = PHASE_SENSORS;
        }
        return ((double)t->pass * t->n_gsens + t->cursor) / total;
    }
    if (t->phase == PHASE_SENSORS) {
        for (int k = 0; k < SENSORS_PER_STEP && t->cursor < t->n; k++) fit_sensor(t, t->cursor++);
        double done = global_work + (double)t->cursor;
        if (t->cursor == t->n) {
            fill_missing_intervals(t);
            t->cursor = 0;
            t->phase = PHASE_NETWORK;
        }
        return done / total;
    }
    if (t->phase == PHASE_NETWORK) {
        double part = 0;
        if (fc_mlp_train_step(t->mt, t->m->mlp, &part)) {
            t->m->has_mlp = fc_model_mlp_nonzero(t->m);
            t->phase = PHASE_CORRECTION;
        }
        return (global_work + (double)t->n + part * t->n) / total;
    }
    if (t->phase == PHASE_CORRECTION) {
        rc_fit_horizon(t, t->cursor++);
        if (t->cursor == t->H) t->phase = PHASE_DONE;
        return t->phase == PHASE_DONE ? 1.0 : (global_work + 2.0 * t->n + t->cursor) / total;
    }
    return 1.0;
}

fc_model *fc_trainer_finish(fc_trainer *t)
{
    fc_model *m = t->phase == PHASE_DONE ? t->m : NULL;
    if (m) t->m = NULL;
    fc_trainer_free(t);
    return m;
}

