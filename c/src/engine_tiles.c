/* engine_tiles.c — tile mode: the model's time-of-day profiles come from history profile tiles
 * (tile.h) that JavaScript fetches on demand and the engine keeps in an LRU cache under a byte
 * cap, instead of from arrays covering every sensor. A page showing a 50,000-sensor network
 * then holds only the tiles the current forecast needs, and the model file need not carry
 * profiles at all.
 *
 * A forecast in tile mode runs one sensor group at a time (begin, group..., end): a group whose
 * tile is not cached answers FC_E_NOT_FOUND with the day type it needs; JavaScript fetches that
 * tile, puts it, and asks again. Each group's tiles are copied out of the cache into a scratch
 * buffer per day type before use, so a cap that holds a single tile still completes (the next
 * put may evict what the previous group used), and a cache hit or a refetched tile give the same
 * bytes, hence identical forecasts. The finished forecast is kept for fc_engine_forecast and the
 * travel-time queries of the same data version. */
#include "engine.h"
#include "hash.h"
#include "tile.h"
#include <stdlib.h>
#include <string.h>

#define TILE_CHUNK 4096u
static const char k_rest_id[] = "~rest"; /* not a valid corridor id, so it cannot collide */

struct fc_tiles {
    uint32_t n_groups, n_rest, max_m;
    uint32_t *group_size; /* [n_groups] */
    uint32_t *rest;       /* [n] sensors in no corridor */
    uint32_t *pos;        /* [n] position of a sensor in its group */
    fc_lru *cache;        /* payloads keyed by group * FC_DAYTYPES + day type */
    uint8_t *scratch[FC_DAYTYPES];
    uint32_t scratch_group[FC_DAYTYPES]; /* group the scratch holds for the current forecast */
    uint64_t model_id;
    /* the forecast in progress / finished */
    float *mid, *lo, *hi;  /* [n][H] */
    uint32_t horizons;
    uint64_t begun_version, done_version; /* data versions (0: none) */
    uint64_t begun_seq;    /* bumps on every begin: scratch contents belong to one forecast */
    uint64_t scratch_seq[FC_DAYTYPES];
    unsigned daytypes;     /* day types the current window needs */
    uint8_t *group_done;   /* [n_groups] */
};

static uint64_t model_id_of(const fc_model *m)
{
    size_t nh = (size_t)m->n * m->horizons;
    uint64_t h = fc_hash_bytes(FC_HASH_SEED, m->w, nh * FC_REGIMES * FC_NF * sizeof(float));
    h = fc_hash_bytes(h, m->lo, nh * sizeof(float));
    return fc_hash_bytes(h, m->hi, nh * sizeof(float));
}

void fc_engine_tiles_free(fc_engine *e)
{
    fc_tiles *t = e->tiles;
    if (!t) return;
    fc_lru_destroy(t->cache);
    for (int d = 0; d < FC_DAYTYPES; d++) free(t->scratch[d]);
    free(t->group_size);
    free(t->rest);
    free(t->pos);
    free(t->mid);
    free(t->lo);
    free(t->hi);
    free(t->group_done);
    free(t);
    e->tiles = NULL;
}

/* Switches the engine's (new) model to the tiles: frees its profile arrays, forgets cached
 * tiles of any earlier model, sizes the result buffers. 0, or -1 when out of memory. */
int fc_engine_tiles_attach(fc_engine *e)
{
    fc_tiles *t = e->tiles;
    fc_model *m = e->model;
    uint64_t id = model_id_of(m);
    if (id != t->model_id) fc_lru_clear(t->cache);
    t->model_id = id;
    fc_profile_use_tiles(&m->prof, t->pos);
    size_t nh = (size_t)m->n * m->horizons;
    if (t->horizons != m->horizons || !t->mid) {
        free(t->mid);
        free(t->lo);
        free(t->hi);
        t->mid = malloc(nh * sizeof(float));
        t->lo = malloc(nh * sizeof(float));
        t->hi = malloc(nh * sizeof(float));
        t->horizons = m->horizons;
        if (!t->mid || !t->lo || !t->hi) return -1;
    }
    t->begun_version = t->done_version = 0;
    return 0;
}

fc_status fc_engine_tiles_enable(fc_engine *e, size_t max_bytes)
{
    if (!e) return FC_E_ARG;
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "profile tiles: load a model first");
    if (e->trainer) return fc_engine_fail(e, FC_E_STATE, "profile tiles: a training is in progress");
    if (e->tiles) return fc_engine_fail(e, FC_E_STATE, "profile tiles: already enabled");
    if (max_bytes < TILE_CHUNK || max_bytes > (1u << 30))
        return fc_engine_fail(e, FC_E_RANGE, "profile tiles: cache of %zu bytes, allowed %u..2^30", max_bytes, TILE_CHUNK);
    const fc_network *net = e->net;
    uint32_t n = net->n_sensors, q = e->model->q;
    fc_tiles *t = calloc(1, sizeof *t);
    if (!t) return fc_engine_fail(e, FC_E_NOMEM, "out of memory for profile tiles");
    e->tiles = t;
    t->rest = malloc((size_t)n * sizeof(uint32_t));
    t->pos = malloc((size_t)n * sizeof(uint32_t));
    t->n_groups = fc_tile_group_count(net);
    t->group_size = calloc(t->n_groups ? t->n_groups : 1, sizeof(uint32_t));
    t->group_done = calloc(t->n_groups ? t->n_groups : 1, 1);
    if (!t->rest || !t->pos || !t->group_size || !t->group_done) goto nomem;
    t->n_rest = fc_tile_rest_sensors(net, t->rest);
    for (uint32_t g = 0; g < t->n_groups; g++) {
        const uint32_t *sensors;
        uint32_t m = fc_tile_group_sensors(net, t->rest, t->n_rest, g, &sensors);
        t->group_size[g] = m;
        if (m > t->max_m) t->max_m = m;
        for (uint32_t i = 0; i < m; i++) t->pos[sensors[i]] = i;
    }
    for (int d = 0; d < FC_DAYTYPES; d++) {
        t->scratch[d] = malloc(fc_tile_payload_bytes(t->max_m, q) + 8);
        if (!t->scratch[d]) goto nomem;
    }
    /* two entries per group (one per day type); the byte cap is the caller's */
    if (fc_lru_create(t->n_groups * FC_DAYTYPES + 1, max_bytes, TILE_CHUNK, &t->cache)) goto nomem;
    t->model_id = 0;
    if (fc_engine_tiles_attach(e)) goto nomem;
    e->data_version++;
    return FC_OK;
nomem:
    fc_engine_tiles_free(e);
    return fc_engine_fail(e, FC_E_NOMEM, "out of memory for profile tiles");
}

int fc_engine_tiles_enabled(const fc_engine *e) { return e && e->tiles != NULL; }

uint32_t fc_engine_tile_groups(const fc_engine *e)
{
    return e && e->net ? fc_tile_group_count(e->net) : 0;
}

const char *fc_engine_tile_group_id(const fc_engine *e, uint32_t g)
{
    if (!e || !e->net || g >= fc_tile_group_count(e->net)) return NULL;
    return g < e->net->n_corridors ? e->net->corridors[g].id : k_rest_id;
}

fc_status fc_engine_tile_export(fc_engine *e, uint32_t g, int daytype, uint8_t *buf, size_t cap, size_t *written)
{
    if (!e || (!buf && cap)) return FC_E_ARG;
    if (!e->net || !e->model) return fc_engine_fail(e, FC_E_STATE, "profile tiles: no model to export from");
    if (!fc_model_has_profiles(e->model))
        return fc_engine_fail(e, FC_E_STATE, "profile tiles: this engine's model has no profiles to export (it reads tiles)");
    const fc_network *net = e->net;
    if (g >= fc_tile_group_count(net)) return fc_engine_fail(e, FC_E_NOT_FOUND, "profile tiles: no group %u", g);
    if (daytype < 0 || daytype >= FC_DAYTYPES) return fc_engine_fail(e, FC_E_RANGE, "profile tiles: day type %d", daytype);
    uint32_t *rest = NULL, n_rest = 0;
    const uint32_t *sensors;
    if (g == net->n_corridors) {
        rest = malloc((size_t)net->n_sensors * sizeof(uint32_t));
        if (!rest) return fc_engine_fail(e, FC_E_NOMEM, "out of memory");
        n_rest = fc_tile_rest_sensors(net, rest);
    }
    uint32_t m = fc_tile_group_sensors(net, rest, n_rest, g, &sensors);
    size_t need = fc_tile_file_bytes(m, e->model->q);
    if (written) *written = need;
    fc_status st = FC_OK;
    if (cap < need) st = fc_engine_fail(e, FC_E_ARG, "profile tile: buffer of %zu bytes, need %zu", cap, need);
    else fc_tile_write(&e->model->prof, e->net_hash, model_id_of(e->model), g, daytype, sensors, m, buf);
    free(rest);
    return st;
}

size_t fc_engine_tile_size(const fc_engine *e, uint32_t g)
{
    if (!e || !e->net || !e->model || g >= fc_tile_group_count(e->net)) return 0;
    if (e->tiles) return fc_tile_file_bytes(e->tiles->group_size[g], e->model->q);
    if (g < e->net->n_corridors) return fc_tile_file_bytes(e->net->corridors[g].n_sensors, e->model->q);
    uint32_t m = 0;
    for (uint32_t s = 0; s < e->net->n_sensors; s++) m += e->net->corridor[s] < 0;
    return fc_tile_file_bytes(m, e->model->q);
}

fc_status fc_engine_tile_put(fc_engine *e, const uint8_t *buf, size_t len)
{
    if (!e || (!buf && len)) return FC_E_ARG;
    fc_tiles *t = e->tiles;
    if (!t) return fc_engine_fail(e, FC_E_STATE, "profile tiles are not enabled");
    uint32_t g;
    int d;
    const uint8_t *payload;
    fc_status st = fc_tile_check(buf, len, e->net_hash, t->model_id, e->model->q, t->group_size, t->n_groups, &g, &d,
                                 &payload, e->msg, sizeof e->msg);
    if (st) return st;
    size_t pb = fc_tile_payload_bytes(t->group_size[g], e->model->q);
    st = fc_lru_put(t->cache, (uint64_t)g * FC_DAYTYPES + (uint64_t)d, payload, pb);
    if (st == FC_E_TOO_LARGE) {
        fc_cache_stats cs;
        fc_lru_get_stats(t->cache, &cs);
        return fc_engine_fail(e, st, "profile tile %s/%s (%zu bytes) is larger than the tile cache (%llu bytes)",
                              fc_engine_tile_group_id(e, g), d ? "weekend" : "weekday", pb, (unsigned long long)cs.max_bytes);
    }
    if (st) return fc_engine_fail(e, st, "profile tile: cannot cache it");
    return FC_OK;
}

fc_status fc_engine_forecast_tiles_begin(fc_engine *e, uint32_t *daytypes)
{
    if (!e) return FC_E_ARG;
    fc_tiles *t = e->tiles;
    if (!t) return fc_engine_fail(e, FC_E_STATE, "profile tiles are not enabled");
    if (fc_model_forecast_prepare(e->model, e->net, fc_engine_history(e)))
        return fc_engine_fail(e, FC_E_STATE, "no data to forecast from: ingest a snapshot first");
    t->daytypes = fc_model_window_daytypes(e->model);
    t->begun_version = e->data_version;
    t->begun_seq++;
    memset(t->group_done, 0, t->n_groups);
    if (daytypes) *daytypes = t->daytypes;
    return FC_OK;
}

fc_status fc_engine_forecast_tiles_group(fc_engine *e, uint32_t g, int *need_daytype)
{
    if (!e) return FC_E_ARG;
    fc_tiles *t = e->tiles;
    if (!t) return fc_engine_fail(e, FC_E_STATE, "profile tiles are not enabled");
    if (!t->begun_version || t->begun_version != e->data_version)
        return fc_engine_fail(e, FC_E_STATE, "profile tiles: begin the forecast first (the data changed since)");
    if (g >= t->n_groups) return fc_engine_fail(e, FC_E_NOT_FOUND, "profile tiles: no group %u", g);
    fc_model *m = e->model;
    size_t pb = fc_tile_payload_bytes(t->group_size[g], m->q);
    for (int d = 0; d < FC_DAYTYPES; d++) {
        m->prof.view[d] = NULL;
        if (!(t->daytypes & (1u << d))) continue;
        if (t->scratch_seq[d] != t->begun_seq || t->scratch_group[d] != g) {
            size_t len = 0;
            if (fc_lru_get(t->cache, (uint64_t)g * FC_DAYTYPES + (uint64_t)d, t->scratch[d], pb, &len) != FC_OK) {
                if (need_daytype) *need_daytype = d;
                return fc_engine_fail(e, FC_E_NOT_FOUND, "profile tile %s/%s is not cached: fetch and put it",
                                      fc_engine_tile_group_id(e, g), d ? "weekend" : "weekday");
            }
            t->scratch_seq[d] = t->begun_seq;
            t->scratch_group[d] = g;
        }
        m->prof.view[d] = t->scratch[d];
    }
    m->prof.view_m = t->group_size[g];
    const uint32_t *sensors;
    uint32_t count = fc_tile_group_sensors(e->net, t->rest, t->n_rest, g, &sensors);
    fc_model_forecast_sensors(m, &e->graph, fc_engine_history(e), sensors, count, t->mid, t->lo, t->hi, NULL);
    t->group_done[g] = 1;
    return FC_OK;
}

fc_status fc_engine_forecast_tiles_end(fc_engine *e)
{
    if (!e) return FC_E_ARG;
    fc_tiles *t = e->tiles;
    if (!t) return fc_engine_fail(e, FC_E_STATE, "profile tiles are not enabled");
    if (!t->begun_version || t->begun_version != e->data_version)
        return fc_engine_fail(e, FC_E_STATE, "profile tiles: the data changed during the forecast: begin again");
    for (uint32_t g = 0; g < t->n_groups; g++)
        if (!t->group_done[g])
            return fc_engine_fail(e, FC_E_STATE, "profile tiles: group %s not forecast yet", fc_engine_tile_group_id(e, g));
    t->done_version = e->data_version;
    return FC_OK;
}

int fc_engine_tiles_result(const fc_engine *e, float *mid, float *lo, float *hi)
{
    const fc_tiles *t = e->tiles;
    if (!t || !t->done_version || t->done_version != e->data_version) return -1;
    size_t bytes = (size_t)e->model->n * t->horizons * sizeof(float);
    if (mid) memcpy(mid, t->mid, bytes);
    if (lo) memcpy(lo, t->lo, bytes);
    if (hi) memcpy(hi, t->hi, bytes);
    return 0;
}

void fc_engine_tile_cache_stats(const fc_engine *e, fc_cache_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (e && e->tiles) fc_lru_get_stats(e->tiles->cache, out);
}

uint64_t fc_engine_tiles_bytes(const fc_engine *e)
{
    const fc_tiles *t = e->tiles;
    if (!t) return 0;
    fc_cache_stats cs;
    fc_lru_get_stats(t->cache, &cs);
    uint64_t n = e->net ? e->net->n_sensors : 0;
    return cs.footprint_bytes + FC_DAYTYPES * (fc_tile_payload_bytes(t->max_m, e->model ? e->model->q : 0) + 8) +
           n * 8 + 3ull * n * t->horizons * sizeof(float);
}
