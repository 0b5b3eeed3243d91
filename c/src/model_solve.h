/* model_solve.h — the small dense algebra of the model's Huber IRLS fits: normal equations
 * accumulated over a sample buffer, a Cholesky solve with a ridge, the Huber weight, and
 * selection for the residual quantiles. Knows nothing of sensors or slots. */
#ifndef FC_MODEL_SOLVE_H
#define FC_MODEL_SOLVE_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "model_features.h"

/* Solves (G + diag(ridge)) x = b for a symmetric positive definite FC_NF x FC_NF matrix G (upper
 * triangle used), in double. A failed factorisation retries with more ridge. */
void fc_solve_spd(const double *G, const double *ridge, const double *b, double *x);

/* G += sum_i wt[i] f_i f_i^T and b += sum_i wt[i] f_i y_i over n samples whose features are
 * feat[i * FC_NF ..]; G is full (FC_NF x FC_NF). */
void fc_accumulate_normal(double *G, double *b, const float *feat, const float *y, const float *wt, uint32_t n);

/* The IRLS weight of residual r under a Huber loss with threshold delta. */
static inline float fc_huber_weight(float r, float delta)
{
    r = fabsf(r);
    return r <= delta ? 1.0f : delta / r;
}

/* k-th smallest of a[0..n-1] (reorders a). */
float fc_select_kth(float *a, size_t n, size_t k);

#endif
