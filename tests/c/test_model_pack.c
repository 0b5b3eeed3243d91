/* test_model_pack.c — model file format 4 (c/src/model_pack.c) as a page and a feed server use
 * it: a saved and reloaded model forecasts exactly as before (training rounds the model to the
 * file's precision), and within the quantisation bound once snapshots have moved the profiles;
 * format-2 and format-3 files still load (as the linear model, without the pooled correction); every corrupt, truncated or oversized section is refused with the
 * current model kept; a window file forecasts exactly as the full file inside its window and
 * says "no profile" outside it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "hash.h"
#include "model_io.h"
#include "model_mlp_pack.h"
#include "model_pack.h"
#include "model_window.h"
#include "test.h"

enum { N = 4, H = 6, NH = N * H };
#define HEADER3 112

static uint8_t *save_full(fc_engine *e, size_t *len)
{
    *len = fc_engine_model_size(e);
    uint8_t *f = malloc(*len ? *len : 1);
    CHECK(*len > 0);
    CHECK_STATUS(fc_engine_save_model(e, f, *len, len), FC_OK);
    return f;
}

static uint8_t *save_window(fc_engine *e, int64_t ts, size_t *len)
{
    *len = 0;
    CHECK_STATUS(fc_engine_save_model_window(e, ts, 0, NULL, 0, len), FC_E_ARG); /* asks the size */
    uint8_t *f = malloc(*len ? *len : 1);
    CHECK_STATUS(fc_engine_save_model_window(e, ts, 0, f, *len, len), FC_OK);
    return f;
}

static void forecast(fc_engine *e, float *mid, float *lo, float *hi)
{
    CHECK_STATUS(fc_engine_forecast(e, mid, lo, hi, NH), FC_OK);
}

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

/* One more 5-minute snapshot after the engine's newest. */
static void ingest_next(fc_engine *e, int k)
{
    float speed[N] = {52 + k % 5, 56, 44 + k % 3, 61};
    CHECK_STATUS(fc_ingest_values(e, fc_engine_last_ts_ms(e) + 300000, speed, NULL, NULL, N, NULL), FC_OK);
}

void test_pack_roundtrip(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    float mid[NH], lo[NH], hi[NH], mid2[NH], lo2[NH], hi2[NH];
    forecast(e, mid, lo, hi);
    uint64_t id = fc_model_id(e->model);
    size_t len;
    uint8_t *file = save_full(e, &len);
    uint32_t v;
    memcpy(&v, file + 8, 4);
    CHECK_EQ_INT(v, 6);
    /* a fresh model is what its file holds: identical forecasts and identity after a load */
    CHECK_STATUS(fc_engine_load_model(e, file, len), FC_OK);
    forecast(e, mid2, lo2, hi2);
    CHECK(same(mid, mid2, NH) && same(lo, lo2, NH) && same(hi, hi2, NH));
    CHECK(fc_model_id(e->model) == id);
    /* and saving again gives the same bytes (rounding is idempotent) */
    size_t len2;
    uint8_t *again = save_full(e, &len2);
    CHECK(len2 == len && memcmp(file, again, len) == 0);
    free(again);

    /* snapshots move the profiles off the file's grid; a save and a load move the forecast by
     * no more than the quantisation: weights are already on it, profile means move by at most
     * half a 0.25 mph step */
    for (int k = 0; k < 12; k++) ingest_next(e, k);
    forecast(e, mid, lo, hi);
    const fc_model *m = e->model;
    size_t cells = (size_t)m->n * 2 * m->q;
    float *sum = malloc(cells * sizeof *sum), *cnt = malloc(cells * sizeof *cnt);
    memcpy(sum, m->prof.sum, cells * sizeof *sum);
    memcpy(cnt, m->prof.cnt, cells * sizeof *cnt);
    free(file);
    file = save_full(e, &len);
    CHECK_STATUS(fc_engine_load_model(e, file, len), FC_OK);
    double worst_mean = 0, worst_fc = 0;
    for (size_t i = 0; i < cells; i++) {
        CHECK(e->model->prof.cnt[i] == cnt[i]);
        if (cnt[i] > 0) worst_mean = fmax(worst_mean, fabs(e->model->prof.sum[i] / cnt[i] - sum[i] / cnt[i]));
    }
    CHECK(worst_mean <= 0.125 + 1e-4);
    forecast(e, mid2, lo2, hi2);
    for (int i = 0; i < NH; i++) worst_fc = fmax(worst_fc, fabs(mid[i] - mid2[i]));
    CHECK(worst_fc < 0.5);
    free(sum);
    free(cnt);
    free(file);
    fc_engine_destroy(e);
}

void test_pack_v2_still_loads(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    float mid[NH], mid2[NH];
    /* format 2 has no pooled correction and no network: its file is the linear model alone */
    memset(e->model->rc, 0, (size_t)e->model->horizons * FC_RC_CELLS * sizeof(float));
    memset(e->model->mlp, 0, fc_mlp_params(e->model->horizons) * sizeof(float));
    e->model->has_mlp = 0;
    forecast(e, mid, NULL, NULL);
    size_t len = fc_model_file_size_v2(e->model, 1);
    uint8_t *v2 = malloc(len);
    fc_model_write_v2(e->model, v2, 1);
    uint32_t v;
    memcpy(&v, v2 + 8, 4);
    CHECK_EQ_INT(v, 2);
    CHECK_STATUS(fc_engine_load_model(e, v2, len), FC_OK);
    forecast(e, mid2, NULL, NULL);
    CHECK(same(mid, mid2, NH));
    /* and it saves as format 6, smaller */
    size_t len3;
    uint8_t *v3 = save_full(e, &len3);
    memcpy(&v, v3 + 8, 4);
    CHECK_EQ_INT(v, 6);
    CHECK(len3 < len);
    free(v2);
    free(v3);
    fc_engine_destroy(e);
}

static void reseal(uint8_t *f, size_t len)
{
    uint64_t h = fc_hash_bytes(FC_HASH_SEED, f, len - 8);
    memcpy(f + len - 8, &h, 8);
}

/* Format 5's network had format 6's first 19 inputs. A model whose network gives the last five
 * no weight saves as format 6; the same file rewritten as format 5 (those W1 rows dropped, 19
 * inputs, version 5) loads and forecasts the same to the bit, and a format-6 network that does
 * weigh them forecasts otherwise (the rows are read, not ignored). */
void test_pack_v5_still_loads(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    fc_model *m = e->model;
    size_t np = fc_mlp_params(m->horizons);
    uint32_t rng = 7;
    for (size_t i = 0; i < np; i++) {
        rng = rng * 1664525u + 1013904223u;
        m->mlp[i] = ((float)(rng >> 8) / 16777216.0f - 0.5f) * 0.2f;
    }
    size_t extra = (size_t)(FC_MLP_IN - FC_MLP_IN_V5) * FC_MLP_HID;
    memset(m->mlp + (size_t)FC_MLP_IN_V5 * FC_MLP_HID, 0, extra * sizeof(float));
    fc_mlp_pack_round(m->mlp, m->horizons);
    m->has_mlp = 1;
    float ref[NH], mid[NH];
    forecast(e, ref, NULL, NULL);
    size_t len;
    uint8_t *v6 = save_full(e, &len);
    /* the network's section: the fifth */
    size_t at = HEADER3;
    for (int k = 0; k < 4; k++) {
        uint32_t slen;
        memcpy(&slen, v6 + at, 4);
        at += 4 + slen;
    }
    uint32_t nlen;
    memcpy(&nlen, v6 + at, 4);
    CHECK_EQ_INT(v6[at + 4], FC_MLP_IN);
    size_t rows = at + 4 + 6 + 2 * (size_t)FC_MLP_IN_V5 * FC_MLP_HID, cut = 2 * extra;
    size_t len5 = len - cut;
    uint8_t *v5 = malloc(len);
    memcpy(v5, v6, rows);
    memcpy(v5 + rows, v6 + rows + cut, len - rows - cut);
    const uint32_t five = 5, nlen5 = nlen - (uint32_t)cut;
    memcpy(v5 + 8, &five, 4);
    memcpy(v5 + at, &nlen5, 4);
    v5[at + 4] = FC_MLP_IN_V5;
    reseal(v5, len5);
    /* the last five inputs of a real origin are not all zero: their weights would show */
    m->mlp[(size_t)FC_MLP_IN_V5 * FC_MLP_HID] = 0.5f;
    m->mlp[(size_t)(FC_MLP_IN - 1) * FC_MLP_HID + 3] = -0.5f;
    forecast(e, mid, NULL, NULL);
    CHECK(!same(mid, ref, NH));
    CHECK_STATUS(fc_engine_load_model(e, v5, len5), FC_OK);
    forecast(e, mid, NULL, NULL);
    CHECK(same(mid, ref, NH));
    for (size_t i = 0; i < extra; i++) CHECK(e->model->mlp[(size_t)FC_MLP_IN_V5 * FC_MLP_HID + i] == 0);
    /* each version with the other's input count is refused, and the model stays */
    v5[at + 4] = FC_MLP_IN;
    reseal(v5, len5);
    CHECK_STATUS(fc_engine_load_model(e, v5, len5), FC_E_FIELD);
    v6[at + 4] = FC_MLP_IN_V5;
    reseal(v6, len);
    CHECK_STATUS(fc_engine_load_model(e, v6, len), FC_E_FIELD);
    forecast(e, mid, NULL, NULL);
    CHECK(same(mid, ref, NH));
    free(v5);
    free(v6);
    fc_engine_destroy(e);
}

/* Loads a bad file: refused with `want`, and the engine's model and forecast unchanged. */
static void refused(fc_engine *e, const uint8_t *f, size_t len, fc_status want, const float *ref, const char *what)
{
    uint64_t version = fc_engine_data_version(e);
    fc_status st = fc_engine_load_model(e, f, len);
    if (st != want) printf("#   %s: %s (%s)\n", what, fc_status_name(st), fc_engine_message(e));
    CHECK_STATUS(st, want);
    CHECK_CONTAINS(fc_engine_message(e), "model file");
    CHECK(fc_engine_data_version(e) == version);
    float mid[NH];
    forecast(e, mid, NULL, NULL);
    CHECK(same(mid, ref, NH));
}

void test_pack_corrupt_sections(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    float ref[NH];
    forecast(e, ref, NULL, NULL);
    size_t lens[2];
    uint8_t *files[2] = {save_full(e, &lens[0]), save_window(e, fc_engine_last_ts_ms(e), &lens[1])};
    for (int w = 0; w < 2; w++) {
        const uint8_t *good = files[w];
        size_t len = lens[w];
        uint8_t *bad = malloc(len + 16);
        /* every truncation (header, each section, checksum) */
        for (size_t cut = 0; cut < len; cut += (cut < HEADER3 + 64 ? 7 : len / 97 + 1)) refused(e, good, cut, FC_E_FIELD, ref, "truncated");
        refused(e, good, len - 1, FC_E_FIELD, ref, "one byte short");
        /* the sections, each by its length field: shorter, longer, absurd */
        size_t at = HEADER3;
        int sections = 0;
        while (at + 4 <= len - 8) {
            uint32_t slen;
            memcpy(&slen, good + at, 4);
            const uint32_t lies[] = {slen + 1, slen ? slen - 1 : 5, 0xffffffffu, 0x7fffffffu};
            for (size_t k = 0; k < sizeof lies / sizeof lies[0]; k++) {
                memcpy(bad, good, len);
                memcpy(bad + at, &lies[k], 4);
                reseal(bad, len);
                refused(e, bad, len, FC_E_FIELD, ref, "section length");
            }
            /* content: an escape byte at the section's end (the int32 it announces is missing);
             * the references (0) and the network (4) are fixed-size numbers, not coded */
            if (slen > 0 && sections != 0 && sections != 4) {
                memcpy(bad, good, len);
                bad[at + 4 + slen - 1] = 0x80;
                reseal(bad, len);
                refused(e, bad, len, FC_E_FIELD, ref, "dangling escape");
            }
            at += 4 + slen;
            sections++;
        }
        CHECK_EQ_INT(at, len - 8);
        CHECK_EQ_INT(sections, 9);
        /* bytes after the last section, sealed */
        memcpy(bad, good, len);
        memcpy(bad + len, bad + len - 8, 8);
        memset(bad + len - 8, 0, 8);
        reseal(bad, len + 8);
        refused(e, bad, len + 8, FC_E_FIELD, ref, "trailing bytes");
        /* a flipped payload byte: the checksum */
        memcpy(bad, good, len);
        bad[len / 2] ^= 0x10;
        refused(e, bad, len, FC_E_FIELD, ref, "checksum");
        /* header fields, resealed (the range checks) and not (the checksum covers the header):
         * quantisation steps, flags, window fields */
        const struct { size_t off; uint8_t val; } heads[] = {{96, 40}, {98, 99}, {99, 0}, {94, 0x0f}, {100, 0x77}};
        for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++) {
            memcpy(bad, good, len);
            bad[heads[k].off] = heads[k].val;
            refused(e, bad, len, FC_E_FIELD, ref, "header");
            if (heads[k].off == 100) continue; /* the window's span only names it (messages) */
            reseal(bad, len);
            refused(e, bad, len, FC_E_FIELD, ref, "header, resealed");
        }
        free(bad);
    }
    /* out of range values, resealed: a profile mean beyond 1,000 mph (an escaped int32 as the
     * first mean delta of the means section), a window map cell of 2, the pooled correction's
     * step beyond 2^-24 and a correction cell beyond 100 mph */
    {
        size_t len = lens[1];
        uint8_t *bad = malloc(len + 8);
        size_t at = HEADER3, starts[9];
        for (int k = 0; k < 9; k++) {
            uint32_t slen;
            memcpy(&slen, files[1] + at, 4);
            starts[k] = at;
            at += 4 + slen;
        }
        memcpy(bad, files[1], len);
        bad[starts[6] + 4 + 3] = 2;
        reseal(bad, len);
        refused(e, bad, len, FC_E_FIELD, ref, "window map");
        memcpy(bad, files[1], len);
        bad[starts[3] + 4] = 25;
        reseal(bad, len);
        refused(e, bad, len, FC_E_FIELD, ref, "correction step");
        /* the first cell's first horizon: 101 mph in 2^-4 steps, an escaped int32 */
        uint32_t rc_len;
        memcpy(&rc_len, files[1] + starts[3], 4);
        uint8_t *longer = malloc(len + 8);
        size_t p0 = starts[3] + 4 + 1; /* after the length and the step */
        int32_t big_rc = 101 * 16;
        memcpy(longer, files[1], p0);
        longer[p0] = 0x80;
        memcpy(longer + p0 + 1, &big_rc, 4);
        /* the rest of the section as it was, one coded value (one byte unless escaped) dropped */
        size_t skip = files[1][p0] == 0x80 ? 5 : 1;
        memcpy(longer + p0 + 5, files[1] + p0 + skip, len - p0 - skip);
        size_t llen = len + 5 - skip;
        uint32_t new_rc_len = rc_len + 5 - (uint32_t)skip;
        memcpy(longer + starts[3], &new_rc_len, 4);
        reseal(longer, llen);
        refused(e, longer, llen, FC_E_FIELD, ref, "correction out of range");
        /* the same file with 99 mph loads: the bound is the range, not the encoding */
        big_rc = 99 * 16;
        memcpy(longer + p0 + 1, &big_rc, 4);
        reseal(longer, llen);
        CHECK_STATUS(fc_engine_load_model(e, longer, llen), FC_OK);
        CHECK_STATUS(fc_engine_load_model(e, files[0], lens[0]), FC_OK); /* back to the model */
        free(longer);
        /* the first mean (an escaped int32: 50 mph is 200 steps), made 2^30 */
        /* the network (section 5: 2 dimension bytes, 4 step shifts, then i16): other dimensions,
         * each part's step beyond 2^-30, a weight beyond 1e4 (20,000 in steps of 1) */
        size_t net = starts[4] + 4;
        memcpy(bad, files[1], len);
        bad[net] = FC_MLP_IN + 1;
        reseal(bad, len);
        refused(e, bad, len, FC_E_FIELD, ref, "network dimensions");
        for (int k = 0; k < 4; k++) {
            memcpy(bad, files[1], len);
            bad[net + 2 + k] = 31;
            reseal(bad, len);
            refused(e, bad, len, FC_E_FIELD, ref, "network step");
        }
        const int16_t wrong[] = {20000, -10001};
        for (size_t k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
            memcpy(bad, files[1], len);
            bad[net + 2] = 0;
            memcpy(bad + net + 6 + 2 * 37, &wrong[k], 2);
            reseal(bad, len);
            refused(e, bad, len, FC_E_FIELD, ref, "network weight");
        }
        /* a weight of 9,999 loads: the bound is the range */
        memcpy(bad, files[1], len);
        bad[net + 2] = 0;
        const int16_t ok_w = 9999;
        memcpy(bad + net + 6 + 2 * 37, &ok_w, 2);
        reseal(bad, len);
        CHECK_STATUS(fc_engine_load_model(e, bad, len), FC_OK);
        CHECK_STATUS(fc_engine_load_model(e, files[0], lens[0]), FC_OK); /* back to the model */
        size_t first = starts[8] + 4;
        CHECK_EQ_INT(files[1][first], 0x80);
        memcpy(bad, files[1], len);
        uint32_t big = 1u << 30;
        memcpy(bad + first + 1, &big, 4);
        reseal(bad, len);
        refused(e, bad, len, FC_E_FIELD, ref, "mean out of range");
        free(bad);
    }
    free(files[0]);
    free(files[1]);
    fc_engine_destroy(e);
}

void test_pack_window(void)
{
    fc_engine *e = fc_test_trained_engine(0), *full = fc_test_trained_engine(0);
    CHECK(e != NULL && full != NULL);
    if (!e || !full) {
        fc_engine_destroy(e);
        fc_engine_destroy(full);
        return;
    }
    float ref[NH], lo_r[NH], hi_r[NH], mid[NH], lo[NH], hi[NH];
    size_t flen, wlen;
    uint8_t *ffile = save_full(e, &flen), *wfile = save_window(e, fc_engine_last_ts_ms(e), &wlen);
    /* the window holds a small part of the profiles (weights, intervals and the pooled
     * correction are in both: a file without profiles is that common part) */
    size_t blen = fc_engine_model_size_without_profiles(e);
    CHECK(wlen - blen < (flen - blen) / 2);
    /* the window file at the newest snapshot forecasts exactly as the full model */
    forecast(full, ref, lo_r, hi_r);
    CHECK_STATUS(fc_engine_load_model(e, wfile, wlen), FC_OK);
    CHECK(e->model->window != NULL);
    forecast(e, mid, lo, hi);
    CHECK(same(mid, ref, NH) && same(lo, lo_r, NH) && same(hi, hi_r, NH));
    /* so it does for every snapshot of the next hour (both engines learn the same slots) */
    CHECK_STATUS(fc_engine_load_model(full, ffile, flen), FC_OK);
    for (int k = 0; k < 12; k++) {
        ingest_next(e, k);
        ingest_next(full, k);
        forecast(full, ref, lo_r, hi_r);
        forecast(e, mid, lo, hi);
        CHECK(same(mid, ref, NH) && same(lo, lo_r, NH) && same(hi, hi_r, NH));
    }
    /* past the window: an honest "no profile", not a forecast from empty cells */
    ingest_next(e, 12);
    ingest_next(full, 12);
    forecast(full, ref, NULL, NULL);
    CHECK_STATUS(fc_engine_forecast(e, mid, NULL, NULL, NH), FC_E_STATE);
    CHECK_CONTAINS(fc_engine_message(e), "no profile for this time");
    CHECK_CONTAINS(fc_engine_message(e), "window file");
    /* a window model cannot pass for the full one */
    size_t cap = 1 << 20, got = 0;
    uint8_t *buf = malloc(cap);
    CHECK_EQ_INT(fc_engine_model_size(e), 0);
    CHECK_STATUS(fc_engine_save_model(e, buf, cap, &got), FC_E_STATE);
    CHECK_STATUS(fc_engine_save_model_window(e, fc_engine_last_ts_ms(e), 0, buf, cap, &got), FC_E_STATE);
    CHECK_STATUS(fc_engine_tile_export(e, 0, 0, buf, cap, &got), FC_E_STATE);
    CHECK_CONTAINS(fc_engine_message(e), "window");
    /* without profiles it still saves (weights and intervals are all here) */
    CHECK_STATUS(fc_engine_save_model_without_profiles(e, buf, cap, &got), FC_OK);
    /* the full file (with the hour the other engine learnt) brings everything back */
    free(ffile);
    ffile = save_full(full, &flen);
    CHECK_STATUS(fc_engine_load_model(e, ffile, flen), FC_OK);
    forecast(e, mid, NULL, NULL);
    CHECK(same(mid, ref, NH));
    /* arguments: a span over a week, a time out of range */
    CHECK_STATUS(fc_engine_save_model_window(e, fc_engine_last_ts_ms(e), 8 * 86400, buf, cap, &got), FC_E_RANGE);
    CHECK_STATUS(fc_engine_save_model_window(e, INT64_MAX, 0, buf, cap, &got), FC_E_RANGE);
    CHECK_STATUS(fc_engine_save_model_window(NULL, 0, 0, buf, cap, &got), FC_E_ARG);
    free(buf);
    free(ffile);
    free(wfile);
    fc_engine_destroy(e);
    fc_engine_destroy(full);
}

/* The window map holds exactly the cells a forecast reads: a window file for a time whose
 * hour crosses midnight from Friday into Saturday carries cells of both day types, and an hour
 * in the middle of a day only that day type's, ±smooth around the slots of the recent window
 * and the horizons. */
void test_pack_window_cells(void)
{
    fc_engine *e = fc_test_trained_engine(0);
    CHECK(e != NULL);
    if (!e) return;
    const fc_model *m = e->model;
    uint8_t *map = calloc(2 * (size_t)m->q, 1);
    /* a snapshot at 2025-11-28 (Friday) 23:50 New York = 04:50 UTC: its slot is 23:45 (tod 285) */
    int64_t ts = 1764391800000LL, slot = (ts - 1) / 300000;
    fc_model_window_mark(m, e->net, slot, map);
    int weekday = 0, weekend = 0;
    for (uint32_t t = 0; t < m->q; t++) {
        weekday += map[t];
        weekend += map[m->q + t];
    }
    /* 24 slots back and 6 ahead: Friday tods 261..287, each ±4 (257..288 and, wrapping within
     * the day type, 0..2), and Saturday 0..3, ±4 (285..288, 0..7) */
    CHECK_EQ_INT(weekday, 32 + 3);
    CHECK_EQ_INT(weekend, 4 + 8);
    free(map);
    fc_engine_destroy(e);
}
