/* model_pack.c — model file formats 3 to 6 (model_pack.h; 6 is written, all are read).
 * Format 2 stored every number as a raw float: 2.9 MB for Atlanta's 460 sensors, 0.95 MB with brotli, which a phone on a 1.6 Mbit/s
 * link waits ~5 s for before its first forecast. Formats 3 on store what the numbers are
 * worth:
 *
 * - weights as integers in steps of 2^-6 (the bias, in mph, 2^-4): the features are speed
 *   differences of a few mph, so a step error of at most 2^-7 moves a forecast by a few
 *   hundredths of a mph on average; measured on the Los-loop validation split and the Atlanta
 *   evaluation, MAE moves by at most +0.07% at any horizon (PERFORMANCE.md). Power-of-two steps
 *   make rounding exact and idempotent (a dequantised weight requantises to itself), so
 *   fc_model_id survives any number of saves and loads. Each (regime, horizon, feature) has a
 *   reference (the median over sensors: the per-sensor fits are pulled toward the pooled fit,
 *   so they cluster), and a sensor's weight is stored as its difference from the reference,
 *   then as a difference from the same difference at the previous horizon (weights change
 *   smoothly along the horizons);
 * - intervals (10%/90% residual quantiles, mph) in steps of 2^-2 (format 3 wrote 2^-4; the
 *   reader takes the step from the header), delta-coded along horizons;
 * - profiles as the mean speed of each cell in 0.25 mph steps and its whole sample count, both
 *   delta-coded along the time of day (adjacent 5-minute slots differ by a few mph at most);
 *   a cell's sum is rebuilt as mean x count, and a lookup averages 9 cells, so a profile value
 *   moves by well under 0.1 mph. The per-sensor totals (the profiles' prior mean) stay as
 *   float64 sums, with their counts coded as whole numbers (format 3: float64 too);
 * - the pooled correction (model_resid.h, format 4) in steps of 2^-4 mph, delta-coded along the
 *   horizons (a cell changes little from one horizon to the next; along the cells of a table it
 *   was 25% larger with brotli). Its 432 cells per horizon cost ~2.5 KB with brotli (Atlanta);
 *   the intervals' coarser steps (0.25 mph: the quantiles' own sampling error is larger, and
 *   the inner split's coverage moved by at most 0.1 point, PERFORMANCE.md §32) and the
 *   totals' coded counts pay for them: Atlanta's file is smaller than format 3's with brotli
 *   and gzip, 0.35% larger raw.
 *
 * Every integer goes through one code: a byte b in -127..127 is the value; b = -128 is followed
 * by the value as int32 (rare: the escape keeps any value representable). Values are grouped
 * by kind (all weights of one feature, then the next; all counts, then all means) so the
 * compressor sees like next to like.
 *
 * Layout (little-endian):
 *    0  char[8]  magic "FCMODEL1"
 *    8  u32      format version (6; 5 is the same with a network of 19 inputs, 4 without
 *                section 5, 3 also without section 4 and with totals as f64)
 *   12  u32      header bytes (112)
 *   16..95       as format 2 (model_io.c): network hash, sensors, horizons, profile slots per
 *                day, interval_s, features, day types, train rows, training options, regimes
 *                with bit 16 = no profiles; here also bit 17 = a window file
 *   96  u8       weight shift (6: step 2^-6), 97 u8 bias shift (4), 98 u8 interval shift (2),
 *   99  u8       profile steps per mph (4: 0.25 mph); a reader takes the steps from here
 *  100  u32      window: origin slots covered (0 when not a window)
 *  104  i64      window: first origin slot (slots since 1970, as the history's; 0 otherwise)
 *  112  sections, each a u32 byte length then the bytes, in this order:
 *        1 weight references i32[regimes][horizons][features], in steps
 *        2 weights: for each feature, regime, sensor, horizon: (q - ref) - (previous horizon's
 *          q - ref), coded
 *        3 intervals: lo then hi, for each sensor, horizon: q - previous horizon's q, coded
 *        4 pooled correction (format 4 on): u8 shift (4: step 2^-4 mph), then for each of
 *          the FC_RC_CELLS cells (model_resid.h: the tables in enum order), each horizon:
 *          q - previous horizon's q, coded; a cell beyond 100 mph is refused
 *        5 the shared network (formats 6 and 5; model_mlp.h, coded by model_mlp_pack.c): u8
 *          inputs, u8 hidden units (24 and 16 in format 6; format 5's 19 inputs are format 6's
 *          first 19, read with the other five weighing 0), u8 shifts of its four parts (W1,
 *          b1, W2, b2: steps of 2^-shift, at most 2^-30), then its parameters in model_mlp.h's
 *          order as i16 in their part's step (604 for 12 horizons: 1.2 KB; as f32 the first
 *          network's 524 were 2 KB and compressed to 2.2). Each part's shift is the finest
 *          that holds its largest weight, so a weight keeps 15 bits of its part's range; a value
 *          beyond 1e4 is refused
 *        with profiles only (numbered one less in format 4 and 3):
 *        6 per-sensor totals: f64 sum[n], then the counts, each - the previous sensor's,
 *          coded (format 3: f64 sum[n], f64 count[n])
 *        7 window map: u8 [day types][slots per day], 1 = the cell is in the file (empty
 *          section unless a window file)
 *        8 counts: for each sensor, day type, cell in the map: count - previous cell's, coded
 *        9 means: the same cells, mean (steps) - previous cell's; an empty cell repeats the
 *          previous mean (its sum is 0)
 *  end  u64      checksum (fc_hash_bytes) of every byte before it, header included
 */
#include "model_pack.h"
#include "fixed_point.h"
#include "model_mlp_pack.h"
#include "model_header.h"
#include "model_window.h"
#include "once_loop.h"
#include "hash.h"
#include "le.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER3 112u
#define FLAG_NO_PROFILES (1u << 16)
#define FLAG_WINDOW (1u << 17)
#define W_SHIFT 6
#define BIAS_SHIFT 4
#define INTERVAL_SHIFT 2
#define RC_SHIFT 4           /* the pooled correction's step: 2^-4 mph */
#define RC_MPH_MAX 100       /* a correction cell beyond 100 mph is corruption, not a model */
#define PROFILE_STEPS 4      /* per mph: 0.25 mph */
#define QMAX FC_QMAX         /* any stored integer (fixed_point.h) */
#define COUNT_MAX (1 << 24)  /* a count a float holds exactly */
#define MEAN_MPH_MAX 1000    /* a profile mean beyond 1,000 mph: the bound model_io.c checks */
#define MEAN_MAX (MEAN_MPH_MAX * PROFILE_STEPS)

/* ---- fixed point ---- */

static int shift_of(int f) { return f == FC_F_BIAS ? BIAS_SHIFT : W_SHIFT; }

/* A profile cell's mean in steps (0 for an empty cell). */
static int32_t cell_mean(float sum, float cnt)
{
    if (!(cnt > 0)) return 0;
    double v = nearbyint((double)sum / cnt * PROFILE_STEPS);
    return v > MEAN_MAX ? MEAN_MAX : v < -MEAN_MAX ? -MEAN_MAX : (int32_t)v;
}
static int32_t cell_count(float cnt)
{
    double v = nearbyint(cnt);
    return v > COUNT_MAX ? COUNT_MAX : v < 0 ? 0 : (int32_t)v;
}
static float cell_sum(int32_t mean, int32_t cnt, int steps) { return (float)((double)mean * cnt / steps); }

void fc_model_pack_round(fc_model *m)
{
    size_t rows = (size_t)FC_REGIMES * m->n * m->horizons, nh = (size_t)m->n * m->horizons;
    FC_ONCE_LOOP
    for (size_t r = 0; r < rows; r++) {
        FC_ONCE_LOOP
        for (int f = 0; f < FC_NF; f++) m->w[r * FC_NF + f] = fc_dequant(fc_quant(m->w[r * FC_NF + f], shift_of(f)), shift_of(f));
    }
    FC_ONCE_LOOP
    for (size_t i = 0; i < nh; i++) {
        m->lo[i] = fc_dequant(fc_quant(m->lo[i], INTERVAL_SHIFT), INTERVAL_SHIFT);
        m->hi[i] = fc_dequant(fc_quant(m->hi[i], INTERVAL_SHIFT), INTERVAL_SHIFT);
    }
    size_t nrc = (size_t)m->horizons * FC_RC_CELLS;
    FC_ONCE_LOOP
    for (size_t i = 0; i < nrc; i++) m->rc[i] = fc_dequant(fc_quant(m->rc[i], RC_SHIFT), RC_SHIFT);
    fc_mlp_pack_round(m->mlp, m->horizons);
    m->has_mlp = fc_model_mlp_nonzero(m);
    if (!fc_model_has_profiles(m)) return;
    size_t cells = (size_t)m->n * FC_DAYTYPES * m->q;
    FC_ONCE_LOOP
    for (size_t i = 0; i < cells; i++) {
        int32_t c = cell_count(m->prof.cnt[i]);
        m->prof.sum[i] = cell_sum(cell_mean(m->prof.sum[i], m->prof.cnt[i]), c, PROFILE_STEPS);
        m->prof.cnt[i] = (float)c;
    }
}

/* ---- writing ---- */

typedef struct wbuf {
    uint8_t *p; /* NULL: only count */
    size_t len, cap; /* bytes past cap are counted, not written: one pass sizes and writes */
} wbuf;

__attribute__((noinline)) static void wbytes(wbuf *w, const void *src, size_t n)
{
    if (w->p && w->len + n <= w->cap) memcpy(w->p + w->len, src, n);
    w->len += n;
}
__attribute__((noinline)) static void wint(wbuf *w, int64_t v)
{
    if (v >= -127 && v <= 127) {
        int8_t b = (int8_t)v;
        wbytes(w, &b, 1);
    } else {
        uint8_t e[5] = {0x80};
        put32(e + 1, (uint32_t)(int32_t)v);
        wbytes(w, e, 5);
    }
}
/* Starts a section: reserves its length; end_section fills it in. */
static size_t begin_section(wbuf *w)
{
    size_t at = w->len;
    w->len += 4;
    return at;
}
static void end_section(wbuf *w, size_t at)
{
    if (w->p && at + 4 <= w->cap) put32(w->p + at, (uint32_t)(w->len - at - 4));
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static size_t ref_at(const fc_model *m, int r, uint32_t k, int f)
{
    return ((size_t)r * m->horizons + k) * FC_NF + (size_t)f;
}
static size_t w_at(const fc_model *m, int r, uint32_t s, uint32_t k, int f)
{
    return (((size_t)r * m->n + s) * m->horizons + k) * FC_NF + (size_t)f;
}

/* Encodes the whole file into w (counting only when w->p is NULL); -1 when out of memory. */
static int encode(const fc_model *m, const fc_network *net, fc_pack_profiles what, int64_t first, uint32_t origins,
                  wbuf *w)
{
    uint8_t head[HEADER3];
    memset(head, 0, sizeof head);
    fc_model_put_header(head, m, FC_PACK_VERSION, HEADER3,
                        FC_REGIMES | (what == FC_PACK_NO_PROFILES ? FLAG_NO_PROFILES : 0) |
                            (what == FC_PACK_WINDOW ? FLAG_WINDOW : 0));
    head[96] = W_SHIFT;
    head[97] = BIAS_SHIFT;
    head[98] = INTERVAL_SHIFT;
    head[99] = PROFILE_STEPS;
    if (what == FC_PACK_WINDOW) {
        put32(head + 100, origins);
        put64(head + 104, (uint64_t)first);
    }
    wbytes(w, head, HEADER3);

    /* 1: references, the median over sensors of each (regime, horizon, feature) */
    size_t nref = (size_t)FC_REGIMES * m->horizons * FC_NF;
    int32_t *ref = malloc(nref * sizeof *ref), *col = malloc((m->n ? m->n : 1) * sizeof *col);
    if (!ref || !col) {
        free(ref);
        free(col);
        return -1;
    }
    FC_ONCE_LOOP
    for (int r = 0; r < FC_REGIMES; r++)
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < m->horizons; k++)
            FC_ONCE_LOOP
            for (int f = 0; f < FC_NF; f++) {
                FC_ONCE_LOOP
                for (uint32_t s = 0; s < m->n; s++) col[s] = fc_quant(m->w[w_at(m, r, s, k, f)], shift_of(f));
                qsort(col, m->n, sizeof *col, cmp_i32);
                ref[ref_at(m, r, k, f)] = m->n ? col[m->n / 2] : 0;
            }
    free(col);
    size_t sec = begin_section(w);
    FC_ONCE_LOOP
    for (size_t i = 0; i < nref; i++) {
        uint8_t b[4];
        put32(b, (uint32_t)ref[i]);
        wbytes(w, b, 4);
    }
    end_section(w, sec);
    /* 2: weights */
    sec = begin_section(w);
    FC_ONCE_LOOP
    for (int f = 0; f < FC_NF; f++)
        FC_ONCE_LOOP
        for (int r = 0; r < FC_REGIMES; r++)
            FC_ONCE_LOOP
            for (uint32_t s = 0; s < m->n; s++) {
                int64_t prev = 0;
                FC_ONCE_LOOP
                for (uint32_t k = 0; k < m->horizons; k++) {
                    int64_t d = (int64_t)fc_quant(m->w[w_at(m, r, s, k, f)], shift_of(f)) - ref[ref_at(m, r, k, f)];
                    wint(w, d - prev);
                    prev = d;
                }
            }
    end_section(w, sec);
    free(ref);
    /* 3: intervals */
    sec = begin_section(w);
    FC_ONCE_LOOP
    for (int side = 0; side < 2; side++) {
        const float *v = side ? m->hi : m->lo;
        FC_ONCE_LOOP
        for (uint32_t s = 0; s < m->n; s++) {
            int64_t prev = 0;
            FC_ONCE_LOOP
            for (uint32_t k = 0; k < m->horizons; k++) {
                int64_t x = fc_quant(v[(size_t)s * m->horizons + k], INTERVAL_SHIFT);
                wint(w, x - prev);
                prev = x;
            }
        }
    }
    end_section(w, sec);
    /* 4: the pooled correction: its step (u8 shift), then for each cell, each horizon: q - the
     * previous horizon's q (a cell changes little from one horizon to the next) */
    sec = begin_section(w);
    uint8_t rc_shift = RC_SHIFT;
    wbytes(w, &rc_shift, 1);
    FC_ONCE_LOOP
    for (size_t c = 0; c < FC_RC_CELLS; c++) {
        int64_t prev = 0;
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < m->horizons; k++) {
            int64_t x = fc_quant(m->rc[(size_t)k * FC_RC_CELLS + c], RC_SHIFT);
            wint(w, x - prev);
            prev = x;
        }
    }
    end_section(w, sec);
    /* 5: the shared network (model_mlp_pack.h) */
    sec = begin_section(w);
    uint8_t net5[FC_MLP_PACK_MAX];
    fc_mlp_pack_write(m->mlp, m->horizons, net5);
    wbytes(w, net5, fc_mlp_pack_size(m->horizons));
    end_section(w, sec);
    if (what == FC_PACK_NO_PROFILES) return 0;

    /* 6: per-sensor totals: f64 sum[n] (exact: a sum of readings, which a forecast after a
     * save and a load must find as it was), then the counts, whole numbers, each coded as the
     * difference from the previous sensor's (format 3 stored them as f64 too: 3.7 KB for
     * Atlanta, ~0.5 KB this way) */
    sec = begin_section(w);
    wbytes(w, m->prof.all_sum, (size_t)m->n * 8);
    int64_t prev_cnt = 0;
    FC_ONCE_LOOP
    for (uint32_t s = 0; s < m->n; s++) {
        double c = m->prof.all_cnt[s];
        int64_t x = c > QMAX ? QMAX : c < 0 ? 0 : (int64_t)c; /* whole: fc_profile_add adds 1s */
        wint(w, x - prev_cnt);
        prev_cnt = x;
    }
    end_section(w, sec);
    /* 7: the window map */
    size_t mapn = (size_t)FC_DAYTYPES * m->q;
    uint8_t *map = calloc(mapn, 1);
    if (!map) return -1;
    if (what == FC_PACK_WINDOW)
        FC_ONCE_LOOP
        for (uint32_t k = 0; k < origins; k++) fc_model_window_mark(m, net, first + k, map);
    else
        memset(map, 1, mapn);
    sec = begin_section(w);
    if (what == FC_PACK_WINDOW) wbytes(w, map, mapn);
    end_section(w, sec);
    /* 8, 9: counts, means */
    FC_ONCE_LOOP
    for (int part = 0; part < 2; part++) {
        sec = begin_section(w);
        FC_ONCE_LOOP
        for (uint32_t s = 0; s < m->n; s++) {
            int64_t prev = 0;
            FC_ONCE_LOOP
            for (int d = 0; d < FC_DAYTYPES; d++)
                FC_ONCE_LOOP
                for (uint32_t t = 0; t < m->q; t++) {
                    if (!map[(size_t)d * m->q + t]) continue;
                    size_t c = ((size_t)s * FC_DAYTYPES + (size_t)d) * m->q + t;
                    int32_t cnt = cell_count(m->prof.cnt[c]);
                    int64_t x = part == 0 ? cnt : cnt ? cell_mean(m->prof.sum[c], m->prof.cnt[c]) : prev;
                    wint(w, x - prev);
                    prev = x;
                }
        }
        end_section(w, sec);
    }
    free(map);
    return 0;
}

size_t fc_model_pack_write(const fc_model *m, const fc_network *net, fc_pack_profiles what, int64_t first,
                           uint32_t origins, uint8_t *buf, size_t cap)
{
    wbuf w = {buf, 0, cap};
    if (encode(m, net, what, first, origins, &w)) return 0;
    if (buf && w.len + 8 <= cap) put64(buf + w.len, fc_hash_bytes(FC_HASH_SEED, buf, w.len));
    return w.len + 8;
}

/* ---- reading ---- */

typedef struct rbuf {
    const uint8_t *p, *end;
    int bad; /* ran past the end */
} rbuf;

__attribute__((noinline)) static int64_t rint_(rbuf *r)
{
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    int8_t b = (int8_t)*r->p++;
    if (b != -128) return b;
    if (r->end - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    int32_t v = (int32_t)get32(r->p);
    r->p += 4;
    return v;
}

/* One delta-coded run of h values (the horizons of a sensor's interval, of a correction cell):
 * each within +-qmax steps of 2^-shift, written at out[0], out[stride], ...; bad when one is
 * not. */
static void read_deltas(rbuf *r, uint32_t h, int64_t qmax, int shift, float *out, size_t stride)
{
    int64_t x = 0;
    FC_ONCE_LOOP
    for (uint32_t k = 0; k < h; k++) {
        x += rint_(r);
        if (x > qmax || x < -qmax) r->bad = 1;
        out[(size_t)k * stride] = fc_dequant(x, shift);
    }
}

/* The next section as its own reader; bad when its length runs past the file. */
static rbuf section(rbuf *file)
{
    rbuf s = {file->p, file->p, 1};
    if (file->end - file->p < 4) return s;
    uint32_t len = get32(file->p);
    if ((size_t)(file->end - file->p - 4) < len) return s;
    s.p = file->p + 4;
    s.end = s.p + len;
    s.bad = 0;
    file->p = s.end;
    return s;
}

/* A section must be read exactly to its end (a length that disagrees with its content is
 * corruption, not slack). */
static int done(const rbuf *s) { return !s->bad && s->p == s->end; }

fc_status fc_model_pack_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                             fc_model **out, char *msg, size_t cap)
{
    if (len < HEADER3 + 8) return fc_model_fail(msg, cap, FC_E_FIELD, "too short to be a format-3 model");
    uint32_t version = get32(buf + 8);
    fc_status hst = fc_model_check_header(buf, HEADER3, FLAG_NO_PROFILES | FLAG_WINDOW, net, net_hash, msg, cap);
    if (hst != FC_OK) return hst;
    uint32_t n = get32(buf + 24), h = get32(buf + 28), q = get32(buf + 32), rf = get32(buf + 92);
    if (rf & FLAG_NO_PROFILES && rf & FLAG_WINDOW)
        return fc_model_fail(msg, cap, FC_E_FIELD, "inconsistent dimensions in the header");
    int w_shift = buf[96], b_shift = buf[97], i_shift = buf[98], steps = buf[99];
    if (w_shift > 24 || b_shift > 24 || i_shift > 24 || steps < 1)
        return fc_model_fail(msg, cap, FC_E_FIELD, "quantisation steps out of range");
    int with_profiles = !(rf & FLAG_NO_PROFILES), is_window = !!(rf & FLAG_WINDOW);
    uint32_t origins = get32(buf + 100);
    int64_t first = (int64_t)get64(buf + 104);
    if (is_window ? origins < 1 : origins != 0 || first != 0)
        return fc_model_fail(msg, cap, FC_E_FIELD, "inconsistent window fields");
    fc_train_options o;
    fc_status ost = fc_model_get_options(buf, h, &o, msg, cap);
    if (ost != FC_OK) return ost;
    if (fc_hash_bytes(FC_HASH_SEED, buf, len - 8) != get64(buf + len - 8))
        return fc_model_fail(msg, cap, FC_E_FIELD, "checksum mismatch (corrupted or truncated)");

    rbuf file = {buf + HEADER3, buf + len - 8, 0};
    /* 1: references */
    size_t nref = (size_t)FC_REGIMES * h * FC_NF;
    rbuf s = section(&file);
    if (s.bad || (size_t)(s.end - s.p) != nref * 4) return fc_model_fail(msg, cap, FC_E_FIELD, "weight references: wrong length");
    const uint8_t *refs = s.p;
    fc_model *m = fc_model_alloc(n, h, q, net->interval_s, &o, with_profiles);
    if (!m) return fc_model_fail(msg, cap, FC_E_NOMEM, "out of memory");
    m->network_hash = net_hash;
    m->train_rows = get64(buf + 48);
    const char *why = NULL;
    fc_status st = FC_E_FIELD;
    /* 2: weights */
    s = section(&file);
    FC_ONCE_LOOP
    for (int f = 0; f < FC_NF && !s.bad; f++) {
        int sh = f == FC_F_BIAS ? b_shift : w_shift;
        FC_ONCE_LOOP
        for (int r = 0; r < FC_REGIMES && !s.bad; r++)
            FC_ONCE_LOOP
            for (uint32_t si = 0; si < n && !s.bad; si++) {
                int64_t d = 0;
                FC_ONCE_LOOP
                for (uint32_t k = 0; k < h; k++) {
                    d += rint_(&s);
                    int64_t v = d + (int32_t)get32(refs + ref_at(m, r, k, f) * 4);
                    if (v > QMAX || v < -QMAX) s.bad = 1;
                    m->w[w_at(m, r, si, k, f)] = fc_dequant(v, sh);
                }
            }
    }
    if (!done(&s)) why = "weights: truncated or wrong length";
    /* 3: intervals */
    if (!why) {
        s = section(&file);
        FC_ONCE_LOOP
        for (int side = 0; side < 2 && !s.bad; side++) {
            float *v = side ? m->hi : m->lo;
            FC_ONCE_LOOP
            for (uint32_t si = 0; si < n && !s.bad; si++) read_deltas(&s, h, QMAX, i_shift, v + (size_t)si * h, 1);
        }
        if (!done(&s)) why = "intervals: truncated or wrong length";
    }
    /* 4 (format 4 on): the pooled correction; a format-3 file has none (its model is the linear
     * one alone, which is what the zeros of fc_model_alloc forecast) */
    if (!why && version >= 4) {
        s = section(&file);
        int sh = s.p < s.end ? *s.p++ : -1;
        if (sh < 0 || sh > 24) s.bad = 1;
        int64_t qmax = sh >= 0 && sh <= 24 ? (int64_t)RC_MPH_MAX << sh : 0;
        FC_ONCE_LOOP
        for (size_t c = 0; c < FC_RC_CELLS && !s.bad; c++) read_deltas(&s, h, qmax, sh, m->rc + c, FC_RC_CELLS);
        if (!done(&s)) why = "pooled correction: truncated, wrong length, step or value out of range";
    }
    /* 5 (formats 5 and 6): the shared network; older files have none (all zeros: no correction) */
    if (!why && version >= 5) {
        s = section(&file);
        why = s.bad ? "shared network: wrong length or dimensions"
                    : fc_mlp_pack_read(s.p, (size_t)(s.end - s.p), h, version == 5 ? FC_MLP_IN_V5 : FC_MLP_IN, m->mlp);
        m->has_mlp = fc_model_mlp_nonzero(m);
    }
    if (!why && with_profiles) {
        /* 6 (5 in format 4, 4 in format 3): per-sensor totals */
        s = section(&file);
        if (version == 3) {
            if (s.bad || (size_t)(s.end - s.p) != (size_t)n * 16) why = "profile totals: wrong length";
            else {
                memcpy(m->prof.all_sum, s.p, (size_t)n * 8);
                memcpy(m->prof.all_cnt, s.p + (size_t)n * 8, (size_t)n * 8);
            }
        } else if (s.bad || (size_t)(s.end - s.p) < (size_t)n * 8) {
            why = "profile totals: wrong length";
        } else {
            memcpy(m->prof.all_sum, s.p, (size_t)n * 8);
            s.p += (size_t)n * 8;
            int64_t c = 0;
            FC_ONCE_LOOP
            for (uint32_t si = 0; si < n && !s.bad; si++) {
                c += rint_(&s);
                if (c < 0 || c > QMAX) s.bad = 1;
                m->prof.all_cnt[si] = (double)c;
            }
            if (!done(&s)) why = "profile totals: truncated, wrong length or out of range";
        }
    }
    size_t mapn = (size_t)FC_DAYTYPES * q;
    if (!why && with_profiles) {
        /* 7 (6 in format 4, 5 in format 3): map */
        s = section(&file);
        if (s.bad || (size_t)(s.end - s.p) != (is_window ? mapn : 0)) why = "profile window map: wrong length";
        else if (is_window) {
            if (!(m->window = malloc(mapn))) {
                why = "out of memory";
                st = FC_E_NOMEM;
            } else {
                FC_ONCE_LOOP
                for (size_t i = 0; i < mapn && !why; i++)
                    if (s.p[i] > 1) why = "profile window map: a cell neither 0 nor 1";
                if (!why) memcpy(m->window, s.p, mapn);
                m->window_first = first;
                m->window_origins = origins;
            }
        }
    }
    if (!why && with_profiles) {
        /* 8, 9 (7, 8 in format 4, 6, 7 in format 3): counts then means; counts land in cnt, means (as sums) once both are read */
        rbuf sc = section(&file), smn = section(&file);
        FC_ONCE_LOOP
        for (uint32_t si = 0; si < n && !sc.bad && !smn.bad; si++) {
            int64_t c = 0, mean = 0;
            FC_ONCE_LOOP
            for (size_t cell = 0; cell < mapn; cell++) {
                if (m->window && !m->window[cell]) continue;
                c += rint_(&sc);
                mean += rint_(&smn);
                int64_t mean_max = (int64_t)MEAN_MPH_MAX * steps;
                if (c < 0 || c > COUNT_MAX || mean > mean_max || mean < -mean_max) {
                    sc.bad = 1;
                    break;
                }
                size_t at = (size_t)si * mapn + cell;
                m->prof.cnt[at] = (float)c;
                m->prof.sum[at] = cell_sum((int32_t)mean, (int32_t)c, steps);
            }
        }
        if (!done(&sc) || !done(&smn)) why = "profiles: truncated, wrong length or out of range";
    }
    if (!why && file.p != file.end) why = "bytes after the last section";
    if (!why) {
        /* the same checks as format 2 (model_io.c): finite, bounded, intervals in order */
        int ok = 1;
        size_t nh = (size_t)n * h;
        FC_ONCE_LOOP
        for (size_t i = 0; i < nh * FC_REGIMES * FC_NF && ok; i++) ok = fabsf(m->w[i]) < 1e6f;
        FC_ONCE_LOOP
        for (size_t i = 0; i < nh && ok; i++) ok = m->lo[i] <= m->hi[i] && fabsf(m->lo[i]) < 1e3f && fabsf(m->hi[i]) < 1e3f;
        FC_ONCE_LOOP
        for (size_t i = 0; i < n && ok && with_profiles; i++)
            ok = isfinite(m->prof.all_sum[i]) && isfinite(m->prof.all_cnt[i]) && m->prof.all_cnt[i] >= 0 &&
                 m->prof.all_cnt[i] == floor(m->prof.all_cnt[i]) && fabs(m->prof.all_sum[i]) <= 1e3 * m->prof.all_cnt[i];
        if (!ok) {
            why = "non-finite or out-of-range values";
            st = FC_E_RANGE;
        }
    }
    if (why) {
        fc_model_free(m);
        return fc_model_fail(msg, cap, st, why);
    }
    /* a format-3 file's intervals are finer: held as this engine saves them, so a save and a
     * load change no forecast (as format 2, model_io.c) */
    if (version == 3) fc_model_pack_round(m);
    *out = m;
    return FC_OK;
}
