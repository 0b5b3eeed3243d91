/* ctm.h — the cell transmission model (Daganzo 1994) on a sim_net.
 *
 * Each directional corridor is cut into cells of about 0.2 mi; ramps between corridors are
 * chains of short cells. A cell holds n vehicles and follows a triangular fundamental diagram:
 * it can send min(v_free * k, Q) and receive min(Q, w * (k_jam - k)) per lane. Nodes between
 * cells pass min(sending, receiving) flows; at merges the receiving capacity is shared in
 * proportion to lanes (Daganzo's priority rule) and at diverges the flow obeys FIFO (a full
 * branch holds back the whole approach), which is how queues spill back across interchanges.
 * On-ramps are sources with a queue of waiting vehicles, off-ramps and open ends are sinks.
 * Every vehicle is counted in, stored or out, so conservation can be checked exactly. */
#ifndef SIM_CTM_H
#define SIM_CTM_H
#include "simnet.h"
#include <stdint.h>

/* Model constants (documented with their reasons in docs/SIMULATOR.md). */
#define CTM_DT_S 5.0                 /* time step */
#define CTM_CELL_MI 0.2              /* target cell length; CFL needs >= v_free * dt = 0.1 mi */
/* Capacity per lane of a plain freeway section (HCM basic segments: 2,100-2,300 at these
 * speeds); weaving sections get less from the network (sim_station.capacity_vphpl). */
#define CTM_CAPACITY_VPHPL 2100.0
#define CTM_JAM_VPMPL 190.0          /* jam density per lane */
#define CTM_FREE_OVER_LIMIT_MPH 5.0  /* free-flow speed = posted limit + 5 mph */
#define CTM_RAMP_SPEED_MPH 50.0      /* free-flow speed on interchange ramps */
#define CTM_RAMP_CAPACITY_VPHPL 1900.0 /* on-ramp and interchange-ramp capacity per lane */

typedef struct ctm_node ctm_node;

typedef struct ctm_model {
    int n_cells;
    double *n;          /* vehicles in the cell */
    double *n_jam;      /* vehicles at jam density */
    double *cap;        /* capacity, vehicles per step */
    double *v_ratio;    /* v_free * dt / length */
    double *w_ratio;    /* w * dt / length */
    double *cap_factor; /* incidents: 1 = all lanes open */
    double *send, *recv;/* scratch: sending and receiving flows of the current step */
    double *out;        /* vehicles that left the cell in the last step */
    double *len_mi;
    int *lanes;
    double *v_free_mph;
    int *corridor;      /* corridor of a cell, -1 for interchange ramps */
    /* nodes with exactly one cell in and one out take a fast path */
    int n_series;
    int *series_up, *series_dn;
    int n_general;
    ctm_node *general;
    /* sources (on-ramps and open upstream ends) */
    int n_sources;
    double *queue;      /* vehicles waiting to enter */
    double *src_cap;    /* vehicles per step the ramp can deliver */
    double *src_rate;   /* arrivals per step, set by the scenario */
    int *src_ramp;      /* index into net->ramps */
    /* corridors: cells first .. first + count - 1, each cell_mi long */
    int *corr_first_cell, *corr_n_cells;
    double *corr_cell_mi;
    /* stations */
    int *station_cell;
    /* weather: multipliers of capacity and free-flow speed */
    double weather_cap, weather_speed;
    /* accounting, vehicles */
    double entered, exited;
} ctm_model;

/* Builds the model's cells and nodes from the network. Returns 0, or -1 when out of memory. */
int ctm_build(ctm_model *m, const sim_net *net);
void ctm_free(ctm_model *m);

/* Advances the model by one time step of CTM_DT_S. */
void ctm_step(ctm_model *m);

/* Vehicles currently inside the model (cells and ramp queues). */
double ctm_stored(const ctm_model *m);

/* Cell of a corridor at distance x_mi from its start. */
int ctm_cell_at(const ctm_model *m, const sim_net *net, int corridor, double x_mi);

#endif
