/* history.c — see history.h. */
#include "history.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int fc_history_init(fc_history *h, uint32_t n_sensors, uint32_t cap_slots)
{
    memset(h, 0, sizeof *h);
    h->head = h->first = INT64_MIN;
    /* in wasm32 size_t is 32 bits: a large network with long history must fail cleanly */
    if ((uint64_t)n_sensors * cap_slots * sizeof(uint16_t) > (uint64_t)SIZE_MAX / 2) return -1;
    size_t n = (size_t)n_sensors * cap_slots;
    h->n_sensors = n_sensors;
    h->cap = cap_slots;
    h->speed = malloc(n * sizeof(uint16_t));
    h->volume = malloc(n * sizeof(uint16_t));
    h->occupancy = malloc(n * sizeof(uint16_t));
    h->quality = malloc(n);
    int ok = h->speed && h->volume && h->occupancy && h->quality;
    for (int f = 0; f < FC_F_N; f++) {
        h->sum[f] = malloc(n_sensors * sizeof(uint32_t));
        h->count[f] = malloc(n_sensors * sizeof(uint16_t));
        ok = ok && h->sum[f] && h->count[f];
    }
    if (!ok) {
        fc_history_free(h);
        return -1;
    }
    h->open_commits = 0;
    h->pending = 0;
    /* 0xFF bytes make every 16-bit value FC_Q_MISSING */
    memset(h->speed, 0xFF, n * sizeof(uint16_t));
    memset(h->volume, 0xFF, n * sizeof(uint16_t));
    memset(h->occupancy, 0xFF, n * sizeof(uint16_t));
    memset(h->quality, 0, n);
    return 0;
}

void fc_history_free(fc_history *h)
{
    free(h->speed);
    free(h->volume);
    free(h->occupancy);
    free(h->quality);
    for (int f = 0; f < FC_F_N; f++) {
        free(h->sum[f]);
        free(h->count[f]);
    }
    memset(h, 0, sizeof *h);
    h->head = h->first = INT64_MIN;
}

static void clear_slot(fc_history *h, int64_t slot)
{
    size_t row = fc_history_row(h, slot), n = h->n_sensors;
    memset(h->speed + row, 0xFF, n * sizeof(uint16_t)); /* 0xFFFF = FC_Q_MISSING */
    memset(h->volume + row, 0xFF, n * sizeof(uint16_t));
    memset(h->occupancy + row, 0xFF, n * sizeof(uint16_t));
    memset(h->quality + row, 0, n);
}

uint32_t fc_history_advance(fc_history *h, int64_t slot)
{
    if (h->head == INT64_MIN) {
        /* the buffer is still all-missing from init */
        h->head = h->first = slot;
        h->open_commits = 0;
        return 1;
    }
    if (slot <= h->head) return 0;
    fc_history_settle(h); /* the old newest slot is final now: its cells must be its means */
    int64_t gap = slot - h->head;
    /* beyond one full turn every slot is cleared once; the new head's row is left to the
     * commit that follows (it writes every cell of it) */
    int64_t n = gap < (int64_t)h->cap ? gap : (int64_t)h->cap;
    for (int64_t k = 1; k < n; k++) clear_slot(h, slot - k);
    h->head = slot;
    h->open_commits = 0;
    return gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
}

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "the folds round with float arithmetic evaluated in float"
#endif

/* round_half_even(sum / count) for count >= 1. sum < 2^24 (at most 255 readings of at most
 * 65534) is exact in float, and so is count; the quotient is correctly rounded, off by at
 * most 2^-9 below 2^16, while a quotient that is not a tie is at least 1/(2*255) > 2^-9 away
 * from one, so rounding the float quotient rounds the exact mean. Adding and subtracting 2^23
 * rounds half to even (default rounding, FLT_EVAL_METHOD 0) without a libm call, so the loops
 * below vectorise natively and in wasm alike. */
static inline uint16_t mean_q(uint32_t sum, uint32_t count)
{
    float mean = (float)sum / (float)count;
    return (uint16_t)(int32_t)((mean + 0x1p23f) - 0x1p23f);
}

/* Before the slot's second snapshot: the sums and counts start from the first one, which the
 * cells hold as it came. */
static void materialise(const uint16_t *cell, uint32_t *sum, uint16_t *count, uint32_t n)
{
    for (uint32_t s = 0; s < n; s++) {
        uint16_t a = cell[s], has = a != FC_Q_MISSING;
        sum[s] = has ? a : 0;
        count[s] = has;
    }
}

/* Every later snapshot of the slot adds to the sums and counts; the cells wait for the next
 * read (fc_history_settle), so a 30-second feed into 5-minute slots computes each slot's means
 * once per read instead of once per snapshot (PERFORMANCE.md §19). */
static void fold_sums(const uint16_t *in, uint32_t *sum, uint16_t *count, uint32_t n)
{
    for (uint32_t s = 0; s < n; s++) {
        uint32_t q = in[s], c = count[s];
        uint32_t add = (q != FC_Q_MISSING) & (c < FC_SLOT_MAX_READINGS);
        sum[s] += add ? q : 0;
        count[s] = (uint16_t)(c + add);
    }
}

/* The cells from the sums: the mean, or MISSING without a reading. */
static void means(const uint32_t *sum, const uint16_t *count, uint16_t *cell, uint32_t n)
{
    for (uint32_t s = 0; s < n; s++) {
        uint32_t c = count[s];
        uint16_t v = mean_q(sum[s], c ? c : 1);
        cell[s] = c ? v : FC_Q_MISSING;
    }
}

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
/* The two loops above with explicit 128-bit SIMD, eight sensors a step in 16-bit lanes. LLVM's
 * own vectorisation of them widens and narrows through generic shuffles that V8 runs slowly
 * (6.0 µs per 1,000-sensor commit against 1.8 µs by hand: PERFORMANCE.md §14). Same
 * arithmetic: f32x4.nearest is round-half-even, as the 2^23 trick is (which, tried here in
 * place of nearest and trunc_sat, was slower in V8: 2.2 µs); the scalar loops do the tails. */
static void fold_sums_simd(const uint16_t *in, uint32_t *sum, uint16_t *count, uint32_t n)
{
    const v128_t missing = wasm_i16x8_splat(-1), cap = wasm_i16x8_splat(FC_SLOT_MAX_READINGS);
    uint32_t s = 0;
    for (; s + 8 <= n; s += 8) {
        v128_t q = wasm_v128_load(in + s), c = wasm_v128_load(count + s);
        v128_t add = wasm_v128_and(wasm_i16x8_ne(q, missing), wasm_u16x8_lt(c, cap)); /* -1 or 0 */
        wasm_v128_store(count + s, wasm_i16x8_sub(c, add));
        v128_t qa = wasm_v128_and(q, add);
        wasm_v128_store(sum + s, wasm_i32x4_add(wasm_v128_load(sum + s), wasm_u32x4_extend_low_u16x8(qa)));
        wasm_v128_store(sum + s + 4, wasm_i32x4_add(wasm_v128_load(sum + s + 4), wasm_u32x4_extend_high_u16x8(qa)));
    }
    fold_sums(in + s, sum + s, count + s, n - s);
}

static void means_simd(const uint32_t *sum, const uint16_t *count, uint16_t *cell, uint32_t n)
{
    const v128_t missing = wasm_i16x8_splat(-1), zero = wasm_i16x8_splat(0), one = wasm_i32x4_splat(1);
    uint32_t s = 0;
    for (; s + 8 <= n; s += 8) {
        v128_t c = wasm_v128_load(count + s);
        v128_t s0 = wasm_v128_load(sum + s), s1 = wasm_v128_load(sum + s + 4);
        v128_t c0 = wasm_i32x4_max(wasm_u32x4_extend_low_u16x8(c), one);
        v128_t c1 = wasm_i32x4_max(wasm_u32x4_extend_high_u16x8(c), one);
        v128_t m0 = wasm_f32x4_nearest(wasm_f32x4_div(wasm_f32x4_convert_i32x4(s0), wasm_f32x4_convert_i32x4(c0)));
        v128_t m1 = wasm_f32x4_nearest(wasm_f32x4_div(wasm_f32x4_convert_i32x4(s1), wasm_f32x4_convert_i32x4(c1)));
        v128_t mean = wasm_u16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(m0), wasm_i32x4_trunc_sat_f32x4(m1));
        wasm_v128_store(cell + s, wasm_v128_bitselect(missing, mean, wasm_i16x8_eq(c, zero)));
    }
    means(sum + s, count + s, cell + s, n - s);
}
#define FOLD_SUMS fold_sums_simd
#define MEANS means_simd
#else
#define FOLD_SUMS fold_sums
#define MEANS means
#endif

void fc_history_commit(fc_history *h, const uint16_t *speed, const uint16_t *volume,
                       const uint16_t *occupancy, const uint8_t *quality)
{
    size_t row = fc_history_row(h, h->head);
    uint32_t n = h->n_sensors;
    uint8_t *qrow = h->quality + row;
    if (h->open_commits == 0) { /* the row is written whole: advance left it to us */
        memcpy(h->speed + row, speed, n * sizeof(uint16_t));
        memcpy(h->volume + row, volume, n * sizeof(uint16_t));
        memcpy(h->occupancy + row, occupancy, n * sizeof(uint16_t));
        memcpy(qrow, quality, n);
        h->open_commits = 1;
        return;
    }
    uint16_t *cells[FC_F_N] = {h->speed + row, h->volume + row, h->occupancy + row};
    const uint16_t *in[FC_F_N] = {speed, volume, occupancy};
    for (int f = 0; f < FC_F_N; f++) {
        /* the slot's first snapshot is still in the cells as it came (nothing pending then) */
        if (h->open_commits == 1) materialise(cells[f], h->sum[f], h->count[f], n);
        FOLD_SUMS(in[f], h->sum[f], h->count[f], n);
    }
    for (uint32_t s = 0; s < n; s++) qrow[s] |= quality[s];
    h->open_commits = 2;
    h->pending = 1;
}

void fc_history_settle(fc_history *h)
{
    if (!h->pending) return;
    size_t row = fc_history_row(h, h->head);
    uint16_t *cells[FC_F_N] = {h->speed + row, h->volume + row, h->occupancy + row};
    for (int f = 0; f < FC_F_N; f++) MEANS(h->sum[f], h->count[f], cells[f], h->n_sensors);
    h->pending = 0;
}

#ifdef FC_SLOW_FOR_TEST
/* Deliberate extra work, compiled in only by the performance gate's own test
 * (tests/gate.test.mjs) to prove that the instruction budgets catch a regression. */
static double slow_for_test(double v)
{
    volatile double x = v;
    for (int i = 0; i < 200; i++) x = x * 1.0000001;
    return v + 0 * x;
}
#define SLOW(v) slow_for_test(v)
#else
#define SLOW(v) (v)
#endif

uint16_t fc_q_speed(double mph) { return (uint16_t)lrint(SLOW(mph) * FC_SPEED_SCALE); }
uint16_t fc_q_volume(double vph) { return (uint16_t)lrint(vph); }
uint16_t fc_q_occupancy(double occ) { return (uint16_t)lrint(occ * FC_OCC_SCALE); }
float fc_dq_speed(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q / FC_SPEED_SCALE; }
float fc_dq_volume(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q; }
float fc_dq_occupancy(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q / FC_OCC_SCALE; }
