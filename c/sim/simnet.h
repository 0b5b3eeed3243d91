/* simnet.h — the simulator's description of a freeway network: detector stations, directional
 * corridors with drawing geometry, ramps and interchange links. The Atlanta layout (atlanta.c)
 * and the synthetic grid (synthetic.c) both fill it; netjson.c writes it as flowcast.network/1,
 * and ctm.c turns it into cells for the traffic model. */
#ifndef SIM_SIMNET_H
#define SIM_SIMNET_H
#include <stdio.h>

#define SIM_ID_MAX 64
#define SIM_PI 3.14159265358979323846

typedef struct sim_station {
    char id[SIM_ID_MAX];
    char label[80];
    char exit[8];         /* exit number at this station, or "" (network field `exit`) */
    char place[64];       /* the area it is in, or "" (network field `place`) */
    double lat, lon;
    double milepost;
    double x_mi;          /* distance from the corridor's start, downstream */
    int lanes;
    double speed_limit_mph;
    double capacity_vphpl;   /* model capacity per lane (not part of the network format) */
    int corridor;
    int twin;             /* station index, or -1 */
} sim_station;

typedef struct sim_corridor {
    char id[SIM_ID_MAX];
    char road[16], direction[16];
    char name[32];                   /* local name ("Inner Loop"), or "" */
    int loop;
    double length_mi;
    int first_station, n_stations;   /* stations are contiguous, in downstream order */
    double (*geometry)[2];           /* [lat, lon], downstream order */
    int n_geometry;
} sim_corridor;

/* A ramp to or from the world outside the modelled freeways. */
typedef struct sim_ramp {
    int corridor;
    double x_mi;          /* where it joins or leaves the corridor */
    int is_on;            /* 1: on-ramp (a source), 0: off-ramp (a sink) */
    int lanes;
    double peak_vph;      /* on-ramps: demand at the weekday peak of its profile */
    double exit_share;    /* off-ramps: share of the mainline flow that leaves */
    double am_weight, pm_weight;  /* on-ramps: size of the AM and PM peaks (directional) */
} sim_ramp;

/* A directed ramp between two corridors at an interchange. */
typedef struct sim_link {
    int from_station, to_station;    /* the stations named in the network's connections */
    int from_corridor, to_corridor;
    double from_x_mi, to_x_mi;       /* diverge and merge points */
    double length_mi;
    int lanes;
    double share;                    /* share of the feeding mainline flow that takes the ramp */
    char name[80];
} sim_link;

/* A named place for search (network field `places`): an interchange or landmark and the
 * station nearest it on each carriageway that passes it. */
#define SIM_PLACE_ALIASES 10
#define SIM_PLACE_STATIONS 4
typedef struct sim_place {
    const char *name;
    const char *aliases[SIM_PLACE_ALIASES];   /* NULL-terminated when shorter */
    int stations[SIM_PLACE_STATIONS];
    int n_stations;
} sim_place;

typedef struct sim_net {
    char id[SIM_ID_MAX];
    char name[80];
    char timezone[40];
    int interval_s;
    sim_station *stations;
    int n_stations;
    sim_corridor *corridors;
    int n_corridors;
    sim_ramp *ramps;
    int n_ramps;
    sim_link *links;
    int n_links;
    sim_place *places;
    int n_places;
} sim_net;

/* Builds the Atlanta I-75/I-285 network. Returns 0, or -1 when out of memory. */
int sim_atlanta_build(sim_net *net);

/* Builds a synthetic grid network of exactly n_sensors stations (n_sensors >= 8). */
int sim_synthetic_build(sim_net *net, int n_sensors, unsigned long long seed);

/* Writes the network as flowcast.network/1 JSON. Returns 0, or -1 on a write error. */
int sim_net_write_json(const sim_net *net, FILE *f);

/* The station of a corridor just before (before = 1) or just after distance x_mi along it;
 * loops wrap around, open corridors give -1 past their ends. */
int sim_net_station_near(const sim_net *net, int corridor, double x_mi, int before);

/* Index of the station with this id, or -1. */
int sim_net_find_station(const sim_net *net, const char *id);

void sim_net_free(sim_net *net);

#endif
