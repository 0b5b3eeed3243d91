/* synthetic.c — a synthetic freeway grid of any size for scaling benchmarks: g east-west and
 * g north-south roads 2 mi apart, both directions each, stations about every 0.4 mi (like the
 * Atlanta network), twins, and all eight turning movements at every crossing, so that a
 * 50,000-sensor network has the shape of a real one, only larger. */
#include "ctm.h"
#include "simnet.h"
#include "rng.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID_SPACING_MI 2.0
#define STATIONS_PER_GRID_MI 2.5       /* one every 0.4 mi */
#define ORIGIN_LAT 33.40               /* south-west corner, south-west of Atlanta */
#define ORIGIN_LON -84.80
#define SIDE_OFFSET_MI 0.0075          /* directions drawn about 12 m apart */

typedef struct grid_dir { const char *name; int horizontal, sign; } grid_dir;
static const grid_dir k_dirs[4] = {{"EB", 1, +1}, {"WB", 1, -1}, {"NB", 0, +1}, {"SB", 0, -1}};

static void to_latlon(double x_mi, double y_mi, double *lat, double *lon)
{
    *lat = ORIGIN_LAT + y_mi / 69.0;
    *lon = ORIGIN_LON + x_mi / (69.0 * cos(ORIGIN_LAT * SIM_PI / 180.0));
}

/* Plane position of a point `along` miles from the road's west/south end, in direction d,
 * moved to the right of travel. */
static void grid_point(const grid_dir *d, int road, double along, double *lat, double *lon)
{
    double across = (road + 0.5) * GRID_SPACING_MI;
    double right = SIDE_OFFSET_MI * d->sign;  /* right of EB is south, right of NB is east */
    if (d->horizontal) to_latlon(along, across - right, lat, lon);
    else to_latlon(across + right, along, lat, lon);
}

int sim_synthetic_build(sim_net *net, int n_sensors, unsigned long long seed)
{
    memset(net, 0, sizeof *net);
    int g = (int)ceil(sqrt(n_sensors / (4.0 * GRID_SPACING_MI * STATIONS_PER_GRID_MI)));
    if (g < 1) g = 1;
    int n_roads = 2 * g, n_pairs = n_sensors / 2;
    double len = g * GRID_SPACING_MI;
    snprintf(net->id, sizeof net->id, "synthetic-grid-%d", n_sensors);
    snprintf(net->name, sizeof net->name, "Synthetic %dx%d freeway grid, %d sensors", g, g, n_sensors);
    snprintf(net->timezone, sizeof net->timezone, "America/New_York");
    net->interval_s = 300;
    net->stations = calloc((size_t)n_sensors, sizeof *net->stations);
    net->corridors = calloc((size_t)(2 * n_roads), sizeof *net->corridors);
    net->links = calloc((size_t)g * g * 8 + 1, sizeof *net->links);
    if (!net->stations || !net->corridors || !net->links) goto fail;
    sim_rng rng;
    sim_rng_seed(&rng, seed, 99);
    int next = 0;
    for (int road = 0; road < n_roads; road++) {
        int horizontal = road < g, idx = horizontal ? road : road - g;
        int count = n_pairs / n_roads + (road < n_pairs % n_roads);
        int extra = (n_sensors % 2 == 1 && road == 0); /* an odd count: one station without twin */
        int lanes = 3 + sim_rng_int(&rng, 3);
        double limit = sim_rng_uniform(&rng) < 0.5 ? 55 : 65;
        for (int dd = 0; dd < 2; dd++) {
            const grid_dir *d = &k_dirs[(horizontal ? 0 : 2) + dd];
            int ci = 2 * road + dd, n = count + (dd == 0 ? extra : 0);
            sim_corridor *c = &net->corridors[ci];
            snprintf(c->id, sizeof c->id, "%c%03d-%s", horizontal ? 'H' : 'V', idx, d->name);
            snprintf(c->road, sizeof c->road, "%s-%d", horizontal ? "EW" : "NS", idx);
            snprintf(c->direction, sizeof c->direction, "%s", d->name);
            c->length_mi = len;
            c->first_station = next;
            c->n_stations = n;
            for (int k = 0; k < n; k++) {
                int i = d->sign > 0 ? k : count - 1 - k; /* the twin-less extra sits at the end */
                double mp = (i + 0.5) * len / (count + extra);
                sim_station *s = &net->stations[next++];
                snprintf(s->id, sizeof s->id, "%.40s-%04d", c->id, i);
                s->milepost = floor(mp * 100 + 0.5) / 100;
                s->x_mi = d->sign > 0 ? mp : len - mp;
                s->lanes = lanes;
                s->speed_limit_mph = limit;
                s->capacity_vphpl = CTM_CAPACITY_VPHPL;
                s->corridor = ci;
                s->twin = -1;
                grid_point(d, idx, mp, &s->lat, &s->lon);
            }
            c->geometry = malloc(2 * sizeof *c->geometry);
            if (!c->geometry) goto fail;
            grid_point(d, idx, d->sign > 0 ? 0 : len, &c->geometry[0][0], &c->geometry[0][1]);
            grid_point(d, idx, d->sign > 0 ? len : 0, &c->geometry[1][0], &c->geometry[1][1]);
            c->n_geometry = 2;
        }
        /* Twins: station i of one direction and station i of the other. */
        sim_corridor *a = &net->corridors[2 * road], *b = &net->corridors[2 * road + 1];
        for (int i = 0; i < count; i++) {
            int sa = a->first_station + i, sb = b->first_station + (count - 1 - i);
            net->stations[sa].twin = sb;
            net->stations[sb].twin = sa;
        }
    }
    net->n_stations = next;
    net->n_corridors = 2 * n_roads;
    /* All eight movements at each crossing of east-west road i and north-south road j. */
    for (int i = 0; i < g; i++) {
        for (int j = 0; j < g; j++) {
            double pos_on_h = (j + 0.5) * GRID_SPACING_MI, pos_on_v = (i + 0.5) * GRID_SPACING_MI;
            for (int hd = 0; hd < 2; hd++) {
                for (int vd = 0; vd < 2; vd++) {
                    int ch = 2 * i + hd, cv = 2 * (g + j) + vd;
                    for (int way = 0; way < 2; way++) {
                        int from = way ? cv : ch, to = way ? ch : cv;
                        double pf = way ? pos_on_v : pos_on_h, pt = way ? pos_on_h : pos_on_v;
                        double xf = k_dirs[(way ? 2 : 0) + (way ? vd : hd)].sign > 0 ? pf : len - pf;
                        double xt = k_dirs[(way ? 0 : 2) + (way ? hd : vd)].sign > 0 ? pt : len - pt;
                        int sf = sim_net_station_near(net, from, xf, 1), st = sim_net_station_near(net, to, xt, 0);
                        if (sf < 0 || st < 0) continue;
                        sim_link *l = &net->links[net->n_links++];
                        l->from_station = sf;
                        l->to_station = st;
                        l->from_corridor = from;
                        l->to_corridor = to;
                        l->length_mi = 0.4;
                        l->lanes = 1;
                    }
                }
            }
        }
    }
    return 0;
fail:
    sim_net_free(net);
    return -1;
}
