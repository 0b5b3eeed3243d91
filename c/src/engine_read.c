/* engine_read.c — what a host that serves the engine's decisions (the feed server,
 * web/server/rules.js) reads back: the values a snapshot committed for itself, and a range of
 * committed history rows. The server keeps no rule of its own: it stores and serves exactly
 * these, so a page's engine that ingests what the server serves reaches the same state.
 *
 * Nothing here adds a rule either. The echo ingests are fc_ingest_json and fc_ingest_binary
 * themselves; their commit (engine_ingest.c) copies the staged values out on its way (it keeps
 * none of them: it folds them into the slot's means and resets the stage). */
#include "engine.h"
#include <math.h>
#include <string.h>

static fc_status check_echo_args(const fc_engine *e, const void *buf, size_t len, const float *speed,
                                 const float *volume, const float *occ, const uint8_t *quality, size_t n)
{
    if (!e || (!buf && len) || !speed || !volume || !occ || !quality) return FC_E_ARG;
    if (e->net && n != e->net->n_sensors) return FC_E_ARG;
    return FC_OK;
}

/* The echo ingests are fc_ingest_json / fc_ingest_binary themselves (same decision, counters,
 * timings and commit), with the commit asked to copy the stage out on its way. */
#define ECHO_INGEST(call)                                                        \
    do {                                                                         \
        fc_status st_ = check_echo_args(e, buf, len, speed, volume, occ, quality, n); \
        if (st_) {                                                               \
            if (res) memset(res, 0, sizeof *res);                                \
            return st_;                                                          \
        }                                                                        \
        e->echo.speed = speed, e->echo.volume = volume, e->echo.occ = occ, e->echo.quality = quality; \
        st_ = (call);                                                            \
        e->echo.speed = NULL;                                                    \
        return st_;                                                              \
    } while (0)

fc_status fc_ingest_json_echo(fc_engine *e, const char *buf, size_t len, fc_ingest_result *res,
                              float *speed, float *volume, float *occ, uint8_t *quality, size_t n)
{
    ECHO_INGEST(fc_ingest_json(e, buf, len, res));
}

fc_status fc_ingest_binary_echo(fc_engine *e, const uint8_t *buf, size_t len, fc_ingest_result *res,
                                float *speed, float *volume, float *occ, uint8_t *quality, size_t n)
{
    ECHO_INGEST(fc_ingest_binary(e, buf, len, res));
}

int64_t fc_engine_history_head(const fc_engine *e)
{
    return e && e->net ? e->hist.head : INT64_MIN;
}

fc_status fc_engine_history_rows(const fc_engine *e, int64_t first_slot, size_t rows, float *speed,
                                 float *volume, float *occ, uint8_t *quality, size_t n)
{
    if (!e || (rows && (!speed || !volume || !occ || !quality))) return FC_E_ARG;
    if (!e->net) return FC_E_STATE;
    if (n != e->net->n_sensors) return FC_E_ARG;
    const fc_history *h = fc_engine_history(e);
    for (size_t r = 0; r < rows; r++) {
        int64_t slot = first_slot + (int64_t)r;
        size_t o = r * n;
        /* held: not after the head, and not so old that the ring has reused its row */
        int held = h->head != INT64_MIN && slot <= h->head && h->head - slot < (int64_t)h->cap;
        if (!held) {
            for (size_t s = 0; s < n; s++) speed[o + s] = volume[o + s] = occ[o + s] = NAN;
            memset(quality + o, 0, n);
            continue;
        }
        size_t row = fc_history_index(h, 0, slot);
        for (size_t s = 0; s < n; s++) {
            speed[o + s] = fc_dq_speed(h->speed[row + s]);
            volume[o + s] = fc_dq_volume(h->volume[row + s]);
            occ[o + s] = fc_dq_occupancy(h->occupancy[row + s]);
        }
        memcpy(quality + o, h->quality + row, n);
    }
    return FC_OK;
}
