/* model_resid.c — fitting the pooled residual correction (model_resid.h). */
#include "model_resid.h"
#include "once_loop.h"
#include "model_solve.h"
#include <math.h>
#include <string.h>

/* The fit runs once per horizon per training: FC_ONCE_LOOP (once_loop.h); the scatter into the cells
 * does not vectorise anyway. */

/* Backfitting passes: the inner split gained nothing from more than 4 (PERFORMANCE.md §32). */
#define RC_PASSES 4

void fc_rc_fit(const uint8_t *cells, const float *r, uint32_t n, float huber_mph, float prior, float *e, float *rc)
{
    memset(rc, 0, FC_RC_CELLS * sizeof(float));
    memcpy(e, r, (size_t)n * sizeof(float)); /* e: the residual the tables leave */
    FC_ONCE_LOOP
    for (int pass = 0; pass < RC_PASSES; pass++) {
        FC_ONCE_LOOP
        for (int k = 0; k < FC_RC_TABLES; k++) {
            float *t = rc + fc_rc_table_start(k);
            int size = fc_rc_table_size(k);
            double sw[FC_RC_PAIR] = {0}, swe[FC_RC_PAIR] = {0};
            FC_ONCE_LOOP
            for (uint32_t i = 0; i < n; i++) {
                uint8_t c = cells[(size_t)i * FC_RC_TABLES + k];
                float w = fc_huber_weight(e[i], huber_mph);
                sw[c] += w;
                swe[c] += (double)w * (e[i] + t[c]); /* what this table is left to explain */
            }
            float d[FC_RC_PAIR];
            FC_ONCE_LOOP
            for (int c = 0; c < size; c++) {
                float v = (float)(swe[c] / (sw[c] + prior));
                d[c] = v - t[c];
                t[c] = v;
            }
            FC_ONCE_LOOP
            for (uint32_t i = 0; i < n; i++) e[i] -= d[cells[(size_t)i * FC_RC_TABLES + k]];
        }
    }
}
