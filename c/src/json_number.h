/* json_number.h — the strict RFC 8259 number scanner and its exactly rounded conversion, private
 * to ingest_fast.c (the only file that includes it). It is a header of static inline functions,
 * not a module of its own, because the snapshot parser's hot loop needs scan_number() and its
 * helpers inlined: in WebAssembly a call that takes a local's address puts it on the shadow stack
 * in linear memory (PERFORMANCE.md §15). fc_fast_number() and fc_cjson_strtod(), the functions
 * others call, are in ingest_fast.c. */
#ifndef FC_JSON_NUMBER_H
#define FC_JSON_NUMBER_H
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "the exact-operand conversions below need double arithmetic evaluated in double"
#endif
#ifndef __SIZEOF_INT128__
#error "decimal_to_double() needs a 128-bit integer type"
#endif
__extension__ typedef unsigned __int128 u128;

/* For the small helpers of the hot loop: in WebAssembly, a local whose address is passed to a
 * call lives on the shadow stack in linear memory; inlined, it stays in a register. */
#define HOT static inline __attribute__((always_inline))

typedef const unsigned char *cursor;

/* ---- numbers ------------------------------------------------------------------------------
 *
 * A strict number is w * 10^q with w < 10^19 held exactly (at most 19 significant digits;
 * further digits must be zeros, which only move q). The double is then computed exactly
 * rounded by one of these cases, each a proof rather than an approximation:
 *   1. w <= 2^53 and |q| <= 22: w and 10^|q| are exact doubles, so the single IEEE multiply or
 *      divide rounds the exact value once, to nearest-even (Clinger 1990).
 *   2. 0 <= q <= 19: w * 10^q < 2^64 * 2^64 is an exact 128-bit integer; round_u128() rounds it.
 *   3. -27 <= q < 0: w / 10^k = (w * 2^s / 5^k) * 2^(-s-k) with 5^k < 2^63. The 128-by-64
 *      division gives the quotient Q exactly and the remainder says whether anything is left
 *      below it (sticky). With s = 64 + clz(w), Q >= 2^127 / 5^27 > 2^64, so Q holds the 53
 *      mantissa bits, the rounding bit and more; round_u128() rounds Q with the sticky bit.
 *   4. a value >= 10^309 rounds to infinity, one < 10^-324 (below half the least subnormal,
 *      2^-1075 ~ 2.47e-324) rounds to zero: strtod returns the same inf and (signed) zero.
 * The results of cases 2 and 3 are far inside the normal range, so ldexp() is exact. Anything
 * else (about 1e-28 and below with many digits, 1e20 and above with more than 15 digits) is
 * "not proven" and falls back. tests/c/test_fastpath.c compares all of this against strtod. */

static const double k_pow10[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static uint64_t pow_u64(uint64_t base, int k)
{
    uint64_t r = 1;
    while (k-- > 0) r *= base;
    return r;
}

static int bit_length(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
    return hi ? 128 - __builtin_clzll(hi) : lo ? 64 - __builtin_clzll(lo) : 0;
}

/* The double nearest to (x + f) * 2^e2 where 0 <= f < 1 and sticky says f > 0; ties to even.
 * Callers with sticky set pass x of at least 54 bits. */
static double round_u128(u128 x, int sticky, int e2)
{
    int bits = bit_length(x);
    if (bits <= 53) return ldexp((double)(uint64_t)x, e2);
    int shift = bits - 53;
    uint64_t m = (uint64_t)(x >> shift);
    u128 rest = x & (((u128)1 << shift) - 1), half = (u128)1 << (shift - 1);
    if (rest > half || (rest == half && (sticky || (m & 1)))) {
        m++;
        if (m == 1ull << 53) {
            m >>= 1;
            shift++;
        }
    }
    return ldexp((double)m, e2 + shift);
}

static int digit_count(uint64_t w)
{
    int n = 0;
    for (; w; w /= 10) n++;
    return n;
}

/* Exactly rounded w * 10^q (w has nd significant digits, -1: not counted yet), or 0 when not
 * proven. */
static int decimal_to_double(uint64_t w, int nd, int64_t q, double *out)
{
    if (w <= 1ull << 53 && q >= -22 && q <= 22) { /* the common case first; w = 0 included */
        *out = q >= 0 ? (double)w * k_pow10[q] : (double)w / k_pow10[-q];
        return 1;
    }
    if (w == 0) {
        *out = 0.0;
        return 1;
    }
    if (nd < 0) nd = digit_count(w);
    if (nd - 1 + q >= 309) {
        *out = INFINITY;
        return 1;
    }
    if (nd + q <= -324) {
        *out = 0.0;
        return 1;
    }
    if (q >= 0 && q <= 19) {
        *out = round_u128((u128)w * pow_u64(10, (int)q), 0, 0);
        return 1;
    }
    if (q < 0 && q >= -27) {
        int k = (int)-q, s = 64 + __builtin_clzll(w);
        uint64_t p5 = pow_u64(5, k);
        u128 x = (u128)w << s, quot = x / p5;
        *out = round_u128(quot, x - quot * p5 != 0, -s - k);
        return 1;
    }
    return 0;
}

HOT int is_digit(unsigned c) { return c - '0' < 10u; }

/* The digits of a strict number: w and q with value w * 10^q, nd significant digits in w,
 * and whether nonzero digits beyond the 19 held in w were dropped. */
typedef struct {
    uint64_t w;
    int64_t q;
    int nd, dropped_nonzero;
} decimal;

/* Scans a strict RFC 8259 number. Returns the end, or NULL when the grammar is not met;
 * *proven says whether *out is the exactly rounded value. The first loop reads up to 19
 * digits without bookkeeping (then w cannot overflow); longer mantissas take the second. */
HOT cursor scan_number(cursor p, cursor end, double *out, int *proven)
{
    int neg = p < end && *p == '-';
    p += neg;
    if (p >= end) return NULL;
    decimal d = {0, 0, 0, 0};
    cursor int_start = p, frac_start = NULL;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p)) return NULL; /* leading zero: cJSON reads it, JSON does not */
    } else if (is_digit(*p)) {
        for (; p < end && is_digit(*p); p++) d.w = d.w * 10 + (*p - '0');
    } else return NULL;
    cursor int_end = p;
    if (p < end && *p == '.') {
        p++;
        frac_start = p;
        for (; p < end && is_digit(*p); p++) d.w = d.w * 10 + (*p - '0');
        if (p == frac_start) return NULL;
    }
    cursor frac_end = p;
    int digits = (int)(int_end - int_start) + (frac_start ? (int)(frac_end - frac_start) : 0);
    if (digits > 19) { /* redo with digit bookkeeping; w above was garbage */
        d.w = 0;
        for (cursor c = int_start; c < frac_end; c++) {
            if (*c == '.') continue;
            unsigned v = *c - '0';
            int frac = frac_start && c >= frac_start;
            if (d.nd < 19) {
                d.w = d.w * 10 + v;
                d.nd += d.w != 0; /* leading zeros of 0.00x are not significant */
                d.q -= frac;
            } else {
                d.q += !frac;
                d.dropped_nonzero |= v != 0;
            }
        }
    } else {
        d.q = frac_start ? -(int64_t)(frac_end - frac_start) : 0;
        d.nd = -1; /* counted only when needed */
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p >= end || !is_digit(*p)) return NULL;
        int64_t e = 0;
        for (; p < end && is_digit(*p); p++)
            if (e < 100000000) e = e * 10 + (*p - '0'); /* saturates far beyond any finite double */
        d.q += eneg ? -e : e;
    }
    double v = 0;
    *proven = !d.dropped_nonzero && decimal_to_double(d.w, d.nd, d.q, &v);
    *out = neg ? -v : v;
    return p;
}

#endif
