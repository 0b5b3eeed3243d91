/* route.c — the station graph and time-dependent fastest paths (rules: route.h). */
#include "route.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define EARTH_RADIUS_MI 3958.8

double fc_great_circle_mi(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_MI * asin(sqrt(a < 1 ? a : 1));
}

void fc_route_free(fc_route *r)
{
    free(r->start); free(r->to); free(r->length_mi); free(r->seen); free(r->arrive_min);
    free(r->prev); free(r->heap); free(r->heap_pos); free(r->path); free(r->edge_from);
    memset(r, 0, sizeof *r);
}

static float gc_length(const fc_network *net, uint32_t a, uint32_t b)
{
    return (float)fc_great_circle_mi(net->lat[a], net->lon[a], net->lat[b], net->lon[b]);
}

/* Calls add(a, b, length) for every edge; count-then-fill builds the CSR arrays. */
static void for_each_edge(const fc_network *net, void (*add)(fc_route *, uint32_t, uint32_t, float), fc_route *r)
{
    for (uint32_t c = 0; c < net->n_corridors; c++) {
        const fc_corridor *co = &net->corridors[c];
        for (uint32_t k = 0; k + 1 < co->n_sensors; k++) {
            uint32_t a = co->sensors[k], b = co->sensors[k + 1];
            float len = fabsf(net->milepost[b] - net->milepost[a]);
            add(r, a, b, len > 0 ? len : gc_length(net, a, b));
        }
        /* mileposts restart where a loop closes: only the geometry knows that gap */
        if (co->loop && co->n_sensors > 1)
            add(r, co->sensors[co->n_sensors - 1], co->sensors[0], gc_length(net, co->sensors[co->n_sensors - 1], co->sensors[0]));
    }
    for (uint32_t k = 0; k < net->n_connections; k++) {
        const fc_connection *cn = &net->connections[k];
        add(r, cn->from, cn->to, cn->length_mi > 0 ? cn->length_mi : gc_length(net, cn->from, cn->to));
    }
}

static void count_edge(fc_route *r, uint32_t a, uint32_t b, float len)
{
    (void)b;
    (void)len;
    r->start[a + 1]++;
    r->n_edges++;
}

static void fill_edge(fc_route *r, uint32_t a, uint32_t b, float len)
{
    uint32_t k = r->heap[a]++; /* heap[] doubles as the fill cursor while building */
    r->to[k] = b;
    r->length_mi[k] = len;
    r->edge_from[k] = a;
}

int fc_route_init(fc_route *r, const fc_network *net)
{
    memset(r, 0, sizeof *r);
    uint32_t n = net->n_sensors;
    r->n = n;
    r->start = calloc((size_t)n + 1, sizeof(uint32_t));
    r->seen = calloc(n, sizeof(uint32_t));
    r->arrive_min = malloc((size_t)n * sizeof(double));
    r->prev = malloc((size_t)n * sizeof(uint32_t));
    r->heap = malloc((size_t)n * sizeof(uint32_t));
    r->heap_pos = malloc((size_t)n * sizeof(uint32_t));
    r->path = malloc((size_t)n * sizeof(uint32_t));
    if (!r->start || !r->seen || !r->arrive_min || !r->prev || !r->heap || !r->heap_pos || !r->path) goto fail;
    for_each_edge(net, count_edge, r);
    for (uint32_t i = 0; i < n; i++) r->start[i + 1] += r->start[i];
    size_t m = r->n_edges ? r->n_edges : 1;
    r->to = malloc(m * sizeof(uint32_t));
    r->length_mi = malloc(m * sizeof(float));
    r->edge_from = malloc(m * sizeof(uint32_t));
    if (!r->to || !r->length_mi || !r->edge_from) goto fail;
    memcpy(r->heap, r->start, (size_t)n * sizeof(uint32_t));
    for_each_edge(net, fill_edge, r);
    return 0;
fail:
    fc_route_free(r);
    return -1;
}

/* ---- speeds ---- */

static float clean_speed(float v, float fallback)
{
    /* NaN: a station without evidence; path finding takes it at its limit, fc_route_travel then
     * refuses to cost a path across it */
    if (!(v == v)) v = fallback;
    return v < FC_ROUTE_MIN_SPEED_MPH ? FC_ROUTE_MIN_SPEED_MPH : v;
}

/* Speed of station s at time t (minutes after t0) from one of the forecast arrays. */
static float speed_at(const fc_route_speeds *sp, const float *arr, const float *limit, uint32_t s, double t_min)
{
    double f = t_min * 60000.0 / (double)sp->step_ms;
    uint32_t H = sp->horizons;
    const float *row = arr + (size_t)s * H;
    float fallback = limit[s];
    if (f >= H) return clean_speed(row[H - 1], fallback);
    if (f <= 0) return clean_speed(sp->now[s], fallback);
    uint32_t k = (uint32_t)f;  /* between point k and k + 1; point 0 is `now` */
    double w = f - k;
    float a = clean_speed(k == 0 ? sp->now[s] : row[k - 1], fallback), b = clean_speed(row[k], fallback);
    return (float)(a + (b - a) * w);
}

/* Minutes to cross edge k entered at t_min (after t0), and the speed used. */
static double edge_minutes(const fc_route *r, const fc_route_speeds *sp, const float *arr, const float *limit,
                           uint32_t k, double t_min, float *speed)
{
    float va = speed_at(sp, arr, limit, r->edge_from[k], t_min), vb = speed_at(sp, arr, limit, r->to[k], t_min);
    double v = 2.0 * va * vb / ((double)va + vb);
    if (speed) *speed = (float)v;
    return (double)r->length_mi[k] / v * 60.0;
}

/* ---- binary heap on arrive_min ---- */

static void heap_swap(fc_route *r, uint32_t i, uint32_t j)
{
    uint32_t a = r->heap[i], b = r->heap[j];
    r->heap[i] = b;
    r->heap[j] = a;
    r->heap_pos[b] = i;
    r->heap_pos[a] = j;
}

static void heap_up(fc_route *r, uint32_t i)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (r->arrive_min[r->heap[p]] <= r->arrive_min[r->heap[i]]) break;
        heap_swap(r, i, p);
        i = p;
    }
}

static uint32_t heap_pop(fc_route *r)
{
    uint32_t top = r->heap[0];
    r->heap_len--;
    if (r->heap_len) {
        r->heap[0] = r->heap[r->heap_len];
        r->heap_pos[r->heap[0]] = 0;
        uint32_t i = 0;
        for (;;) {
            uint32_t l = 2 * i + 1, m = i;
            if (l < r->heap_len && r->arrive_min[r->heap[l]] < r->arrive_min[r->heap[m]]) m = l;
            if (l + 1 < r->heap_len && r->arrive_min[r->heap[l + 1]] < r->arrive_min[r->heap[m]]) m = l + 1;
            if (m == i) break;
            heap_swap(r, i, m);
            i = m;
        }
    }
    r->heap_pos[top] = NONE;
    return top;
}

/* Earliest-arrival Dijkstra from `from` (t_dep minutes after t0); returns 1 when `to` was
 * reached, leaving the path's edges in r->path[0..*n_path-1]. */
static int fastest_path(fc_route *r, const fc_route_speeds *sp, const float *limit, uint32_t from, uint32_t to,
                        double t_dep, uint32_t *n_path)
{
    if (++r->gen == 0) { /* wrapped after 4 billion queries: restart the stamps */
        memset(r->seen, 0, (size_t)r->n * sizeof(uint32_t));
        r->gen = 1;
    }
    uint32_t gen = r->gen;
    r->heap_len = 0;
    r->seen[from] = gen;
    r->arrive_min[from] = 0;
    r->prev[from] = NONE;
    r->heap[r->heap_len] = from;
    r->heap_pos[from] = r->heap_len++;
    int found = 0;
    while (r->heap_len) {
        uint32_t u = heap_pop(r);
        if (u == to) {
            found = 1;
            break;
        }
        double tu = r->arrive_min[u];
        for (uint32_t k = r->start[u]; k < r->start[u + 1]; k++) {
            uint32_t v = r->to[k];
            double tv = tu + edge_minutes(r, sp, sp->mid, limit, k, t_dep + tu, NULL);
            if (r->seen[v] != gen) {
                r->seen[v] = gen;
                r->arrive_min[v] = tv;
                r->prev[v] = k;
                r->heap[r->heap_len] = v;
                r->heap_pos[v] = r->heap_len++;
                heap_up(r, r->heap_pos[v]);
            } else if (r->heap_pos[v] != NONE && tv < r->arrive_min[v]) {
                r->arrive_min[v] = tv;
                r->prev[v] = k;
                heap_up(r, r->heap_pos[v]);
            }
        }
    }
    if (!found) return 0;
    uint32_t len = 0;
    for (uint32_t v = to; v != from; v = r->edge_from[r->prev[v]]) len++;
    *n_path = len;
    for (uint32_t v = to; v != from; v = r->edge_from[r->prev[v]]) r->path[--len] = r->prev[v];
    return 1;
}

/* Walks the path with one forecast array and its own clock; returns the minutes. */
static double walk(const fc_route *r, const fc_route_speeds *sp, const float *arr, const float *limit,
                   uint32_t n_path, double t_dep)
{
    double t = 0;
    for (uint32_t i = 0; i < n_path; i++) t += edge_minutes(r, sp, arr, limit, r->path[i], t_dep + t, NULL);
    return t;
}

fc_status fc_route_travel(fc_route *r, const fc_network *net, const fc_route_speeds *sp,
                          uint32_t from, uint32_t to, int64_t depart_ms, fc_travel_time *out,
                          fc_travel_segment *seg, size_t seg_cap, char *msg, size_t msg_cap)
{
    memset(out, 0, sizeof *out);
    if (from >= r->n || to >= r->n) {
        snprintf(msg, msg_cap, "travel time: unknown station index %u", from >= r->n ? from : to);
        return FC_E_NOT_FOUND;
    }
    if (from == to) {
        snprintf(msg, msg_cap, "travel time: from and to are the same station \"%s\"", net->sensor_id[from]);
        return FC_E_ARG;
    }
    int64_t end_ms = sp->t0_ms + (int64_t)sp->horizons * sp->step_ms;
    if (depart_ms < sp->t0_ms || depart_ms > end_ms) {
        double off_min = (double)(depart_ms - sp->t0_ms) / 60000.0;
        snprintf(msg, msg_cap, "travel time: departure %.3f min %s the newest data is outside the forecast (0 to %.0f min after it)",
                 fabs(off_min), off_min < 0 ? "before" : "after", (double)(end_ms - sp->t0_ms) / 60000.0);
        return FC_E_RANGE;
    }
    double t_dep = (double)(depart_ms - sp->t0_ms) / 60000.0;
    uint32_t n_path = 0;
    if (!fastest_path(r, sp, net->speed_limit_mph, from, to, t_dep, &n_path)) {
        snprintf(msg, msg_cap, "travel time: no path from \"%s\" to \"%s\"", net->sensor_id[from], net->sensor_id[to]);
        return FC_E_NOT_FOUND;
    }
    out->depart_ms = depart_ms;
    out->n_segments = n_path;
    double t = 0, free_flow = 0, dist = 0;
    for (uint32_t i = 0; i < n_path; i++) {
        uint32_t k = r->path[i];
        float v;
        double dt = edge_minutes(r, sp, sp->mid, net->speed_limit_mph, k, t_dep + t, &v);
        float la = net->speed_limit_mph[r->edge_from[k]], lb = net->speed_limit_mph[r->to[k]];
        free_flow += r->length_mi[k] * (1.0 / la + 1.0 / lb) * 30.0; /* half at each end's limit */
        dist += r->length_mi[k];
        if (i < seg_cap) {
            fc_travel_segment *s = &seg[i];
            s->from = r->edge_from[k];
            s->to = r->to[k];
            s->length_mi = r->length_mi[k];
            s->speed_mph = v;
            s->entry_min = t;
            s->estimated = 0;
            s->reserved = 0;
        }
        t += dt;
    }
    /* never cost a segment from an invented speed: a station without evidence is a gap; one
     * estimated from its neighbours marks its segments (a pass of its own: without such
     * stations the caller passes no evidence and the walk above is all there is) */
    const uint8_t *ev = sp->evidence;
    for (uint32_t i = 0; ev && i < n_path; i++) {
        uint32_t k = r->path[i], a = r->edge_from[k], b = r->to[k];
        if (ev[a] == FC_EVIDENCE_NONE || ev[b] == FC_EVIDENCE_NONE) {
            snprintf(msg, msg_cap, "travel time: no data at station \"%s\" (no reading, no learned profile, no "
                     "reporting neighbour): the trip crosses a gap", net->sensor_id[ev[a] == FC_EVIDENCE_NONE ? a : b]);
            memset(out, 0, sizeof *out);
            return FC_E_GAP;
        }
        if (ev[a] == FC_EVIDENCE_NEIGHBOURS || ev[b] == FC_EVIDENCE_NEIGHBOURS) {
            out->n_estimated++;
            if (i < seg_cap) seg[i].estimated = 1;
        }
    }
    out->minutes = t;
    out->distance_mi = dist;
    out->free_flow_minutes = free_flow;
    out->delay_minutes = t > free_flow ? t - free_flow : 0;
    /* the 90% speeds give the short end of the range, the 10% speeds the long end */
    out->low_minutes = walk(r, sp, sp->hi, net->speed_limit_mph, n_path, t_dep);
    out->high_minutes = walk(r, sp, sp->lo, net->speed_limit_mph, n_path, t_dep);
    return FC_OK;
}
