/* engine_tiles.c — the public tile-mode calls (flowcast.h): the engine's checks of its own state
 * (network, model, training, mode) over tile_mode.c, which does the work on the engine's
 * network, model, graph and history at its data version. */
#include "engine.h"
#include "tile.h"
#include <string.h>

static fc_status not_enabled(fc_engine *e) { return fc_engine_fail(e, FC_E_STATE, "profile tiles are not enabled"); }

fc_status fc_engine_tiles_enable(fc_engine *e, size_t max_bytes)
{
    if (!e) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "profile tiles: load a model first");
    if (e->trainer) return fc_engine_fail(e, FC_E_STATE, "profile tiles: a training is in progress");
    if (e->tiles) return fc_engine_fail(e, FC_E_STATE, "profile tiles: already enabled");
    fc_status st = fc_tiles_create(e->net, e->model, max_bytes, &e->tiles, e->msg, sizeof e->msg);
    if (st) return st;
    e->data_version++;
    return FC_OK;
}

int fc_engine_tiles_enabled(const fc_engine *e) { return e && e->tiles != NULL; }

uint32_t fc_engine_tile_groups(const fc_engine *e) { return e && e->net ? fc_tile_group_count(e->net) : 0; }

const char *fc_engine_tile_group_id(const fc_engine *e, uint32_t g)
{
    return e && e->net ? fc_tile_group_id(e->net, g) : NULL;
}

fc_status fc_engine_tile_export(fc_engine *e, uint32_t g, int daytype, uint8_t *buf, size_t cap, size_t *written)
{
    if (!e || (!buf && cap)) return FC_E_ARG;
    if (!e->net || !e->model) return fc_engine_fail(e, FC_E_STATE, "profile tiles: no model to export from");
    if (!fc_model_has_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "profile tiles: this engine's model has no profiles to export (it reads tiles)");
    if (!fc_model_has_all_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "profile tiles: this engine's model came from a window file (the profiles of an hour only)");
    return fc_tiles_export(e->net, e->model, e->net_hash, g, daytype, buf, cap, written, e->msg, sizeof e->msg);
}

size_t fc_engine_tile_size(const fc_engine *e, uint32_t g)
{
    if (!e || !e->net || !e->model || g >= fc_tile_group_count(e->net)) return 0;
    return fc_tile_file_bytes(fc_tile_group_size(e->net, g), e->model->q);
}

fc_status fc_engine_tile_put(fc_engine *e, const uint8_t *buf, size_t len)
{
    if (!e || (!buf && len)) return FC_E_ARG;
    if (!e->tiles) return not_enabled(e);
    return fc_tiles_put(e->tiles, e->net, e->net_hash, buf, len, e->msg, sizeof e->msg);
}

fc_status fc_engine_forecast_tiles_begin(fc_engine *e, uint32_t *daytypes)
{
    if (!e) return FC_E_ARG;
    if (!e->tiles) return not_enabled(e);
    return fc_tiles_begin(e->tiles, e->model, e->net, fc_engine_history(e), e->data_version, daytypes, e->msg,
                          sizeof e->msg);
}

fc_status fc_engine_forecast_tiles_group(fc_engine *e, uint32_t g, int *need_daytype)
{
    if (!e) return FC_E_ARG;
    if (!e->tiles) return not_enabled(e);
    return fc_tiles_group(e->tiles, e->model, e->net, &e->graph, fc_engine_history(e), e->data_version, g,
                          need_daytype, e->msg, sizeof e->msg);
}

fc_status fc_engine_forecast_tiles_end(fc_engine *e)
{
    if (!e) return FC_E_ARG;
    if (!e->tiles) return not_enabled(e);
    return fc_tiles_end(e->tiles, e->model, e->net, &e->graph, e->data_version, e->msg, sizeof e->msg);
}

void fc_engine_tile_cache_stats(const fc_engine *e, fc_cache_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (e && e->tiles) fc_tiles_cache_stats(e->tiles, out);
}
