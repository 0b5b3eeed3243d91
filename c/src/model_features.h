/* model_features.h — the model's features, in one table, and the one place that fills them.
 *
 * A feature means the same thing in training and forecasting because both go through the same
 * two steps: fc_feature_origin / fc_feature_target read the inputs (fc_feat_in) out of a
 * sensor's series (fc_feature_series, one value per slot), and fc_features_make turns the
 * inputs into the feature vector. Training's series cover the whole history; a forecast's cover
 * the recent window followed by the horizons. Features are speed differences relative to the
 * origin speed x0 and the target is the change x(origin + h) - x0, so an all-zero weight vector
 * is persistence and the ridge penalties shrink toward sensible forecasts, not toward 0 mph.
 *
 * Adding a feature: a line in enum fc_feature, its formula in fc_features_make (and, if it reads
 * a new input, a field in fc_feat_in filled by fc_feature_origin / fc_feature_target), then the
 * model file's FORMAT_VERSION in model_io.c (the count is in the file's header). The static
 * assertion below stops a build that changes the count without looking at those. */
#ifndef FC_MODEL_FEATURES_H
#define FC_MODEL_FEATURES_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "graph.h"

/* Knees (mph) of the hinge features: the response to "the profile says the speed will drop" is
 * not the mirror image of the response to a rise (a queue forms faster and deeper than the
 * average of past days suggests, and recovers on its own schedule). Chosen on the inner split
 * of the Los-loop training rows (PERFORMANCE.md, change 11). */
#define FC_KNEE_TO_PROFILE 1.5f
#define FC_KNEE_PROFILE_DROP 8.0f
/* The "profile dropping" regime: the profile at the target at least this far (mph) below the
 * profile at the origin (inner split, as the knees). */
#define FC_REGIME_DROP 5.0f
/* Below this share of the profile speed the origin counts as congested: queues behave
 * differently from free flow, so the congestion features switch on. */
#define FC_CONGESTED_SHARE 0.8f
/* Speeds under this (mph) add a "how deep in the queue" feature. */
#define FC_DEEP_QUEUE_MPH 50.0f

/* The features, in the order of the weights in memory and in model files. "Congested": the
 * origin speed is below FC_CONGESTED_SHARE of the profile at the target. */
enum fc_feature {
    FC_F_LAG1,                /* own speed 1 slot before the origin, minus x0 */
    FC_F_LAG2,                /* own speed 2 slots before, minus x0 */
    FC_F_LAG3,                /* own speed 3 slots before, minus x0 (lags 6 and 11 were worth
                               * < 0.1 point once the hinges took their places) */
    FC_F_HINGE_PROFILE_DROP,  /* PROFILE_CHANGE beyond a drop of FC_KNEE_PROFILE_DROP, else 0 */
    FC_F_HINGE_TO_PROFILE,    /* TO_PROFILE beyond a drop of FC_KNEE_TO_PROFILE, else 0 */
    FC_F_DOWN,                /* downstream neighbours' mean at the origin, minus x0 */
    FC_F_DOWN_TREND1,         /* downstream mean 1 slot before the origin minus at the origin */
    FC_F_DOWN_TREND3,         /* downstream mean 3 slots before the origin minus at the origin */
    FC_F_UP,                  /* upstream neighbours' mean at the origin, minus x0 */
    FC_F_PROFILE_CHANGE,      /* profile at the target minus profile at the origin */
    FC_F_TO_PROFILE,          /* profile at the target minus x0 */
    FC_F_CONG_TO_PROFILE,     /* TO_PROFILE when congested, else 0 */
    FC_F_CONG_PROFILE_CHANGE, /* PROFILE_CHANGE when congested, else 0 */
    FC_F_QUEUE_DEPTH,         /* FC_DEEP_QUEUE_MPH - x0 below FC_DEEP_QUEUE_MPH, else 0 */
    FC_F_CONG_DOWN,           /* DOWN when congested, else 0 */
    FC_F_BIAS,                /* 1: the constant term (the only weight without a ridge) */
    FC_NF                     /* features per (sensor, horizon, regime) model */
};
/* 16: the model file's header records it (model_io.c, FORMAT_VERSION 2), and accumulate()'s
 * fixed 16-wide rows are what the compilers vectorise (model_solve.c). */
_Static_assert(FC_NF == 16, "a feature added or removed: bump FORMAT_VERSION in model_io.c");

/* Slots before the origin each series input is read at (index k of fc_feat_in's arrays). */
#define FC_N_LAGS 3
#define FC_N_DOWN 3
#define FC_N_UP 1
static const int fc_lag_back[FC_N_LAGS] = {1, 2, 3};
static const int fc_down_back[FC_N_DOWN] = {0, 1, 3};
static const int fc_up_back[FC_N_UP] = {0};
_Static_assert(FC_F_LAG3 - FC_F_LAG1 + 1 == FC_N_LAGS, "one lag feature per lag");
/* The deepest slot read before an origin: training's first origin and the recent window a
 * forecast keeps (FC_LAG_MAX, model.h) must reach back at least this far. */
#define FC_FEATURE_BACK 3

/* The inputs of one (origin, horizon) sample. */
typedef struct fc_feat_in {
    float x0;               /* origin speed (observed or imputed) */
    float lag[FC_N_LAGS];   /* own imputed speed fc_lag_back[k] slots before the origin */
    float down[FC_N_DOWN];  /* downstream mean fc_down_back[k] slots before (NaN: none) */
    float up[FC_N_UP];      /* upstream mean fc_up_back[k] slots before (NaN: none) */
    float p0, pr;           /* profile at the origin and at the target slot */
} fc_feat_in;

/* One sensor's series, indexed by slot. Only the slots fc_feature_origin / fc_feature_target
 * read need values (a forecast computes the neighbour means at those alone). */
typedef struct fc_feature_series {
    const float *speed;     /* cleaned speed, gaps imputed (carried forward, else the profile) */
    const float *down, *up; /* weighted mean of the downstream / upstream neighbours' cleaned
                             * speeds (fc_neighbour_mean; NaN where none has a value) */
    const float *profile;   /* time-of-day profile, the slot's own local day left out */
} fc_feature_series;

/* The inputs at origin o that every horizon shares. */
static inline void fc_feature_origin(const fc_feature_series *s, size_t o, fc_feat_in *in)
{
    in->x0 = s->speed[o];
    for (int k = 0; k < FC_N_LAGS; k++) in->lag[k] = s->speed[o - (size_t)fc_lag_back[k]];
    for (int k = 0; k < FC_N_DOWN; k++) in->down[k] = s->down[o - (size_t)fc_down_back[k]];
    for (int k = 0; k < FC_N_UP; k++) in->up[k] = s->up[o - (size_t)fc_up_back[k]];
    in->p0 = s->profile[o];
}

/* The input of the target h slots after origin o. */
static inline void fc_feature_target(const fc_feature_series *s, size_t o, uint32_t h, fc_feat_in *in)
{
    in->pr = s->profile[o + h];
}

/* The one rule for a missing neighbour mean (NaN: no neighbour has a value), which the
 * features, the pooled correction's bins and the network's inputs share: it stands in as "no
 * difference". At the origin the sensor's own speed stands in (fc_neighbour_now); earlier, the
 * neighbours' mean at the origin as filled by that rule (fc_neighbour_then): no trend. */
static inline float fc_neighbour_now(float mean, float x0) { return isnan(mean) ? x0 : mean; }
static inline float fc_neighbour_then(float mean, float now) { return isnan(mean) ? now : mean; }

/* The feature vector f[FC_NF] of a sample. */
static inline void fc_features_make(const fc_feat_in *in, float *f)
{
    float x0 = in->x0;
    for (int k = 0; k < FC_N_LAGS; k++) f[FC_F_LAG1 + k] = in->lag[k] - x0;
    float nd0 = fc_neighbour_now(in->down[0], x0);
    float nd1 = fc_neighbour_then(in->down[1], nd0);
    float nd3 = fc_neighbour_then(in->down[2], nd0);
    float change = in->pr - in->p0, to_profile = in->pr - x0;
    f[FC_F_DOWN] = nd0 - x0;
    f[FC_F_DOWN_TREND1] = nd1 - nd0;
    f[FC_F_DOWN_TREND3] = nd3 - nd0;
    f[FC_F_UP] = fc_neighbour_now(in->up[0], x0) - x0;
    f[FC_F_PROFILE_CHANGE] = change;
    f[FC_F_TO_PROFILE] = to_profile;
    /* hinges: extra slope when the profile at the target lies well below the origin speed or
     * well below the profile at the origin */
    f[FC_F_HINGE_PROFILE_DROP] = change < -FC_KNEE_PROFILE_DROP ? change + FC_KNEE_PROFILE_DROP : 0.0f;
    f[FC_F_HINGE_TO_PROFILE] = to_profile < -FC_KNEE_TO_PROFILE ? to_profile + FC_KNEE_TO_PROFILE : 0.0f;
    float cong = x0 < FC_CONGESTED_SHARE * in->pr ? 1.0f : 0.0f;
    f[FC_F_CONG_TO_PROFILE] = cong * to_profile;
    f[FC_F_CONG_PROFILE_CHANGE] = cong * change;
    f[FC_F_QUEUE_DEPTH] = x0 < FC_DEEP_QUEUE_MPH ? FC_DEEP_QUEUE_MPH - x0 : 0.0f;
    f[FC_F_CONG_DOWN] = cong * f[FC_F_DOWN];
    f[FC_F_BIAS] = 1.0f;
}

/* The weight set a sample uses: 1 when the profile drops markedly from origin to target. */
static inline int fc_features_regime(const fc_feat_in *in)
{
    return in->pr < in->p0 - FC_REGIME_DROP;
}

static inline float fc_features_dot(const float *w, const float *f)
{
    float s = 0;
    for (int k = 0; k < FC_NF; k++) s += w[k] * f[k];
    return s;
}

/* Weighted mean of sensor s's neighbours (group FC_GRAPH_DOWN or FC_GRAPH_UP) at column t of a
 * row-major [n][stride] matrix of cleaned speeds; NaN when none has a value there. */
float fc_neighbour_mean(const fc_graph *g, int group, uint32_t s, const float *mat, size_t stride, size_t t);

#endif
