/* profile.c — see profile.h. */
#include "profile.h"
#include <stdlib.h>
#include <string.h>

int fc_profile_init(fc_profile *p, uint32_t n, uint32_t q)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->q = q;
    size_t cells = (size_t)n * FC_DAYTYPES * q;
    p->sum = calloc(cells, sizeof(float));
    p->cnt = calloc(cells, sizeof(float));
    p->all_sum = calloc(n, sizeof(double));
    p->all_cnt = calloc(n, sizeof(double));
    if (!p->sum || !p->cnt || !p->all_sum || !p->all_cnt) {
        fc_profile_free(p);
        return -1;
    }
    return 0;
}

void fc_profile_free(fc_profile *p)
{
    free(p->sum);
    free(p->cnt);
    free(p->all_sum);
    free(p->all_cnt);
    memset(p, 0, sizeof *p);
}

void fc_profile_use_tiles(fc_profile *p, const uint32_t *pos)
{
    uint32_t n = p->n, q = p->q;
    fc_profile_free(p);
    p->n = n;
    p->q = q;
    p->tiled = 1;
    p->pos = pos;
}

void fc_profile_show_tiles(fc_profile *p, const uint8_t *const payload[FC_DAYTYPES], uint32_t m)
{
    for (int d = 0; d < FC_DAYTYPES; d++) p->view[d] = payload[d];
    p->view_m = m;
}

void fc_profile_clear(fc_profile *p)
{
    if (p->tiled) return;
    size_t cells = (size_t)p->n * FC_DAYTYPES * p->q;
    memset(p->sum, 0, cells * sizeof(float));
    memset(p->cnt, 0, cells * sizeof(float));
    memset(p->all_sum, 0, p->n * sizeof(double));
    memset(p->all_cnt, 0, p->n * sizeof(double));
}

static size_t cell(const fc_profile *p, uint32_t s, int daytype, uint32_t tod)
{
    return ((size_t)s * FC_DAYTYPES + (size_t)daytype) * p->q + tod;
}

void fc_profile_add(fc_profile *p, uint32_t s, int daytype, uint32_t tod, float v)
{
    if (p->tiled) return;
    size_t c = cell(p, s, daytype, tod % p->q);
    p->sum[c] += v;
    p->cnt[c] += 1.0f;
    p->all_sum[s] += v;
    p->all_cnt[s] += 1.0;
}

/* Profiles are speeds: whatever a model file or a tile held (they are validated, but a count
 * of 1e-30 under a sum of 1e30 is finite and still absurd), a lookup returns a value in
 * [0, 655.35] mph (the history's range) and never NaN, so nothing downstream can go non-finite.
 * Valid profiles are never clamped. */
static float sane(double v)
{
    if (v >= 0 && v <= 655.35) return (float)v;
    return v > 655.35 ? 655.35f : 0.0f;
}

/* The profile rule on one sensor's row of q sums and counts (its day type's) and its overall
 * sum and count, whether they live in the local arrays or in a tile view: one piece of code, so
 * a tile of the same sums gives bit-identical values. */
void fc_profile_window(const fc_profile_row *r, uint32_t tod, int smooth, double *sum, double *cnt)
{
    double s = 0, c = 0;
    for (int d = -smooth; d <= smooth; d++) {
        /* the window wraps around midnight within the day type */
        uint32_t t = (uint32_t)(((int64_t)tod + d + (int64_t)r->q * 4) % r->q);
        s += r->sums[t];
        c += r->cnts[t];
    }
    *sum = s;
    *cnt = c;
}

float fc_profile_value(const fc_profile_row *r, double wsum, double wcnt, float prior, float ex_sum, float ex_cnt)
{
    double sum = wsum - ex_sum, cnt = wcnt - ex_cnt;
    double mean = r->all_cnt > 0 ? r->all_sum / r->all_cnt : 0.0;
    /* nothing left after the exclusion (a negative count is float rounding): the overall mean,
     * which is what the formula below gives for cnt = 0, without dividing a rounding residue by
     * a prior that may be tiny (fuzz_model: a model file's 2e-41 prior made it -inf) */
    if (cnt <= 0) return sane(mean);
    return sane((sum + prior * mean) / (cnt + prior));
}

float fc_profile_get(const fc_profile *p, uint32_t s, int daytype, uint32_t tod, int smooth,
                     float prior, float ex_sum, float ex_cnt)
{
    fc_profile_row r;
    fc_profile_row_of(p, s, daytype, &r);
    /* tiles hold other days only, so nothing is left out */
    if (p->tiled) ex_sum = ex_cnt = 0;
    double sum, cnt;
    fc_profile_window(&r, tod, smooth, &sum, &cnt);
    return fc_profile_value(&r, sum, cnt, prior, ex_sum, ex_cnt);
}

void fc_profile_row_of(const fc_profile *p, uint32_t s, int daytype, fc_profile_row *r)
{
    uint32_t q = p->q;
    r->q = q;
    if (p->tiled) {
        /* a tile payload (tile.h): sum[m][q], count[m][q], sensor sum[m], sensor count[m], 8-byte
         * aligned */
        const uint8_t *v = p->view[daytype];
        uint32_t m = p->view_m, i = p->pos[s];
        const float *rows = (const float *)(const void *)v;
        const double *all = (const double *)(const void *)(v + (size_t)m * q * 8);
        r->sums = rows + (size_t)i * q;
        r->cnts = rows + ((size_t)m + i) * q;
        r->all_sum = all[i];
        r->all_cnt = all[m + i];
        return;
    }
    size_t row = cell(p, s, daytype, 0);
    r->sums = p->sum + row;
    r->cnts = p->cnt + row;
    r->all_sum = p->all_sum[s];
    r->all_cnt = p->all_cnt[s];
}

double fc_profile_count(const fc_profile *p, uint32_t s, int daytype)
{
    if (p->tiled) {
        /* every tile of a group repeats the sensor counts (tile.h): any day type's will do */
        uint32_t m = p->view_m;
        const double *all = (const double *)(const void *)(p->view[daytype] + (size_t)m * p->q * 8);
        return all[m + p->pos[s]];
    }
    return p->all_cnt[s];
}
