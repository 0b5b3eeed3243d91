/* route.h — time-dependent travel times between sensor stations.
 *
 * The road graph has one node per station and one directed edge per way traffic can go:
 * consecutive stations of a corridor (downstream order; a loop corridor's last station leads to
 * its first) and the interchange connections. Edge length: the milepost difference between
 * consecutive stations; a connection's length_mi; the great-circle distance where neither
 * applies (a loop's wrap-around, where mileposts restart, and connections without a length).
 *
 * Speeds come from a forecast the caller holds (fc_route_speeds): per station, the speed at
 * t0 (the newest data) and at t0 + k * step for k = 1..H. The speed at time t is interpolated
 * linearly between those points; after the last horizon the last step holds. A segment entered
 * at time t takes length / v, where v is the harmonic mean of its two end stations' speeds at t
 * (half the segment at each station's speed: the midpoint rule of detector-based travel times).
 *
 * The path is the fastest one by these time-dependent costs: Dijkstra on earliest arrival,
 * where an edge's cost is evaluated at the time the traveller reaches its start. The 10–90%
 * range walks the same path again with the 10% and 90% speeds (each with its own clock): it
 * treats forecast errors along the route as fully correlated, which they largely are (one jam
 * slows the whole stretch), so it is a wide rather than a narrow range.
 *
 * All memory is allocated by fc_route_init() (sized by the network); queries allocate nothing. */
#ifndef FC_ROUTE_H
#define FC_ROUTE_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "network.h"

/* Speeds below this are taken as this: stop-and-go traffic still moves, and a forecast of
 * 0 mph would make a segment take forever. 3 mph is about the slowest average a loop detector
 * reports over 5 minutes in a jam. */
#define FC_ROUTE_MIN_SPEED_MPH 3.0f

typedef struct fc_route_speeds {
    const float *now;          /* [n] mph at t0 */
    const uint8_t *evidence;   /* [n] fc_evidence of each station's speeds, or NULL (every station
                                * has evidence of its own, so nothing to check or mark):
                                * FC_EVIDENCE_NONE stations have NaN speeds and no path may be
                                * costed across them, FC_EVIDENCE_NEIGHBOURS ones are estimates */
    const float *mid, *lo, *hi;/* [n][horizons] mph at t0 + k * step_ms, index s * horizons + k - 1 */
    uint32_t horizons;         /* >= 1 */
    int64_t t0_ms, step_ms;
} fc_route_speeds;

typedef struct fc_route {
    uint32_t n, n_edges;
    uint32_t *start;           /* [n + 1] CSR offsets of each station's outgoing edges */
    uint32_t *to;              /* [n_edges] */
    float *length_mi;          /* [n_edges] */
    /* per-query scratch (generation-stamped, so a query touches only the nodes it reaches) */
    uint32_t gen;
    uint32_t *seen;            /* [n] generation in which arrive/prev are valid */
    double *arrive_min;        /* [n] earliest arrival, minutes after departure */
    uint32_t *prev;            /* [n] edge used to arrive */
    uint32_t *heap, *heap_pos; /* [n] binary min-heap of nodes by arrive_min, and positions */
    uint32_t heap_len;
    uint32_t *path;            /* [n] edges of the last path, origin first */
    uint32_t *edge_from;       /* [n_edges] */
} fc_route;

/* Builds the graph and scratch for a network. Returns 0, or -1 when out of memory (r is then
 * safe to free). */
int fc_route_init(fc_route *r, const fc_network *net);
void fc_route_free(fc_route *r);

/* The travel time from station `from` to `to` leaving at depart_ms. Fills *out and up to
 * seg_cap segments (out->n_segments is the path's full count; out->n_estimated of them have an
 * end at a station estimated from its neighbours, marked `estimated`). Errors (message in msg):
 * FC_E_NOT_FOUND for an index out of range or no path, FC_E_ARG for from == to, FC_E_RANGE for
 * a departure before t0 or after the last horizon, FC_E_GAP when the fastest path crosses a
 * station without evidence (the path is found with such a station at its speed limit, so
 * that a gap is reported where the road goes, not avoided by a detour). */
fc_status fc_route_travel(fc_route *r, const fc_network *net, const fc_route_speeds *sp,
                          uint32_t from, uint32_t to, int64_t depart_ms, fc_travel_time *out,
                          fc_travel_segment *seg, size_t seg_cap, char *msg, size_t msg_cap);

/* Great-circle distance in miles (haversine, mean Earth radius). */
double fc_great_circle_mi(double lat1, double lon1, double lat2, double lon2);

#endif
