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

void fc_profile_clear(fc_profile *p)
{
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
    size_t c = cell(p, s, daytype, tod % p->q);
    p->sum[c] += v;
    p->cnt[c] += 1.0f;
    p->all_sum[s] += v;
    p->all_cnt[s] += 1.0;
}

float fc_profile_get(const fc_profile *p, uint32_t s, int daytype, uint32_t tod, int smooth,
                     float prior, float ex_sum, float ex_cnt)
{
    double sum = -ex_sum, cnt = -ex_cnt;
    for (int d = -smooth; d <= smooth; d++) {
        /* the window wraps around midnight within the day type */
        uint32_t t = (uint32_t)(((int64_t)tod + d + (int64_t)p->q * 4) % p->q);
        size_t c = cell(p, s, daytype, t);
        sum += p->sum[c];
        cnt += p->cnt[c];
    }
    double mean = p->all_cnt[s] > 0 ? p->all_sum[s] / p->all_cnt[s] : 0.0;
    /* nothing left after the exclusion (a negative count is float rounding): the overall mean,
     * which is what the formula below gives for cnt = 0, without dividing a rounding residue by
     * a prior that may be tiny (fuzz_model: a model file's 2e-41 prior made it -inf) */
    if (cnt <= 0) return (float)mean;
    return (float)((sum + prior * mean) / (cnt + prior));
}
