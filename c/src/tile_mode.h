/* tile_mode.h — tile mode: the model's time-of-day profiles come from history profile tiles
 * (tile.h) that JavaScript fetches on demand, kept in an LRU cache under a byte cap, instead of
 * from arrays covering every sensor. A page showing a 50,000-sensor network then holds only the
 * tiles the current forecast needs, and the model file need not carry profiles at all.
 *
 * A forecast in tile mode runs one sensor group at a time (begin, group..., end): a group whose
 * tile is not cached answers FC_E_NOT_FOUND with the day type it needs; the caller fetches that
 * tile, puts it, and asks again. The finished forecast is kept for the data version it was made
 * for.
 *
 * Like route.c, this module knows nothing of the engine: it works on the network, model, graph
 * and history it is given, reports failures as an fc_status with a message in msg, and changes
 * the model only through its tile calls (model.h, end). The caller passes its data version (a
 * counter bumped by every change that can change a forecast, never 0) so that a forecast begun
 * on older data is neither finished nor served. */
#ifndef FC_TILE_MODE_H
#define FC_TILE_MODE_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "graph.h"
#include "history.h"
#include "model.h"
#include "network.h"

/* Tiles are cached in chunks of this size; the cache must hold at least one. */
#define FC_TILE_CHUNK 4096u

typedef struct fc_tiles fc_tiles;

/* Creates the tile state for net with a cache of max_bytes value bytes (FC_TILE_CHUNK..2^30,
 * else FC_E_RANGE) and switches m to it (fc_tiles_attach). FC_E_NOMEM when out of memory. On
 * failure m is unchanged. The caller frees *out with fc_tiles_free, after the last lookup of
 * any model attached to it. */
fc_status fc_tiles_create(const fc_network *net, fc_model *m, size_t max_bytes, fc_tiles **out, char *msg,
                          size_t msg_cap);
void fc_tiles_free(fc_tiles *t);

/* Switches a model of t's network (newly loaded) to the tiles: frees its profile arrays,
 * forgets cached tiles of another model, sizes the result buffers for its horizons, and drops
 * any forecast in progress or finished. FC_E_NOMEM leaves both t and m unchanged. */
fc_status fc_tiles_attach(fc_tiles *t, fc_model *m, char *msg, size_t msg_cap);

/* Validates a tile (untrusted bytes: fc_tile_check) for the attached model and caches its
 * payload; FC_E_TOO_LARGE when it exceeds the cache's byte cap. */
fc_status fc_tiles_put(fc_tiles *t, const fc_network *net, uint64_t net_hash, const uint8_t *buf, size_t len,
                       char *msg, size_t msg_cap);

/* The group-by-group forecast of the attached model m from history h at data version
 * `version`: begin (FC_E_STATE without data; *daytypes gets the day types the window needs as
 * bits), every group g (FC_E_NOT_FOUND with *need_daytype when that tile is not cached;
 * FC_E_STATE when the version moved since begin), then end (FC_E_STATE while a group is
 * missing or the version moved; it then estimates the sensors without evidence of their own from
 * their neighbours, fc_model_forecast_neighbours). */
fc_status fc_tiles_begin(fc_tiles *t, fc_model *m, const fc_network *net, const fc_history *h, uint64_t version,
                         uint32_t *daytypes, char *msg, size_t msg_cap);
fc_status fc_tiles_group(fc_tiles *t, fc_model *m, const fc_network *net, const fc_graph *graph, const fc_history *h,
                         uint64_t version, uint32_t g, int *need_daytype, char *msg, size_t msg_cap);
fc_status fc_tiles_end(fc_tiles *t, fc_model *m, const fc_network *net, const fc_graph *graph, uint64_t version,
                       char *msg, size_t msg_cap);

/* Copies the forecast finished at data version `version` into [n][horizons] buffers and its
 * evidence into [n] (any may be NULL): 0, or -1 when there is none for that version. */
int fc_tiles_result(const fc_tiles *t, uint64_t version, float *mid, float *lo, float *hi, uint8_t *evidence);

/* Bytes the tile state holds (cache footprint, scratch, group maps, result buffers). */
uint64_t fc_tiles_bytes(const fc_tiles *t);
/* Counters of the tile cache. */
void fc_tiles_cache_stats(const fc_tiles *t, fc_cache_stats *out);

/* Writes the tile of (group g, daytype) from model m, which must hold its profile arrays, into
 * buf of cap bytes; *written (if not NULL) gets the size even when cap is too small (FC_E_ARG).
 * FC_E_NOT_FOUND for no group g, FC_E_RANGE for a bad day type. */
fc_status fc_tiles_export(const fc_network *net, const fc_model *m, uint64_t net_hash, uint32_t g, int daytype,
                          uint8_t *buf, size_t cap, size_t *written, char *msg, size_t msg_cap);

#endif
