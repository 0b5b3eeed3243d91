/* engine_stats.c — the engine's instrumentation: per-stage timings (stats.c), the optional
 * trace of spans, and the accounting of the memory the engine holds. */
#include "engine.h"
#include "model_io.h"
#include <string.h>

const char *fc_stage_name(fc_stage_id stage)
{
    static const char *const names[FC_STAGE_COUNT] = {"parse", "commit", "forecast", "train", "route"};
    return (unsigned)stage < FC_STAGE_COUNT ? names[stage] : "?";
}

fc_status fc_engine_stage_stats(const fc_engine *e, fc_stage_id stage, fc_stage_stats *out)
{
    if (!e || !out || (unsigned)stage >= FC_STAGE_COUNT) return FC_E_ARG;
    out->calls = e->stats.calls[stage];
    out->total_us = e->stats.total_us[stage];
    fc_stats_summary(&e->stats, stage, &out->median_us, &out->p95_us);
    return FC_OK;
}

fc_status fc_engine_trace(fc_engine *e, int on)
{
    if (!e) return FC_E_ARG;
    if (fc_stats_trace(&e->stats, on)) return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the trace buffer");
    return FC_OK;
}

const void *fc_engine_trace_spans(const fc_engine *e, size_t *count, size_t *next)
{
    if (count) *count = e ? e->stats.trace_len : 0;
    if (next) *next = e ? e->stats.trace_next : 0;
    return e ? e->stats.trace : NULL;
}

fc_status fc_engine_memory(const fc_engine *e, fc_memory *out)
{
    if (!e || !out) return FC_E_ARG;
    memset(out, 0, sizeof *out);
    if (!e->net) return FC_OK;
    uint64_t n = e->net->n_sensors;
    /* ring buffers (7 bytes per sensor-slot), newest-slot sums and counts (18 B), staging
     * (12 B) per sensor */
    out->history_bytes = n * e->hist.cap * 7 + n * 18 + n * 12;
    /* weights and intervals, the pooled correction and the network, forecast scratch, then the profile arrays (2
     * day types x q slots x 8 bytes + 16 per sensor) or, in tile mode, the tile state */
    if (e->model) {
        out->model_bytes = fc_model_file_size_v2(e->model, 0) + (uint64_t)e->model->horizons * FC_RC_CELLS * sizeof(float) +
                           fc_mlp_params(e->model->horizons) * sizeof(float) +
                           n * FC_RECENT * sizeof(float) + n; /* + evidence */
        if (fc_model_has_profiles(e->model)) out->model_bytes += n * FC_DAYTYPES * e->model->q * 8 + n * 16;
        if (e->tiles) out->model_bytes += fc_tiles_bytes(e->tiles);
    }
    out->route_bytes = e->route_fc_len * sizeof(float) + (e->route_ev ? n : 0) + (e->route_cache ? 4u << 20 : 0);
    return FC_OK;
}
