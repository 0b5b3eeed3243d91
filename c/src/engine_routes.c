/* engine_routes.c — travel-time queries in the engine: the route graph (route.c), the forecast
 * arrays it walks (refreshed once per data version), the LRU cache of results, and the
 * best-departure search over travel times. */
#include "engine.h"
#include "hash.h"
#include <stdlib.h>
#include <string.h>

/* Stored in front of every cached result and compared on a hit, so that even a collision of
 * the 64-bit cache keys can never serve another query's answer. */
typedef struct route_key {
    uint64_t version;
    int64_t depart_ms;
    uint32_t from, to;
} route_key;

/* chunk size of the route cache: results are 88 bytes + 32 per segment, 1–6 KB on Atlanta */
#define ROUTE_CACHE_CHUNK 256u

void fc_engine_release_routes(fc_engine *e)
{
    if (e->route) fc_route_free(e->route);
    free(e->route);
    e->route = NULL;
    fc_lru_destroy(e->route_cache);
    e->route_cache = NULL;
    free(e->route_fc);
    e->route_fc = NULL;
    free(e->route_ev);
    e->route_ev = NULL;
    e->route_fc_len = 0;
    e->route_fc_version = 0;
    free(e->route_buf);
    e->route_buf = NULL;
}

static size_t route_buf_size(uint32_t n) { return sizeof(route_key) + sizeof(fc_travel_time) + (size_t)n * sizeof(fc_travel_segment); }

/* Builds what queries need on first use and refreshes the forecast once per data version. */
static fc_status routes_prepare(fc_engine *e, fc_route_speeds *sp)
{
    if (!e->net) return fc_engine_fail(e, FC_E_STATE, "no network loaded");
    if (!e->model) return fc_engine_fail(e, FC_E_STATE, "travel time: no model: train or load one first");
    if (e->hist.head == INT64_MIN) return fc_engine_fail(e, FC_E_STATE, "travel time: no data: ingest a snapshot first");
    uint32_t n = e->net->n_sensors, H = e->model->horizons;
    if (!e->route) {
        e->route = malloc(sizeof *e->route);
        e->route_buf = malloc(route_buf_size(n));
        if (!e->route || !e->route_buf || fc_route_init(e->route, e->net)) {
            free(e->route);
            free(e->route_buf);
            e->route = NULL;
            e->route_buf = NULL;
            return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route graph");
        }
    }
    if (!e->route_cache && fc_lru_create(FC_ROUTE_CACHE_ENTRIES, FC_ROUTE_CACHE_BYTES, ROUTE_CACHE_CHUNK, &e->route_cache))
        return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route cache");
    size_t len = (size_t)n * (1 + 3 * (size_t)H);
    if (len != e->route_fc_len) {
        free(e->route_fc);
        free(e->route_ev);
        e->route_fc_len = 0;
        e->route_fc_version = 0;
        e->route_fc = malloc(len * sizeof(float));
        e->route_ev = malloc(n ? n : 1);
        if (!e->route_fc || !e->route_ev) {
            free(e->route_fc);
            free(e->route_ev);
            e->route_fc = NULL;
            e->route_ev = NULL;
            return fc_engine_fail(e, FC_E_NOMEM, "out of memory for the route forecast");
        }
        e->route_fc_len = len;
    }
    float *now = e->route_fc, *mid = now + n, *lo = mid + (size_t)n * H, *hi = lo + (size_t)n * H;
    if (e->route_fc_version != e->data_version || !e->data_version) {
        fc_status st = fc_engine_forecast_now(e, mid, lo, hi, e->route_ev, "travel time: ");
        if (st) return st;
        fc_engine_latest(e, now, NULL, NULL, NULL, n);
        /* a station without a reading now starts from its first forecast step (NaN for one
         * without evidence: route.c refuses to cost it) */
        for (uint32_t s = 0; s < n; s++)
            if (!(now[s] > 0)) now[s] = mid[(size_t)s * H];
        e->route_ev_gaps = 0;
        for (uint32_t s = 0; s < n; s++) e->route_ev_gaps |= e->route_ev[s] >= FC_EVIDENCE_NEIGHBOURS;
        e->route_fc_version = e->data_version;
    }
    sp->now = now;
    sp->evidence = e->route_ev_gaps ? e->route_ev : NULL; /* route.h: NULL when there is nothing to check */
    sp->mid = mid;
    sp->lo = lo;
    sp->hi = hi;
    sp->horizons = H;
    sp->t0_ms = e->last_ts_ms;
    sp->step_ms = (int64_t)e->net->interval_s * 1000;
    return FC_OK;
}

static fc_status travel_time(fc_engine *e, size_t from, size_t to, int64_t depart_ms, uint32_t flags,
                             fc_travel_time *out, fc_travel_segment *seg, size_t seg_cap)
{
    if (!e || !out || (!seg && seg_cap) || (flags & ~FC_ROUTE_NO_CACHE)) return FC_E_ARG;
    fc_route_speeds sp;
    fc_status st = routes_prepare(e, &sp);
    if (st) return st;
    uint32_t n = e->net->n_sensors;
    if (from >= n || to >= n)
        return fc_engine_fail(e, FC_E_NOT_FOUND, "travel time: unknown station index %zu", from >= n ? from : to);
    route_key key;
    memset(&key, 0, sizeof key);
    key.version = e->data_version;
    key.depart_ms = depart_ms;
    key.from = (uint32_t)from;
    key.to = (uint32_t)to;
    uint64_t hash = fc_hash_bytes(FC_HASH_SEED, &key, sizeof key);
    unsigned char *buf = e->route_buf;
    fc_travel_time *res = (fc_travel_time *)(buf + sizeof key);
    fc_travel_segment *segs = (fc_travel_segment *)(res + 1);
    size_t len = 0;
    int hit = !(flags & FC_ROUTE_NO_CACHE) &&
              fc_lru_get(e->route_cache, hash, buf, route_buf_size(n), &len) == FC_OK &&
              len >= sizeof key + sizeof *res && memcmp(buf, &key, sizeof key) == 0;
    if (!hit) {
        st = fc_route_travel(e->route, e->net, &sp, key.from, key.to, depart_ms, res, segs, n, e->msg, sizeof e->msg);
        if (st) return st;
        memcpy(buf, &key, sizeof key);
        /* a result too large for the cache is simply not cached */
        if (!(flags & FC_ROUTE_NO_CACHE))
            (void)fc_lru_put(e->route_cache, hash, buf, sizeof key + sizeof *res + res->n_segments * sizeof *segs);
    }
    *out = *res;
    if (seg_cap) memcpy(seg, segs, (seg_cap < res->n_segments ? seg_cap : res->n_segments) * sizeof *segs);
    e->msg[0] = '\0';
    return FC_OK;
}

fc_status fc_engine_best_departure(fc_engine *e, size_t from, size_t to, int64_t earliest_ms, int64_t latest_ms,
                                   int64_t step_ms, fc_departure *out, size_t cap, size_t *n_out, size_t *best)
{
    if (n_out) *n_out = 0;
    if (best) *best = 0;
    if (!e || (!out && cap)) return FC_E_ARG;
    fc_route_speeds sp;
    fc_status st = routes_prepare(e, &sp);
    if (st) return st;
    if (step_ms < 1) return fc_engine_fail(e, FC_E_ARG, "best departure: the step must be at least 1 ms");
    int64_t end_ms = sp.t0_ms + (int64_t)sp.horizons * sp.step_ms;
    if (earliest_ms > latest_ms || earliest_ms < sp.t0_ms || latest_ms > end_ms)
        return fc_engine_fail(e, FC_E_RANGE, "best departure: the window %.1f..%.1f min after the newest data must be ordered and inside the forecast (0..%.0f min)",
                              (double)(earliest_ms - sp.t0_ms) / 60000.0, (double)(latest_ms - sp.t0_ms) / 60000.0,
                              (double)(end_ms - sp.t0_ms) / 60000.0);
    size_t count = (size_t)((latest_ms - earliest_ms) / step_ms) + 1;
    if (n_out) *n_out = count;
    if (count > cap) return fc_engine_fail(e, FC_E_ARG, "best departure: %zu departures, room for %zu", count, cap);
    size_t b = 0;
    for (size_t i = 0; i < count; i++) {
        fc_travel_time tt;
        st = fc_engine_travel_time(e, from, to, earliest_ms + (int64_t)i * step_ms, 0, &tt, NULL, 0);
        if (st) return st;
        out[i].depart_ms = tt.depart_ms;
        out[i].minutes = tt.minutes;
        out[i].low_minutes = tt.low_minutes;
        out[i].high_minutes = tt.high_minutes;
        if (tt.minutes < out[b].minutes) b = i;
    }
    if (best) *best = b;
    return FC_OK;
}

void fc_engine_route_cache_stats(const fc_engine *e, fc_cache_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (e && e->route_cache) fc_lru_get_stats(e->route_cache, out);
}

uint64_t fc_engine_data_version(const fc_engine *e) { return e ? e->data_version : 0; }

fc_status fc_engine_travel_time(fc_engine *e, size_t from, size_t to, int64_t depart_ms, uint32_t flags,
                                fc_travel_time *out, fc_travel_segment *seg, size_t seg_cap)
{
    double t0 = fc_clock_us();
    fc_status st = travel_time(e, from, to, depart_ms, flags, out, seg, seg_cap);
    if (e && !st) fc_stats_record(&e->stats, FC_STAGE_ROUTE, t0, (uint32_t)out->n_segments);
    return st;
}

