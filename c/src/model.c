/* model.c — features, training and forecasting of the speed model (see model.h).
 *
 * One feature function serves training and forecasting, so a feature always means the same
 * thing in both. Features are speed differences relative to the origin speed x0; the target is
 * the change x(origin + h) - x0, so an all-zero weight vector is persistence and the ridge
 * penalties shrink toward sensible forecasts rather than toward zero speed. */
#include "model.h"
#include "timeutil.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lags (slots before the origin) of the sensor's own speed used as features. (Lags 6 and 11
 * were features until the hinges below took their places: alone they were worth < 0.1 point.) */
#define N_LAGS 3
static const int k_lags[N_LAGS] = {1, 2, 3};
/* Knees (mph) of the hinge features: the response to "the profile says the speed will drop" is
 * not the mirror image of the response to a rise (a queue forms faster and deeper than the
 * average of past days suggests, and recovers on its own schedule). Chosen on the inner split
 * of the Los-loop training rows (PERFORMANCE.md, change 11). */
#define KNEE_TO_PROFILE 1.5f
#define KNEE_PROFILE_DROP 8.0f
/* The "profile dropping" regime: the profile at the target at least this far (mph) below the
 * profile at the origin (inner split, as the knees). */
#define REGIME_DROP 5.0f
/* The pull toward the pooled weights is lambda_sensor times the sensor's (Huber-weighted)
 * sample count plus this many samples' worth: a regime seen only a few dozen times at a
 * sensor (queues are rare) must not get 16 weights of its own from them. */
#define PRIOR_SAMPLES 100.0
/* Below this share of the profile speed the origin counts as congested: queues behave
 * differently from free flow, so the congestion features switch on. */
#define CONGESTED_SHARE 0.8f
/* Speeds under this (mph) add a "how deep in the queue" feature. */
#define DEEP_QUEUE_MPH 50.0f
/* Interval widening when the origin reading was carried forward / taken from the profile. */
static const float k_widen[3] = {1.0f, 1.5f, 2.0f};

void fc_train_options_default_impl(fc_train_options *p)
{
    p->horizons = 12;
    p->smooth_slots = 4;
    p->profile_prior = 3.0f;
    p->huber_mph = 0.5f;
    p->lambda_global = 1.0f;
    p->lambda_sensor = 0.4f;
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

/* ---- the feature function ---- */

typedef struct feat_in {
    float x0;              /* origin speed (observed or imputed) */
    float lag[N_LAGS];     /* imputed speeds at k_lags */
    float nd0, nd1, nd3;   /* downstream neighbour mean at origin, origin-1, origin-3 (NaN: none) */
    float nu0;             /* upstream neighbour mean at origin (NaN: none) */
    float p0, pr;          /* profile at the origin and at the target slot */
} feat_in;

static void make_features(const feat_in *in, float *f)
{
    float x0 = in->x0;
    for (int k = 0; k < N_LAGS; k++) f[k] = in->lag[k] - x0;
    float nd0 = isnan(in->nd0) ? x0 : in->nd0;
    float nd1 = isnan(in->nd1) ? nd0 : in->nd1;
    float nd3 = isnan(in->nd3) ? nd0 : in->nd3;
    f[5] = nd0 - x0;
    f[6] = nd1 - nd0;
    f[7] = nd3 - nd0;
    f[8] = (isnan(in->nu0) ? x0 : in->nu0) - x0;
    f[9] = in->pr - in->p0;
    f[10] = in->pr - x0;
    /* hinges: extra slope when the profile at the target lies well below the origin speed or
     * well below the profile at the origin */
    f[3] = f[9] < -KNEE_PROFILE_DROP ? f[9] + KNEE_PROFILE_DROP : 0.0f;
    f[4] = f[10] < -KNEE_TO_PROFILE ? f[10] + KNEE_TO_PROFILE : 0.0f;
    float cong = x0 < CONGESTED_SHARE * in->pr ? 1.0f : 0.0f;
    f[11] = cong * f[10];
    f[12] = cong * f[9];
    f[13] = x0 < DEEP_QUEUE_MPH ? DEEP_QUEUE_MPH - x0 : 0.0f;
    f[14] = cong * f[5];
    f[15] = 1.0f;
}

static int regime_of(const feat_in *in)
{
    return in->pr < in->p0 - REGIME_DROP;
}

static float dot(const float *w, const float *f)
{
    float s = 0;
    for (int k = 0; k < FC_NF; k++) s += w[k] * f[k];
    return s;
}

/* ---- small dense algebra ---- */

/* Solves (G + diag(ridge)) x = b for symmetric positive definite G (upper triangle used) by
 * Cholesky, in double. A failed factorisation retries with more ridge. */
static void solve_spd(const double *G, const double *ridge, const double *b, double *x)
{
    double L[FC_NF * FC_NF];
    double extra = 0;
    for (int attempt = 0; attempt < 8; attempt++, extra = extra ? extra * 100 : 1e-6) {
        int ok = 1;
        for (int i = 0; i < FC_NF && ok; i++) {
            for (int j = 0; j <= i; j++) {
                double s = G[j * FC_NF + i]; /* upper triangle: row j <= col i */
                if (i == j) s += ridge[i] + extra;
                for (int k = 0; k < j; k++) s -= L[i * FC_NF + k] * L[j * FC_NF + k];
                if (i == j) {
                    if (!(s > 0)) {
                        ok = 0;
                        break;
                    }
                    L[i * FC_NF + i] = sqrt(s);
                } else {
                    L[i * FC_NF + j] = s / L[j * FC_NF + j];
                }
            }
        }
        if (!ok) continue;
        double y[FC_NF];
        for (int i = 0; i < FC_NF; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= L[i * FC_NF + k] * y[k];
            y[i] = s / L[i * FC_NF + i];
        }
        for (int i = FC_NF - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < FC_NF; k++) s -= L[k * FC_NF + i] * x[k];
            x[i] = s / L[i * FC_NF + i];
        }
        return;
    }
    memset(x, 0, FC_NF * sizeof(double)); /* unreachable for finite input: fall back to persistence */
}

/* G += sum_i wt[i] f_i f_i^T, b += sum_i wt[i] f_i y_i over n samples (full matrices).
 * The inner loops run in float over fixed 16-wide rows, which compilers turn into SIMD (wasm
 * simd128, SSE natively); each chunk of 64 samples is then added into the double totals, so
 * rounding stays at float precision for 64 terms, not thousands. This is training's hot spot
 * (80% of instructions before; see PERFORMANCE.md). */
#define ACC_CHUNK 64
static void accumulate(double *G, double *b, const float *feat, const float *y, const float *wt, uint32_t n)
{
    for (uint32_t start = 0; start < n; start += ACC_CHUNK) {
        float g[FC_NF * FC_NF] = {0}, bb[FC_NF] = {0};
        uint32_t end = start + ACC_CHUNK < n ? start + ACC_CHUNK : n;
        for (uint32_t i = start; i < end; i++) {
            const float *f = feat + (size_t)i * FC_NF;
            float w = wt[i], wy = w * y[i];
            /* full rows (solve_spd reads only the upper triangle): a fixed 16-wide row
             * vectorises, a triangular one does not (measured: 1.95 s vs 3.0 s in wasm) */
            for (int r = 0; r < FC_NF; r++) {
                float wf = w * f[r];
                float *row = g + r * FC_NF;
                for (int c = 0; c < FC_NF; c++) row[c] += wf * f[c];
                bb[r] += wy * f[r];
            }
        }
        for (int k = 0; k < FC_NF * FC_NF; k++) G[k] += g[k];
        for (int k = 0; k < FC_NF; k++) b[k] += bb[k];
    }
}

static float huber_weight(float r, float delta)
{
    r = fabsf(r);
    return r <= delta ? 1.0f : delta / r;
}

/* k-th smallest of a[0..n-1] (reorders a); Wirth's selection. */
static float select_kth(float *a, size_t n, size_t k)
{
    ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (l < r) {
        float x = a[kk];
        ptrdiff_t i = l, j = r;
        do {
            while (a[i] < x) i++;
            while (x < a[j]) j--;
            if (i <= j) {
                float tmp = a[i];
                a[i] = a[j];
                a[j] = tmp;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk) l = i;
        if (kk < i) r = j;
    }
    return a[kk];
}

/* ---- model memory ---- */

/* Slots whose calendar one forecast needs: the recent window and the horizons, each widened by
 * the profile window; m->cal[k] is slot head - FC_RECENT - smooth + 1 + k. */
#define CAL_SPAN(p) ((size_t)FC_RECENT + 2 * (p)->smooth_slots + (p)->horizons + 1)
#define CAL_FIRST(m, head) ((head) - FC_RECENT - (int64_t)(m)->params.smooth_slots + 1)

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
    m->w = calloc((size_t)n * horizons * FC_REGIMES * FC_NF, sizeof(float));
    m->lo = calloc((size_t)n * horizons, sizeof(float));
    m->hi = calloc((size_t)n * horizons, sizeof(float));
    m->recent = calloc((size_t)n * FC_RECENT, sizeof(float));
    m->recent_level = calloc((size_t)n * FC_RECENT, 1);
    m->cal = calloc(CAL_SPAN(p), sizeof(fc_slot_cal));
    if (!m->cal || !m->w || !m->lo || !m->hi || !m->recent || !m->recent_level ||
        (with_profiles && fc_profile_init(&m->prof, n, q))) {
        fc_model_free(m);
        return NULL;
    }
    if (!with_profiles) { /* profiles only through tiles (engine_tiles.c): no arrays, no view yet */
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
    free(m->recent);
    free(m->recent_level);
    free(m->cal);
    fc_profile_free(&m->prof);
    free(m);
}

/* Weighted mean of the neighbours' values at column t of a row-major [n][stride] matrix. */
static float neighbour_mean(const fc_graph *g, int group, uint32_t s, const float *mat, size_t stride, size_t t)
{
    double sum = 0, wsum = 0;
    for (uint32_t a = g->start[group][s]; a < g->start[group][s + 1]; a++) {
        float v = mat[(size_t)g->idx[group][a] * stride + t];
        if (isnan(v)) continue;
        sum += g->w[group][a] * v;
        wsum += g->w[group][a];
    }
    return wsum > 0 ? (float)(sum / wsum) : NAN;
}

/* ---- training ---- */

enum { PHASE_GLOBAL, PHASE_SENSORS, PHASE_DONE };

struct fc_trainer {
    const fc_network *net;
    const fc_graph *g;
    fc_train_options p;
    uint32_t n, T, H;
    float *clean;          /* [n][T] cleaned speeds, NaN missing */
    fc_slot_cal *cal;      /* [T] */
    fc_model *m;
    /* one sensor's series, rebuilt per sensor */
    float *imp, *nd, *nu, *pl;
    /* samples of one (sensor, horizon): regime 0 from the front of the buffers, regime 1 from
     * the back (see collect) */
    float *feat, *y, *wt, *res;
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
    int since = FC_CARRY_MAX + 1;
    float last = NAN;
    for (uint32_t i = 0; i < t->T; i++) {
        if (!isnan(x[i])) {
            last = x[i];
            since = 0;
        } else {
            since++;
        }
        t->imp[i] = since <= FC_CARRY_MAX && !isnan(last) ? last : t->pl[i];
        t->nd[i] = neighbour_mean(t->g, FC_GRAPH_DOWN, s, t->clean, t->T, i);
        t->nu[i] = neighbour_mean(t->g, FC_GRAPH_UP, s, t->clean, t->T, i);
    }
}

/* Feature inputs of origin o, horizon h (in steps) for the current sensor series. */
static void sample_inputs(const fc_trainer *t, const float *x, uint32_t o, uint32_t h, feat_in *out)
{
    feat_in in;
    in.x0 = x[o];
    for (int k = 0; k < N_LAGS; k++) in.lag[k] = t->imp[o - (uint32_t)k_lags[k]];
    in.nd0 = t->nd[o];
    in.nd1 = t->nd[o - 1];
    in.nd3 = t->nd[o - 3];
    in.nu0 = t->nu[o];
    in.p0 = t->pl[o];
    in.pr = t->pl[o + h];
    *out = in;
}

/* Collects the samples of sensor s at horizon h (1-based): regime 0 into t->feat / t->y from
 * index 0 up, regime 1 from index max_samples - 1 down (so each regime's samples are
 * contiguous and the buffers need no more room); counts in t->nreg. Returns the total. */
static uint32_t collect(fc_trainer *t, uint32_t s, uint32_t h, uint32_t stride)
{
    const float *x = t->clean + (size_t)s * t->T;
    uint32_t n = 0, S = t->p.max_samples;
    t->nreg[0] = t->nreg[1] = 0;
    for (uint32_t o = FC_LAG_MAX; o + h < t->T && n < S; o += stride) {
        if (isnan(x[o]) || isnan(x[o + h])) continue;
        feat_in in;
        sample_inputs(t, x, o, h, &in);
        int r = regime_of(&in);
        uint32_t at = r ? S - 1 - t->nreg[1] : t->nreg[0];
        make_features(&in, t->feat + (size_t)at * FC_NF);
        t->y[at] = x[o + h] - x[o];
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
    for (int k = 0; k < FC_NF; k++) ridge[k] = k == FC_NF - 1 ? 1e-6 : t->p.lambda_global;
    for (uint32_t h = 0; h < t->H; h++) {
        for (int r = 0; r < FC_REGIMES; r++) solve_spd(t->Gg[h][r], ridge, t->bg[h][r], t->wg[h][r]);
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
                t->wt[i] = t->pass == 0 ? 1.0f : huber_weight(t->y[i] - dot(w, t->feat + (size_t)i * FC_NF), t->p.huber_mph);
            accumulate(t->Gg[h - 1][r], t->bg[h - 1][r], t->feat + (size_t)base * FC_NF, t->y + base, t->wt + base, n);
            t->ng[h - 1][r] += n;
        }
    }
}

/* Sensor s's own weights, pulled toward the global ones, and its residual quantiles. */
static void fit_sensor(fc_trainer *t, uint32_t s)
{
    build_series(t, s);
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
                    wt[i] = huber_weight(yr[i] - dot(w, feat + (size_t)i * FC_NF), t->p.huber_mph);
                    wsum += wt[i];
                }
                accumulate(G, b, feat, yr, wt, nr);
                double lambda = t->p.lambda_sensor * (wsum > 1 ? wsum : 1) + PRIOR_SAMPLES, ridge[FC_NF], rhs[FC_NF];
                for (int k = 0; k < FC_NF; k++) {
                    ridge[k] = lambda;
                    rhs[k] = b[k] + lambda * prior[k];
                }
                solve_spd(G, ridge, rhs, wd);
            }
            float *out = m->w + ((size_t)r * t->n * t->H + at) * FC_NF;
            for (int k = 0; k < FC_NF; k++) out[k] = (float)wd[k];
            /* residuals of both regimes, packed from index 0 */
            uint32_t off = r ? t->nreg[0] : 0;
            for (uint32_t i = 0; i < nr; i++) t->res[off + i] = yr[i] - dot(out, feat + (size_t)i * FC_NF);
        }
        /* the interval: residual quantiles of this sensor at this horizon */
        if (n >= 30) {
            m->lo[at] = select_kth(t->res, n, n / 10);
            m->hi[at] = select_kth(t->res, n, n - 1 - n / 10);
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
        float lo = k ? select_kth(t->res, k, k / 2) : -5.0f * sqrtf((float)(h + 1));
        k = 0;
        for (uint32_t s = 0; s < t->n; s++)
            if (t->lo_ok[s]) t->res[k++] = m->hi[(size_t)s * t->H + h];
        float hi = k ? select_kth(t->res, k, k / 2) : 5.0f * sqrtf((float)(h + 1));
        for (uint32_t s = 0; s < t->n; s++) {
            if (t->lo_ok[s]) continue;
            m->lo[(size_t)s * t->H + h] = lo;
            m->hi[(size_t)s * t->H + h] = hi;
        }
    }
}

static int fail(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return -1;
}

int fc_trainer_create(const fc_network *net, const fc_graph *g, const fc_history *h,
                      const fc_train_options *p, uint64_t network_hash, fc_trainer **out,
                      char *msg, size_t cap)
{
    if (p->horizons < 1 || p->horizons > FC_MAX_H) return fail(msg, cap, "horizons must be in [1, %d]", FC_MAX_H);
    if (h->head == INT64_MIN) return fail(msg, cap, "no history to train on: ingest data first");
    /* the history actually recorded: from the oldest slot still kept to the newest */
    int64_t first = h->head - (int64_t)h->cap + 1;
    if (h->first > first) first = h->first;
    uint32_t T = (uint32_t)(h->head - first + 1);
    if (T < FC_LAG_MAX + p->horizons + 2)
        return fail(msg, cap, "history of %u slots is too short for %u horizons", T, p->horizons);
    fc_trainer *t = calloc(1, sizeof *t);
    if (!t) return fail(msg, cap, "out of memory");
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
    t->m = fc_model_alloc(t->n, t->H, q, net->interval_s, p, 1);
    if (!t->clean || !t->cal || !t->imp || !t->nd || !t->nu || !t->pl || !t->feat || !t->y ||
        !t->wt || !t->res || !t->lo_ok || !t->m) {
        fc_trainer_free(t);
        return fail(msg, cap, "out of memory for training (%u sensors x %u slots)", net->n_sensors, T);
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
        return fail(msg, cap, "too little data to train: %llu readings for %u sensors",
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
        return fail(msg, cap, "out of memory");
    }
    for (uint32_t k = 0; k < ng; k++) t->gsens[k] = (uint32_t)((uint64_t)k * t->n / ng);
    t->n_gsens = ng;
    t->stride_global = usable / (p->max_samples / 2 + 1) + 1;
    t->phase = PHASE_GLOBAL;
    *out = t;
    return 0;
}

/* Sensors per step: small enough that a step takes tens of milliseconds on a phone. */
#define SENSORS_PER_STEP 8

double fc_trainer_step(fc_trainer *t)
{
    uint32_t global_work = t->p.irls_iters * t->n_gsens;
    double total = (double)global_work + t->n;
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
        if (t->cursor == t->n) {
            fill_missing_intervals(t);
            t->phase = PHASE_DONE;
        }
        return t->phase == PHASE_DONE ? 1.0 : (global_work + (double)t->cursor) / total;
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

/* ---- forecasting ---- */

/* Profile at `slot` for sensor s, leaving out the closed slots of the same local day inside
 * the window (they are in the profile sums; training left a slot's own day out too). */
static float online_profile(const fc_model *m, uint32_t s, int64_t slot, int64_t head, const float *recent)
{
    int64_t base = CAL_FIRST(m, head);
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
    for (size_t k = 0; k < CAL_SPAN(&m->params); k++) fc_slot_calendar(net, CAL_FIRST(m, head) + (int64_t)k, &m->cal[k]);
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
    for (size_t k = 0; k < CAL_SPAN(&m->params); k++) mask |= 1u << m->cal[k].daytype;
    return mask;
}

void fc_model_forecast_sensors(fc_model *m, const fc_graph *g, const fc_history *h, const uint32_t *sensors,
                               uint32_t count, float *mid, float *lo, float *hi, uint8_t *imputed)
{
    const int R = FC_RECENT;
    const int64_t head = h->head;
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
        feat_in in;
        in.x0 = imp[R - 1];
        for (int k = 0; k < N_LAGS; k++) in.lag[k] = imp[R - 1 - k_lags[k]];
        in.nd0 = neighbour_mean(g, FC_GRAPH_DOWN, s, m->recent, R, R - 1);
        in.nd1 = neighbour_mean(g, FC_GRAPH_DOWN, s, m->recent, R, R - 2);
        in.nd3 = neighbour_mean(g, FC_GRAPH_DOWN, s, m->recent, R, R - 4);
        in.nu0 = neighbour_mean(g, FC_GRAPH_UP, s, m->recent, R, R - 1);
        in.p0 = online_profile(m, s, head, head, r);
        float widen = k_widen[level[R - 1]];
        if (imputed) imputed[s] = level[R - 1];
        for (uint32_t hz = 1; hz <= m->horizons; hz++) {
            in.pr = online_profile(m, s, head + hz, head, r);
            float f[FC_NF];
            make_features(&in, f);
            size_t at = (size_t)s * m->horizons + (hz - 1);
            float c = in.x0 + dot(m->w + ((size_t)regime_of(&in) * m->n * m->horizons + at) * FC_NF, f);
            c = c < 0 ? 0 : c > 120 ? 120 : c;
            if (mid) mid[at] = c;
            if (lo) {
                float v = c + widen * m->lo[at];
                lo[at] = v < 0 ? 0 : v > c ? c : v;
            }
            if (hi) {
                float v = c + widen * m->hi[at];
                hi[at] = v > 120 ? 120 : v < c ? c : v;
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
