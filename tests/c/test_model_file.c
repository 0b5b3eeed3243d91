/* test_model_file.c — model files whose profile cells are not what training writes are refused
 * and leave the model in force. Regression for a fuzz_model finding: a checksum-valid file with
 * a 1e-309 sample count made a profile mean infinite and the forecast NaN. And the profile
 * lookup those forecasts use, for a second finding: a 2e-41 prior divided a leftover sum.
 * These are format-2 files (raw floats; they still load): format 3's own checks are in
 * test_model_pack.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "engine.h"
#include "hash.h"
#include "model_io.h"
#include "profile.h"
#include "test.h"

#define HEADER 96
#define NF 16     /* features per weight set in the file */
#define REGIMES 2 /* weight sets per (sensor, horizon): model file version 2 */

/* Offsets of the payload arrays, from the header's dimensions (layout in c/src/model_io.c). */
typedef struct layout {
    size_t n, h, q, psum, pcnt, all_sum, all_cnt, end;
} layout;

static layout layout_of(const uint8_t *file)
{
    uint32_t dims[3];
    memcpy(dims, file + 24, sizeof dims);
    layout l = {dims[0], dims[1], dims[2], 0, 0, 0, 0, 0};
    size_t nh = l.n * l.h, pq = l.n * 2 * l.q;
    l.psum = HEADER + nh * REGIMES * NF * 4 + 2 * nh * 4;
    l.pcnt = l.psum + pq * 4;
    l.all_sum = l.pcnt + pq * 4;
    l.all_cnt = l.all_sum + l.n * 8;
    l.end = l.all_cnt + l.n * 8;
    return l;
}

static void reseal(uint8_t *file, const layout *l)
{
    uint64_t h = fc_hash_bytes(FC_HASH_SEED, file + HEADER, l->end - HEADER);
    memcpy(file + l->end, &h, 8);
}

void test_model_file_profiles(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    size_t len = fc_model_file_size_v2(e->model, 1);
    uint8_t *good = malloc(len), *bad = malloc(len);
    fc_model_write_v2(e->model, good, 1);
    layout l = layout_of(good);
    CHECK_EQ_INT(l.end + 8, len);
    float ref[24], mid[24], lo[24], hi[24];
    /* a format-2 file holds the linear model alone (no pooled correction): the reference is the
     * model the good file loads as */
    CHECK_STATUS(fc_engine_load_model(e, good, len), FC_OK);
    CHECK_STATUS(fc_engine_forecast(e, ref, NULL, NULL, 24), FC_OK);

    /* the control: resealing an unchanged file changes nothing */
    memcpy(bad, good, len);
    reseal(bad, &l);
    CHECK_STATUS(fc_engine_load_model(e, bad, len), FC_OK);

    const float tiny_f = 5.877471754e-39f, big_f = 1e30f, half_f = 2.5f, fifty = 50;
    const double tiny_d = 1e-309;
    const struct {
        size_t off;
        const void *val;
        size_t bytes;
    } edits[] = {
        {l.pcnt, &tiny_f, 4},                /* a subnormal sample count */
        {l.pcnt + 4, &half_f, 4},            /* a fractional one */
        {l.psum, &big_f, 4},                 /* a mean far beyond any speed */
        {l.all_cnt + 2 * 8, &tiny_d, 8},     /* the fuzzer's case: sensor 2's count 1e-309 */
        {l.all_sum + 8, &(double){1e300}, 8},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(bad, good, len);
        memcpy(bad + edits[i].off, edits[i].val, edits[i].bytes);
        reseal(bad, &l);
        CHECK_STATUS(fc_engine_load_model(e, bad, len), FC_E_RANGE);
        CHECK_CONTAINS(fc_engine_message(e), "out-of-range");
        CHECK_STATUS(fc_engine_forecast(e, mid, lo, hi, 24), FC_OK);
        CHECK(memcmp(mid, ref, sizeof ref) == 0);
    }
    /* an empty cell with a sum: count 0 must carry sum 0 */
    memcpy(bad, good, len);
    float zero = 0;
    size_t cell = 0;
    memcpy(bad + l.pcnt + cell * 4, &zero, 4);
    memcpy(bad + l.psum + cell * 4, &fifty, 4);
    reseal(bad, &l);
    CHECK_STATUS(fc_engine_load_model(e, bad, len), FC_E_RANGE);
    free(good);
    free(bad);
    fc_engine_destroy(e);
}

/* A window with nothing left after leaving out the caller's own values gives the sensor's
 * overall mean whatever the prior, even when the sums left over disagree (they cannot come from
 * training, but a model file can carry them). */
void test_profile_empty_window(void)
{
    fc_profile p;
    if (fc_profile_init(&p, 1, 289)) return;
    fc_profile_add(&p, 0, 0, 10, 50);
    fc_profile_add(&p, 0, 0, 20, 70);
    const float priors[] = {0, 2.3e-41f, 1e-30f, 3, 1e5f};
    for (size_t i = 0; i < sizeof priors / sizeof priors[0]; i++) {
        float v = fc_profile_get(&p, 0, 0, 10, 2, priors[i], 55, 1); /* leaves out 55 of the 50 */
        CHECK(v == 60);
        v = fc_profile_get(&p, 0, 0, 10, 2, priors[i], 0, 0); /* the cell itself, pulled to 60 */
        CHECK(isfinite(v) && v >= 50 && v <= 60);
    }
    fc_profile_free(&p);
}
