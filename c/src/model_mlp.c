/* model_mlp.c — the shared network (model_mlp.h): its inputs, its forward pass, its training. */
#include "model_mlp.h"
#include "once_loop.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Training settings, chosen on the inner split of the Los-loop training rows (PERFORMANCE.md
 * §34): two passes over the samples were as good as four, 16 hidden units within 0.3% of 32
 * and 64 at half the cost; the Huber knee is in units of each horizon's mean absolute residual
 * (the loss is then close to the absolute error MAE scores). */
#define EPOCHS 2
#define MIN_STEPS 2000u       /* a small network's samples get more passes, up to MAX_EPOCHS: */
#define MAX_EPOCHS 16u        /* 2 passes over 30,000 samples are 470 steps, too few to learn */
#define BATCH 128
#define LEARNING_RATE 2e-3f
#define LAST_EPOCH_RATE 0.3f  /* the last pass at 30% of the rate: settles the weights */
#define HUBER_KNEE 0.3f
#define MIN_SAMPLES 2000u     /* fewer: no network (a few sensors for a day or two) */
#define STEP_SAMPLES 16384u   /* samples per training step (tens of milliseconds) */
#define SEED 12345u
#define FIX 128.0f            /* stored samples: 1/128 mph */
#define NO_TARGET INT16_MIN

static int16_t fix16(float v)
{
    float q = nearbyintf(v * FIX);
    return q > 32767.0f ? 32767 : q < -32767.0f ? -32767 : (int16_t)q;
}

/* A triangle wave of period 1 in [-1, 1]: 1 at phase 0, -1 at 0.5. */
static float tri(float phase)
{
    float f = phase - (float)(int)phase; /* phase >= 0 */
    return f < 0.5f ? 1.0f - 4.0f * f : 4.0f * f - 3.0f;
}

void fc_mlp_inputs(const fc_feature_series *s, size_t o, uint32_t horizons, uint32_t minute, int daytype,
                   float x[FC_MLP_IN])
{
    float x0 = s->speed[o];
    int k = 0;
    FC_ONCE_LOOP
    for (int l = 0; l < FC_MLP_LAGS; l++) x[k++] = s->speed[o - (size_t)fc_mlp_lag_back[l]] - x0;
    float nd0 = fc_neighbour_now(s->down[o], x0);
    x[k++] = nd0 - x0;
    x[k++] = fc_neighbour_now(s->up[o], x0) - x0;
    x[k++] = s->profile[o] - x0;
    FC_ONCE_LOOP
    for (int a = 1; a <= 4; a++) x[k++] = s->profile[o + fc_mlp_ahead(horizons, a)] - x0;
    float day = (float)(minute % 1440u) / 1440.0f;
    x[k++] = tri(day);
    x[k++] = tri(day + 0.25f);
    x[k++] = tri(2.0f * day);
    x[k++] = tri(2.0f * day + 0.25f);
    x[k++] = (float)daytype;
    FC_ONCE_LOOP
    for (int l = 0; l < FC_MLP_PROF_BACK; l++) x[k++] = s->profile[o - (size_t)fc_mlp_prof_back[l]] - x0;
    FC_ONCE_LOOP
    for (int l = 0; l < FC_MLP_DOWN_BACK; l++) x[k++] = fc_neighbour_then(s->down[o - (size_t)fc_mlp_down_back[l]], nd0) - x0;
}

/* The layout of a parameter array (model_mlp.h). */
#define W1(p) (p)
#define B1(p) ((p) + FC_MLP_IN * FC_MLP_HID)
#define W2(p) ((p) + FC_MLP_IN * FC_MLP_HID + FC_MLP_HID)
#define B2(p, H) (W2(p) + (size_t)(H) * FC_MLP_HID)

/* The hidden layer: fixed-width rows, which compilers vectorise (wasm simd128, SSE). */
__attribute__((noinline)) static void hidden(const float *p, const float *x, float *a)
{
    float h[FC_MLP_HID];
    memcpy(h, B1(p), sizeof h);
    for (int i = 0; i < FC_MLP_IN; i++) {
        const float *w = W1(p) + i * FC_MLP_HID;
        for (int j = 0; j < FC_MLP_HID; j++) h[j] += x[i] * w[j];
    }
    for (int j = 0; j < FC_MLP_HID; j++) a[j] = h[j] > 0 ? h[j] : 0;
}

/* Four horizons at a time in a fixed-width block (one SIMD vector), the rest one by one. */
__attribute__((noinline)) static void output(const float *p, uint32_t H, const float *a, float *out)
{
    const float *w2 = W2(p), *b2 = B2(p, H);
    uint32_t k = 0;
    for (; k + 4 <= H; k += 4) {
        float o[4] = {b2[k], b2[k + 1], b2[k + 2], b2[k + 3]};
        for (int j = 0; j < FC_MLP_HID; j++)
            for (int c = 0; c < 4; c++) o[c] += a[j] * w2[(size_t)j * H + k + c];
        memcpy(out + k, o, sizeof o);
    }
    for (; k < H; k++) {
        float o = b2[k];
        for (int j = 0; j < FC_MLP_HID; j++) o += a[j] * w2[(size_t)j * H + k];
        out[k] = o;
    }
}

void fc_mlp_forward(const float *params, uint32_t horizons, const float x[FC_MLP_IN], float *out)
{
    float a[FC_MLP_HID];
    hidden(params, x, a);
    output(params, horizons, a, out);
}

/* ---- training ---- */

struct fc_mlp_trainer {
    uint32_t H, cap, n;
    int16_t *x, *y;           /* [cap][FC_MLP_IN], [cap][H] */
    /* training state, set up by the first step */
    int started, done;
    uint32_t epoch, epochs, cursor, *perm, rng;
    size_t np;
    float *p, *m, *v, *g;     /* parameters in normalised units, Adam's moments, a batch's gradient */
    float *w2t;               /* [H][FC_MLP_HID]: W2 transposed, for the backward pass's rows */
    float mu[FC_MLP_IN], sd[FC_MLP_IN], ysc[24];
    float beta1t, beta2t;     /* beta^t of the bias corrections (products: no powf) */
};

fc_mlp_trainer *fc_mlp_trainer_new(uint32_t horizons, uint32_t cap)
{
    if (horizons < 1 || horizons > 24) return NULL;
    fc_mlp_trainer *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->H = horizons;
    t->cap = cap;
    t->x = malloc((size_t)(cap ? cap : 1) * FC_MLP_IN * sizeof(int16_t));
    t->y = malloc((size_t)(cap ? cap : 1) * horizons * sizeof(int16_t));
    if (!t->x || !t->y) {
        fc_mlp_trainer_free(t);
        return NULL;
    }
    return t;
}

void fc_mlp_trainer_free(fc_mlp_trainer *t)
{
    if (!t) return;
    free(t->x); free(t->y); free(t->perm); free(t->p); free(t->m); free(t->v); free(t->g); free(t->w2t);
    free(t);
}

uint32_t fc_mlp_count(const fc_mlp_trainer *t) { return t->n; }

int32_t fc_mlp_add(fc_mlp_trainer *t, const float x[FC_MLP_IN])
{
    if (t->n >= t->cap) return -1;
    int16_t *row = t->x + (size_t)t->n * FC_MLP_IN;
    FC_ONCE_LOOP
    for (int i = 0; i < FC_MLP_IN; i++) row[i] = fix16(x[i]);
    int16_t *y = t->y + (size_t)t->n * t->H;
    FC_ONCE_LOOP
    for (uint32_t h = 0; h < t->H; h++) y[h] = NO_TARGET;
    return (int32_t)t->n++;
}

void fc_mlp_target(fc_mlp_trainer *t, int32_t i, uint32_t h, float r)
{
    if (i >= 0 && (uint32_t)i < t->n && h < t->H) t->y[(size_t)i * t->H + h] = fix16(r);
}

float fc_mlp_left(const fc_mlp_trainer *t, int32_t i, uint32_t h)
{
    int16_t v = t->y[(size_t)i * t->H + h];
    return v == NO_TARGET ? NAN : (float)v / FIX;
}

static uint32_t next(uint32_t *rng)
{
    *rng = *rng * 1664525u + 1013904223u;
    return *rng;
}
static float unit(uint32_t *rng) { return (float)(next(rng) >> 8) / 16777216.0f; }

__attribute__((noinline)) static void shuffle(fc_mlp_trainer *t)
{
    FC_ONCE_LOOP
    for (uint32_t i = t->n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(((uint64_t)next(&t->rng) * (i + 1)) >> 32);
        uint32_t s = t->perm[i];
        t->perm[i] = t->perm[j];
        t->perm[j] = s;
    }
}

/* Normalisation (inputs to zero mean and unit spread, each horizon's residual to its mean
 * absolute value), the initial weights and Adam's state. 0, or -1 when out of memory. */
__attribute__((noinline)) static int start(fc_mlp_trainer *t)
{
    t->started = 1;
    uint32_t n = t->n;
    FC_ONCE_LOOP
    for (int i = 0; i < FC_MLP_IN; i++) {
        double s = 0, s2 = 0;
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < n; k++) s += t->x[(size_t)k * FC_MLP_IN + i];
        double mean = s / n;
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < n; k++) {
            double d = t->x[(size_t)k * FC_MLP_IN + i] - mean;
            s2 += d * d;
        }
        t->mu[i] = (float)(mean / FIX);
        t->sd[i] = (float)(sqrt(s2 / n) / FIX) + 1e-3f; /* a constant input (one day type) stays 0 */
    }
    FC_ONCE_LOOP
    for (uint32_t h = 0; h < t->H; h++) {
        double s = 0;
        uint32_t c = 0;
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < n; k++) {
            int16_t v = t->y[(size_t)k * t->H + h];
            if (v == NO_TARGET) continue;
            s += fabs((double)v);
            c++;
        }
        double mean = c ? s / c / FIX : 0;
        t->ysc[h] = mean > 0.05 ? (float)mean : 0.05f;
    }
    t->np = fc_mlp_params(t->H);
    t->p = calloc(t->np, sizeof(float));
    t->m = calloc(t->np, sizeof(float));
    t->v = calloc(t->np, sizeof(float));
    t->g = calloc(t->np, sizeof(float));
    t->perm = malloc((size_t)n * sizeof(uint32_t));
    t->w2t = calloc((size_t)t->H * FC_MLP_HID, sizeof(float)); /* W2 starts at 0 */
    if (!t->p || !t->m || !t->v || !t->g || !t->perm || !t->w2t) return -1;
    t->rng = SEED;
    float r = sqrtf(6.0f / FC_MLP_IN); /* uniform, variance 2 / fan-in: ReLU units */
    FC_ONCE_LOOP
    for (int i = 0; i < FC_MLP_IN * FC_MLP_HID; i++) t->p[i] = (unit(&t->rng) * 2 - 1) * r;
    /* the output layer starts at 0: the network starts as no correction */
    FC_ONCE_LOOP
    for (uint32_t k = 0; k < n; k++) t->perm[k] = k;
    shuffle(t);
    t->beta1t = t->beta2t = 1.0f;
    uint64_t want = ((uint64_t)MIN_STEPS * BATCH + n - 1) / n;
    t->epochs = want < EPOCHS ? EPOCHS : want > MAX_EPOCHS ? MAX_EPOCHS : (uint32_t)want;
    return 0;
}

/* One sample's gradient added to t->g. */
__attribute__((noinline)) static void backprop(fc_mlp_trainer *t, uint32_t k)
{
    const uint32_t H = t->H;
    float x[FC_MLP_IN], a[FC_MLP_HID], out[24], go[24], ga[FC_MLP_HID];
    const int16_t *xs = t->x + (size_t)k * FC_MLP_IN, *ys = t->y + (size_t)k * H;
    FC_ONCE_LOOP
    for (int i = 0; i < FC_MLP_IN; i++) x[i] = ((float)xs[i] / FIX - t->mu[i]) / t->sd[i];
    hidden(t->p, x, a);
    output(t->p, H, a, out);
    FC_ONCE_LOOP
    for (uint32_t h = 0; h < H; h++) {
        if (ys[h] == NO_TARGET) {
            go[h] = 0;
            continue;
        }
        float e = out[h] - (float)ys[h] / FIX / t->ysc[h];
        go[h] = e > HUBER_KNEE ? HUBER_KNEE : e < -HUBER_KNEE ? -HUBER_KNEE : e;
    }
    float *gw2 = W2(t->g), *gb2 = B2(t->g, H);
    for (uint32_t h = 0; h < H; h++) gb2[h] += go[h];
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++)
        FC_ROW_LOOP
        for (uint32_t h = 0; h < H; h++) gw2[(size_t)j * H + h] += a[j] * go[h];
    /* the hidden units' gradient: rows of the transposed W2, in whole vectors */
    memset(ga, 0, sizeof ga);
    FC_ONCE_LOOP
    for (uint32_t h = 0; h < H; h++) {
        const float *w = t->w2t + (size_t)h * FC_MLP_HID;
        FC_ROW_LOOP
        for (int j = 0; j < FC_MLP_HID; j++) ga[j] += go[h] * w[j];
    }
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++) ga[j] = a[j] > 0 ? ga[j] : 0;
    float *gb1 = B1(t->g);
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++) gb1[j] += ga[j];
    FC_ONCE_LOOP
    for (int i = 0; i < FC_MLP_IN; i++) {
        float *gw = W1(t->g) + i * FC_MLP_HID;
        FC_ROW_LOOP
        for (int j = 0; j < FC_MLP_HID; j++) gw[j] += x[i] * ga[j];
    }
}

__attribute__((noinline)) static void adam(fc_mlp_trainer *t, uint32_t count, float rate)
{
    t->beta1t *= 0.9f;
    t->beta2t *= 0.999f;
    float scale = 1.0f / (float)count, c1 = 1.0f / (1.0f - t->beta1t), c2 = 1.0f / (1.0f - t->beta2t);
    FC_ONCE_LOOP
    for (size_t i = 0; i < t->np; i++) {
        float g = t->g[i] * scale;
        t->m[i] = 0.9f * t->m[i] + 0.1f * g;
        t->v[i] = 0.999f * t->v[i] + 0.001f * g * g;
        t->p[i] -= rate * (t->m[i] * c1) / (sqrtf(t->v[i] * c2) + 1e-8f);
    }
    memset(t->g, 0, t->np * sizeof(float));
    const float *w2 = W2(t->p);
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++)
        for (uint32_t h = 0; h < t->H; h++) t->w2t[(size_t)h * FC_MLP_HID + j] = w2[(size_t)j * t->H + h];
}

/* The trained network in the units of the forecast: the inputs' normalisation folded into the
 * first layer, the residuals' scale into the second. Then what it leaves of every target. */
__attribute__((noinline)) static void finish(fc_mlp_trainer *t, float *params)
{
    const uint32_t H = t->H;
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++) {
        double b = B1(t->p)[j];
        FC_ONCE_LOOP
        for (int i = 0; i < FC_MLP_IN; i++) {
            float w = W1(t->p)[i * FC_MLP_HID + j] / t->sd[i];
            W1(params)[i * FC_MLP_HID + j] = w;
            b -= (double)w * t->mu[i];
        }
        B1(params)[j] = (float)b;
    }
    FC_ONCE_LOOP
    for (int j = 0; j < FC_MLP_HID; j++)
        for (uint32_t h = 0; h < H; h++) W2(params)[(size_t)j * H + h] = W2(t->p)[(size_t)j * H + h] * t->ysc[h];
    FC_ONCE_LOOP
    for (uint32_t h = 0; h < H; h++) B2(params, H)[h] = B2(t->p, H)[h] * t->ysc[h];
    FC_ONCE_LOOP
    for (uint32_t k = 0; k < t->n; k++) {
        float x[FC_MLP_IN], out[24];
        FC_ONCE_LOOP
        for (int i = 0; i < FC_MLP_IN; i++) x[i] = (float)t->x[(size_t)k * FC_MLP_IN + i] / FIX;
        fc_mlp_forward(params, H, x, out);
        int16_t *y = t->y + (size_t)k * H;
        FC_ONCE_LOOP
        for (uint32_t h = 0; h < H; h++)
            if (y[h] != NO_TARGET) y[h] = fix16((float)y[h] / FIX - out[h]);
    }
}

/* The learning rate of the current pass: the last pass at LAST_EPOCH_RATE of it. */
static float epoch_rate(const fc_mlp_trainer *t)
{
    return LEARNING_RATE * (t->epoch == t->epochs - 1 ? LAST_EPOCH_RATE : 1.0f);
}

int fc_mlp_train_step(fc_mlp_trainer *t, float *params, double *progress)
{
    if (t->done) {
        if (progress) *progress = 1;
        return 1;
    }
    if (t->n < MIN_SAMPLES) {
        memset(params, 0, fc_mlp_params(t->H) * sizeof(float));
        t->done = 1;
        if (progress) *progress = 1;
        return 1;
    }
    if (!t->started && start(t)) {
        /* out of memory for the network's state: no correction rather than no model */
        memset(params, 0, fc_mlp_params(t->H) * sizeof(float));
        t->done = 1;
        return 1;
    }
    float rate = epoch_rate(t);
    uint32_t budget = STEP_SAMPLES;
    while (budget > 0 && t->epoch < t->epochs) {
        uint32_t end = t->cursor + BATCH < t->n ? t->cursor + BATCH : t->n;
        FC_ONCE_LOOP
        for (uint32_t b = t->cursor; b < end; b++) backprop(t, t->perm[b]);
        adam(t, end - t->cursor, rate);
        budget = budget > end - t->cursor ? budget - (end - t->cursor) : 0;
        t->cursor = end;
        if (t->cursor == t->n) {
            t->cursor = 0;
            if (++t->epoch < t->epochs) shuffle(t);
            rate = epoch_rate(t);
        }
    }
    if (progress) *progress = ((double)t->epoch * t->n + t->cursor) / ((double)t->epochs * t->n);
    if (t->epoch < t->epochs) return 0;
    finish(t, params);
    t->done = 1;
    return 1;
}
