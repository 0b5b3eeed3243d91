/* scenario.h — what happens on the network: time-of-day demand on every ramp (weekday AM and
 * PM peaks, Friday's earlier evening, weekends, holidays, day-to-day variation), incidents,
 * rain, and the ground-truth event log. Local time follows the network's time zone with its
 * daylight-saving rule. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H
#include "ctm.h"
#include "rng.h"
#include "tz.h"
#include <stdint.h>

enum {
    EV_INCIDENT,
    EV_RAIN,
    EV_HOLIDAY,
    EV_SENSOR_DEAD,
    EV_SENSOR_OUTAGE,
    EV_SENSOR_STUCK,
    EV_KIND_COUNT
};

typedef struct sim_event {
    int kind;
    int64_t start_s, end_s;   /* Unix seconds, [start, end) */
    int station;              /* -1 when network-wide */
    int lanes_blocked;        /* incidents; -1 otherwise */
    int cell;                 /* incidents: the blocked model cell */
    double cap_factor;        /* incidents: capacity left; rain: capacity multiplier */
    double speed_factor;      /* rain: free-flow speed multiplier */
    int flagged;              /* stuck sensors: whether the feed flags them as suspect */
    char detail[96];
} sim_event;

typedef struct scenario_opts {
    int random_incidents;     /* 1: a few random incidents per day */
    int weather;              /* 1: random rain days */
} scenario_opts;

typedef struct scenario {
    fc_tz tz;
    int64_t start_s;          /* first recorded instant */
    int64_t first_day;        /* local day number (days since 1970) of day index 0 */
    int n_days;               /* days covered, warm-up included */
    double *day_factor;       /* [day] network-wide demand level */
    double *ramp_factor;      /* [day * n_ramps + ramp] */
    int n_ramps;
    sim_event *events;
    int n_events, cap_events;
    sim_rng rng;              /* demand noise */
    int *disturbances;        /* indices of incident and rain events, set by scenario_finalize */
    int n_disturbances;
} scenario;

/* Plans days [start - warmup, start + days) for the network. Returns 0, or -1 on no memory. */
int scenario_init(scenario *sc, const sim_net *net, const ctm_model *m, int64_t start_s,
                  int64_t warmup_s, int days, uint64_t seed, const scenario_opts *opts);
void scenario_free(scenario *sc);

/* Adds an event to the log (copied). Returns 0, or -1 on no memory. */
int scenario_add_event(scenario *sc, const sim_event *ev);

/* Capacity left by an incident blocking `blocked` of `lanes` lanes (rubbernecking included). */
double scenario_incident_capacity(int lanes, int blocked);

/* Sets every source's arrival rate for the 5-minute interval starting at t_s. */
void scenario_set_demand(scenario *sc, const sim_net *net, ctm_model *m, int64_t t_s);

/* Applies the incidents and weather in force at t_s to the model's capacities and speeds. */
void scenario_apply_disturbances(const scenario *sc, ctm_model *m, int64_t t_s);

/* Sorts the log by start time (then kind, then station) for writing, and indexes the
 * incidents and rain for the run. Call once every event is in. Returns 0, or -1 on no memory. */
int scenario_finalize(scenario *sc);

/* Local civil time of t_s: local day number (days since 1970) and hour of day (fractional);
 * either pointer may be NULL. */
void scenario_local(const scenario *sc, int64_t t_s, int64_t *day, double *hour);

/* ISO 8601 with the local offset: "2026-09-07T08:15:00-04:00" (26 bytes with NUL). */
void scenario_format_time(const scenario *sc, int64_t t_s, char out[32]);

#endif
