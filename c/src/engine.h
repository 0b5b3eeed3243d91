/* engine.h — the engine's internal state, shared by the files that implement the public API,
 * one job each:
 *   engine.c         the handle: config, network (re)load and release, read access, digest
 *   engine_ingest.c  snapshot ingest: parser dispatch, staged commit, parser counters
 *   engine_model.c   the model's lifecycle: adjacency, training, forecast, model files
 *   engine_routes.c  travel-time queries: route graph, forecast arrays, result cache
 *   engine_tiles.c   the public tile-mode calls over tile_mode.c
 *   engine_stats.c   stage timings, trace, memory accounting
 * Nothing outside these files includes this. */
#ifndef FC_ENGINE_H
#define FC_ENGINE_H
#include "flowcast.h"
#include "history.h"
#include "ingest.h"
#include "network.h"
#include "graph.h"
#include "model.h"
#include "stats.h"
#include "lru.h"
#include "route.h"
#include "tile_mode.h"

#define FC_MSG_CAP 256

struct fc_engine {
    fc_config cfg;
    char msg[FC_MSG_CAP];
    fc_network *net;       /* NULL until a network loads */
    fc_history hist;       /* read it through fc_engine_history() (below): it settles the newest slot */
    fc_stage stage;
    int64_t last_ts_ms;    /* INT64_MIN before the first snapshot */
    uint64_t net_hash;     /* identifies the network for model files */
    fc_graph graph;        /* neighbours: from the network, or a dense adjacency */
    fc_model *model;       /* NULL until trained or loaded */
    fc_trainer *trainer;   /* a training in progress, or NULL */
    uint64_t n_committed, n_rejected;
    fc_stats stats;        /* per-stage timings and the optional trace */
    uint64_t n_fast, n_fallback; /* snapshots decided by the fast parser / handed to cJSON */
    uint64_t n_canonical;  /* readings the fast parser matched literally (ingest_fast.c) */
    uint64_t data_version;  /* bumped by every change that can change a forecast or a route */
    /* travel-time queries (engine_routes.c): everything is built on the first query and kept */
    fc_route *route;        /* station graph and Dijkstra scratch for the loaded network */
    fc_lru *route_cache;    /* results keyed by (from, to, departure, data version) */
    float *route_fc;        /* the forecast routes read: now[n], mid, lo, hi [n][H] (one block) */
    size_t route_fc_len;    /* floats in route_fc */
    uint64_t route_fc_version; /* data version route_fc was computed for (0: never) */
    uint8_t *route_ev;      /* [n] the fc_evidence of route_fc's forecast (allocated with it) */
    int route_ev_gaps;      /* some station of route_ev has no evidence of its own (estimated or none) */
    unsigned char *route_buf; /* a cached result: key, fc_travel_time, segments[n] */
    fc_tiles *tiles;        /* profile tiles (tile_mode.h), NULL unless enabled */
    /* engine_read.c: where the next commit also copies the values the snapshot staged for
     * itself (dequantised, NaN missing); NULL speed = no copy. Set only for one echo call. */
    struct { float *speed, *volume, *occ; uint8_t *quality; } echo;
};

/* Sets the engine's message (printf-style) and returns st. */
fc_status fc_engine_fail(fc_engine *e, fc_status st, const char *fmt, ...);

/* engine_model.c: forgets the model, any training in progress and the tile state (the data
 * version moves). */
void fc_engine_drop_model(fc_engine *e);
/* engine_model.c: the forecast of every sensor from the newest data into [n][horizons]
 * buffers and its fc_evidence into [n] (any may be NULL): the tile-mode result of this data
 * version, or the model's own. FC_E_STATE with a message starting with `who` when there is
 * none. Needs a model. */
fc_status fc_engine_forecast_now(fc_engine *e, float *mid, float *lo, float *hi, uint8_t *evidence, const char *who);

/* engine_routes.c: frees everything the travel-time queries built. */
void fc_engine_release_routes(fc_engine *e);

/* The engine's history with its newest row settled (history.h): every reader takes it through
 * here. A const engine too: the cells are a cache of the running sums, so settling them changes
 * nothing a caller can observe, and an engine is always allocated, never defined const. */
static inline const fc_history *fc_engine_history(const fc_engine *e)
{
    fc_history *h = (fc_history *)(uintptr_t)&e->hist;
    fc_history_settle(h);
    return h;
}

#endif
