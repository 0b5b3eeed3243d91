/* test_model_mlp.c — the shared network's training (c/src/model_mlp.h) on a structure a linear
 * model cannot fit: the target is +x1 when x0 > 0 and -x1 otherwise (an interaction), for every
 * horizon. The trained network must fit it far better than the best constant (a linear model's
 * best here is about as poor: the target is uncorrelated with every input), be the same network
 * when trained twice, and leave of each target what its forward pass does not explain. */
#include <math.h>
#include <stdlib.h>
#include "model_mlp.h"
#include "test.h"

#define H 12
#define N 20000

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}
static float uniform(uint32_t *s, float lo, float hi) { return lo + (hi - lo) * (float)lcg(s) / 16777216.0f; }

static float target(const float *x, int h) { return (x[0] > 0 ? x[1] : -x[1]) * (1.0f + 0.05f * (float)h); }

static fc_mlp_trainer *filled(uint32_t seed, float *params)
{
    fc_mlp_trainer *t = fc_mlp_trainer_new(H, N);
    CHECK(t != NULL);
    if (!t) return NULL;
    uint32_t s = seed;
    for (int k = 0; k < N; k++) {
        float x[FC_MLP_IN];
        for (int i = 0; i < FC_MLP_IN; i++) x[i] = uniform(&s, -10, 10);
        int32_t at = fc_mlp_add(t, x);
        CHECK_EQ_INT(at, k);
        for (int h = 0; h < H; h++)
            if (k % 7 != h % 7) fc_mlp_target(t, at, (uint32_t)h, target(x, h)); /* some targets missing */
    }
    CHECK_EQ_INT(fc_mlp_add(t, (float[FC_MLP_IN]){0}), -1); /* full */
    double progress = 0, last = -1;
    int steps = 0;
    while (!fc_mlp_train_step(t, params, &progress)) {
        CHECK(progress >= last && progress < 1);
        last = progress;
        steps++;
    }
    CHECK(steps > 1); /* bounded steps, with progress */
    return t;
}

void test_mlp_learns_interaction(void);
void test_mlp_learns_interaction(void)
{
    size_t np = fc_mlp_params(H);
    float *a = calloc(np, sizeof(float)), *b = calloc(np, sizeof(float));
    fc_mlp_trainer *ta = filled(7, a), *tb = filled(7, b);
    if (!ta || !tb || !a || !b) goto out;
    CHECK(memcmp(a, b, np * sizeof(float)) == 0); /* deterministic */
    /* fresh samples: the network against the best constant (0, the target's median) */
    uint32_t s = 99;
    double err = 0, base = 0;
    for (int k = 0; k < 2000; k++) {
        float x[FC_MLP_IN], out[H];
        for (int i = 0; i < FC_MLP_IN; i++) x[i] = uniform(&s, -10, 10);
        fc_mlp_forward(a, H, x, out);
        for (int h = 0; h < H; h++) {
            CHECK(isfinite(out[h]));
            err += fabsf(out[h] - target(x, h));
            base += fabsf(target(x, h));
        }
    }
    printf("#   interaction: network MAE %.3f, constant %.3f\n", err / 24000, base / 24000);
    CHECK(err < 0.6 * base); /* measured 0.52: two passes over 20,000 samples */
    /* what it leaves of a training target is the target minus the forward pass (1/128 steps) */
    s = 7;
    for (int k = 0; k < 50; k++) {
        float x[FC_MLP_IN], out[H];
        for (int i = 0; i < FC_MLP_IN; i++) x[i] = uniform(&s, -10, 10);
        for (int i = 0; i < FC_MLP_IN; i++) x[i] = nearbyintf(x[i] * 128) / 128; /* as stored */
        fc_mlp_forward(a, H, x, out);
        for (int h = 0; h < H; h++) {
            float left = fc_mlp_left(ta, k, (uint32_t)h);
            if (k % 7 == h % 7) CHECK(isnan(left));
            else CHECK(fabsf(left - (nearbyintf(target(x, h) * 128) / 128 - out[h])) < 0.02f);
        }
    }
out:
    fc_mlp_trainer_free(ta);
    fc_mlp_trainer_free(tb);
    free(a);
    free(b);
}

/* With fewer samples than it learns from, the network stays all zeros: no correction. */
void test_mlp_too_few_samples(void);
void test_mlp_too_few_samples(void)
{
    fc_mlp_trainer *t = fc_mlp_trainer_new(H, 100);
    float p[604];
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) p[i] = 1;
    CHECK(t != NULL && fc_mlp_params(H) == 604);
    if (!t) return;
    for (int k = 0; k < 100; k++) {
        int32_t at = fc_mlp_add(t, (float[FC_MLP_IN]){(float)k});
        fc_mlp_target(t, at, 0, 1.0f);
    }
    double progress = 0;
    CHECK(fc_mlp_train_step(t, p, &progress) == 1 && progress == 1);
    int zeros = 1;
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) zeros &= p[i] == 0;
    CHECK(zeros);
    fc_mlp_trainer_free(t);
}

/* The slots the inputs read before the origin are ones a forecast fills: the lags and the
 * profile within FC_MLP_BACK (the recent window holds them), the downstream means among
 * fc_down_back's (fc_model_forecast_sensors computes only those). */
void test_mlp_input_slots(void);
void test_mlp_input_slots(void)
{
    for (int l = 0; l < FC_MLP_LAGS; l++) CHECK(fc_mlp_lag_back[l] >= 1 && fc_mlp_lag_back[l] <= FC_MLP_BACK);
    for (int l = 0; l < FC_MLP_PROF_BACK; l++) CHECK(fc_mlp_prof_back[l] >= 1 && fc_mlp_prof_back[l] <= FC_MLP_BACK);
    for (int l = 0; l < FC_MLP_DOWN_BACK; l++) {
        int found = 0;
        for (int k = 0; k < FC_N_DOWN; k++) found |= fc_down_back[k] == fc_mlp_down_back[l];
        CHECK(found);
    }
    CHECK(FC_MLP_IN == FC_MLP_LAGS + 2 + 1 + 4 + 4 + 1 + FC_MLP_PROF_BACK + FC_MLP_DOWN_BACK);
    CHECK(FC_MLP_IN_V5 == FC_MLP_IN - FC_MLP_PROF_BACK - FC_MLP_DOWN_BACK); /* format 5: the first 19 */
}
