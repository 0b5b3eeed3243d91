/* tile_mode.c — see tile_mode.h. Each group's tiles are copied out of the cache into a scratch
 * buffer per day type before use, so a cap that holds a single tile still completes (the next
 * put may evict what the previous group used), and a cache hit or a refetched tile give the
 * same bytes, hence identical forecasts. */
#include "tile_mode.h"
#include "lru.h"
#include "tile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fc_tiles {
    uint32_t n, q;        /* the network's sensors, the model's profile slots per day */
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
    uint8_t *evidence;     /* [n] fc_evidence of the finished forecast */
    uint32_t horizons;
    uint64_t begun_version, done_version; /* data versions (0: none) */
    uint64_t begun_seq;    /* bumps on every begin: scratch contents belong to one forecast */
    uint64_t scratch_seq[FC_DAYTYPES];
    unsigned daytypes;     /* day types the current window needs */
    uint8_t *group_done;   /* [n_groups] */
};

static const char *daytype_name(int d) { return d ? "weekend" : "weekday"; }

void fc_tiles_free(fc_tiles *t)
{
    if (!t) return;
    fc_lru_destroy(t->cache);
    for (int d = 0; d < FC_DAYTYPES; d++) free(t->scratch[d]);
    free(t->group_size);
    free(t->rest);
    free(t->pos);
    free(t->mid);
    free(t->lo);
    free(t->hi);
    free(t->evidence);
    free(t->group_done);
    free(t);
}

fc_status fc_tiles_attach(fc_tiles *t, fc_model *m, char *msg, size_t msg_cap)
{
    /* everything that can fail comes first, so a failure changes nothing */
    if (t->horizons != m->horizons || !t->mid) {
        size_t nh = (size_t)t->n * m->horizons;
        float *mid = malloc(nh * sizeof(float)), *lo = malloc(nh * sizeof(float)), *hi = malloc(nh * sizeof(float));
        if (!mid || !lo || !hi) {
            free(mid);
            free(lo);
            free(hi);
            snprintf(msg, msg_cap, "out of memory for profile tiles");
            return FC_E_NOMEM;
        }
        free(t->mid);
        free(t->lo);
        free(t->hi);
        t->mid = mid;
        t->lo = lo;
        t->hi = hi;
        t->horizons = m->horizons;
    }
    uint64_t id = fc_model_id(m);
    if (id != t->model_id) fc_lru_clear(t->cache);
    t->model_id = id;
    fc_model_use_tiles(m, t->pos);
    t->begun_version = t->done_version = 0;
    return FC_OK;
}

fc_status fc_tiles_create(const fc_network *net, fc_model *m, size_t max_bytes, fc_tiles **out, char *msg,
                          size_t msg_cap)
{
    if (max_bytes < FC_TILE_CHUNK || max_bytes > (1u << 30)) {
        snprintf(msg, msg_cap, "profile tiles: cache of %zu bytes, allowed %u..2^30", max_bytes, FC_TILE_CHUNK);
        return FC_E_RANGE;
    }
    uint32_t n = net->n_sensors;
    fc_tiles *t = calloc(1, sizeof *t);
    if (!t) goto nomem;
    t->n = n;
    t->q = m->q;
    t->rest = malloc((size_t)n * sizeof(uint32_t));
    t->pos = malloc((size_t)n * sizeof(uint32_t));
    t->evidence = malloc(n ? n : 1);
    t->n_groups = fc_tile_group_count(net);
    t->group_size = calloc(t->n_groups ? t->n_groups : 1, sizeof(uint32_t));
    t->group_done = calloc(t->n_groups ? t->n_groups : 1, 1);
    if (!t->rest || !t->pos || !t->evidence || !t->group_size || !t->group_done) goto nomem;
    t->n_rest = fc_tile_rest_sensors(net, t->rest);
    for (uint32_t g = 0; g < t->n_groups; g++) {
        const uint32_t *sensors;
        uint32_t gm = fc_tile_group_sensors(net, t->rest, t->n_rest, g, &sensors);
        t->group_size[g] = gm;
        if (gm > t->max_m) t->max_m = gm;
        for (uint32_t i = 0; i < gm; i++) t->pos[sensors[i]] = i;
    }
    for (int d = 0; d < FC_DAYTYPES; d++) {
        t->scratch[d] = malloc(fc_tile_payload_bytes(t->max_m, t->q) + 8);
        if (!t->scratch[d]) goto nomem;
    }
    /* two entries per group (one per day type); the byte cap is the caller's */
    if (fc_lru_create(t->n_groups * FC_DAYTYPES + 1, max_bytes, FC_TILE_CHUNK, &t->cache)) goto nomem;
    if (fc_tiles_attach(t, m, msg, msg_cap)) goto nomem;
    *out = t;
    return FC_OK;
nomem:
    fc_tiles_free(t);
    snprintf(msg, msg_cap, "out of memory for profile tiles");
    return FC_E_NOMEM;
}

fc_status fc_tiles_put(fc_tiles *t, const fc_network *net, uint64_t net_hash, const uint8_t *buf, size_t len,
                       char *msg, size_t msg_cap)
{
    uint32_t g;
    int d;
    const uint8_t *payload;
    fc_status st = fc_tile_check(buf, len, net_hash, t->model_id, t->q, t->group_size, t->n_groups, &g, &d, &payload,
                                 msg, msg_cap);
    if (st) return st;
    size_t pb = fc_tile_payload_bytes(t->group_size[g], t->q);
    st = fc_lru_put(t->cache, (uint64_t)g * FC_DAYTYPES + (uint64_t)d, payload, pb);
    if (st == FC_E_TOO_LARGE) {
        fc_cache_stats cs;
        fc_lru_get_stats(t->cache, &cs);
        snprintf(msg, msg_cap, "profile tile %s/%s (%zu bytes) is larger than the tile cache (%llu bytes)",
                 fc_tile_group_id(net, g), daytype_name(d), pb, (unsigned long long)cs.max_bytes);
        return st;
    }
    if (st) snprintf(msg, msg_cap, "profile tile: cannot cache it");
    return st;
}

fc_status fc_tiles_begin(fc_tiles *t, fc_model *m, const fc_network *net, const fc_history *h, uint64_t version,
                         uint32_t *daytypes, char *msg, size_t msg_cap)
{
    if (fc_model_forecast_prepare(m, net, h)) {
        snprintf(msg, msg_cap, "no data to forecast from: ingest a snapshot first");
        return FC_E_STATE;
    }
    t->daytypes = fc_model_window_daytypes(m);
    t->begun_version = version;
    t->begun_seq++;
    memset(t->group_done, 0, t->n_groups);
    if (daytypes) *daytypes = t->daytypes;
    return FC_OK;
}

fc_status fc_tiles_group(fc_tiles *t, fc_model *m, const fc_network *net, const fc_graph *graph, const fc_history *h,
                         uint64_t version, uint32_t g, int *need_daytype, char *msg, size_t msg_cap)
{
    if (!t->begun_version || t->begun_version != version) {
        snprintf(msg, msg_cap, "profile tiles: begin the forecast first (the data changed since)");
        return FC_E_STATE;
    }
    if (g >= t->n_groups) {
        snprintf(msg, msg_cap, "profile tiles: no group %u", g);
        return FC_E_NOT_FOUND;
    }
    size_t pb = fc_tile_payload_bytes(t->group_size[g], t->q);
    const uint8_t *view[FC_DAYTYPES];
    for (int d = 0; d < FC_DAYTYPES; d++) {
        view[d] = NULL;
        if (!(t->daytypes & (1u << d))) continue;
        if (t->scratch_seq[d] != t->begun_seq || t->scratch_group[d] != g) {
            size_t len = 0;
            if (fc_lru_get(t->cache, (uint64_t)g * FC_DAYTYPES + (uint64_t)d, t->scratch[d], pb, &len) != FC_OK) {
                if (need_daytype) *need_daytype = d;
                snprintf(msg, msg_cap, "profile tile %s/%s is not cached: fetch and put it", fc_tile_group_id(net, g),
                         daytype_name(d));
                return FC_E_NOT_FOUND;
            }
            t->scratch_seq[d] = t->begun_seq;
            t->scratch_group[d] = g;
        }
        view[d] = t->scratch[d];
    }
    fc_model_show_tiles(m, view, t->group_size[g]);
    const uint32_t *sensors;
    uint32_t count = fc_tile_group_sensors(net, t->rest, t->n_rest, g, &sensors);
    fc_model_forecast_sensors(m, graph, h, sensors, count, t->mid, t->lo, t->hi);
    t->group_done[g] = 1;
    return FC_OK;
}

fc_status fc_tiles_end(fc_tiles *t, fc_model *m, const fc_network *net, const fc_graph *graph, uint64_t version,
                       char *msg, size_t msg_cap)
{
    if (!t->begun_version || t->begun_version != version) {
        snprintf(msg, msg_cap, "profile tiles: the data changed during the forecast: begin again");
        return FC_E_STATE;
    }
    for (uint32_t g = 0; g < t->n_groups; g++)
        if (!t->group_done[g]) {
            snprintf(msg, msg_cap, "profile tiles: group %s not forecast yet", fc_tile_group_id(net, g));
            return FC_E_STATE;
        }
    /* every group is done, so every sensor's own evidence is known: the estimates from
     * neighbours (which may sit in other groups) come last, as in fc_model_forecast */
    fc_model_forecast_neighbours(m, graph, t->mid, t->lo, t->hi);
    memcpy(t->evidence, m->evidence, t->n);
    t->done_version = version;
    return FC_OK;
}

int fc_tiles_result(const fc_tiles *t, uint64_t version, float *mid, float *lo, float *hi, uint8_t *evidence)
{
    if (!t->done_version || t->done_version != version) return -1;
    size_t bytes = (size_t)t->n * t->horizons * sizeof(float);
    if (mid) memcpy(mid, t->mid, bytes);
    if (lo) memcpy(lo, t->lo, bytes);
    if (hi) memcpy(hi, t->hi, bytes);
    if (evidence) memcpy(evidence, t->evidence, t->n);
    return 0;
}

void fc_tiles_cache_stats(const fc_tiles *t, fc_cache_stats *out) { fc_lru_get_stats(t->cache, out); }

uint64_t fc_tiles_bytes(const fc_tiles *t)
{
    fc_cache_stats cs;
    fc_lru_get_stats(t->cache, &cs);
    uint64_t n = t->n;
    /* the cache, one scratch tile per day type, rest and pos, the three result arrays and the
     * evidence */
    return cs.footprint_bytes + FC_DAYTYPES * (fc_tile_payload_bytes(t->max_m, t->q) + 8) + n * 8 +
           3ull * n * t->horizons * sizeof(float) + n;
}

fc_status fc_tiles_export(const fc_network *net, const fc_model *m, uint64_t net_hash, uint32_t g, int daytype,
                          uint8_t *buf, size_t cap, size_t *written, char *msg, size_t msg_cap)
{
    if (g >= fc_tile_group_count(net)) {
        snprintf(msg, msg_cap, "profile tiles: no group %u", g);
        return FC_E_NOT_FOUND;
    }
    if (daytype < 0 || daytype >= FC_DAYTYPES) {
        snprintf(msg, msg_cap, "profile tiles: day type %d", daytype);
        return FC_E_RANGE;
    }
    uint32_t *rest = NULL, n_rest = 0;
    const uint32_t *sensors;
    if (g == net->n_corridors) {
        rest = malloc((size_t)net->n_sensors * sizeof(uint32_t));
        if (!rest) {
            snprintf(msg, msg_cap, "out of memory");
            return FC_E_NOMEM;
        }
        n_rest = fc_tile_rest_sensors(net, rest);
    }
    uint32_t gm = fc_tile_group_sensors(net, rest, n_rest, g, &sensors);
    size_t need = fc_tile_file_bytes(gm, m->q);
    if (written) *written = need;
    fc_status st = FC_OK;
    if (cap < need) {
        snprintf(msg, msg_cap, "profile tile: buffer of %zu bytes, need %zu", cap, need);
        st = FC_E_ARG;
    } else {
        fc_tile_write(fc_model_profile(m), net_hash, fc_model_id(m), g, daytype, sensors, gm, buf);
    }
    free(rest);
    return st;
}
