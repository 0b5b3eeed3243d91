/* detector.h — what the loop detectors report: speed, volume and occupancy of the model cell
 * under each station, averaged over the reporting period, with the faults of a real feed:
 * measurement noise, isolated dropouts, outages of hours, stuck detectors that repeat their
 * last reading, and dead ones. Two independent streams (the 5-minute matrices and the 30-s
 * snapshots) draw their own noise, so writing snapshots never changes the matrices. */
#ifndef SIM_DETECTOR_H
#define SIM_DETECTOR_H
#include "scenario.h"

/* Effective vehicle length (vehicle + detector zone) that turns density into occupancy. */
#define DET_EFFECTIVE_LENGTH_FT 20.0
/* Quality bits of docs/FORMATS.md. */
#define DET_Q_SUSPECT 2
#define DET_Q_FAULT 4

typedef struct det_reading {
    double speed_mph, volume_vph, occupancy;  /* rounded as written */
    int missing;
    int quality;
} det_reading;

enum { DET_STREAM_MATRIX, DET_STREAM_SNAPSHOT, DET_STREAMS };

typedef struct detector {
    int n_stations;
    int ideal;                 /* no noise and no faults (model checks) */
    int *fault_first, *fault_count, *fault_event; /* per station: its fault events */
    sim_rng rng[DET_STREAMS];
    det_reading *last[DET_STREAMS]; /* last good reading, repeated while stuck */
} detector;

/* Draws dead, outage and stuck periods for [start_s, end_s) into the scenario's log
 * (nothing when ideal). Returns 0, or -1 on no memory. */
int detector_plan_faults(scenario *sc, const sim_net *net, int64_t start_s, int64_t end_s,
                         uint64_t seed, int ideal);

/* Prepares the detectors once the log is final (sorted). Returns 0, or -1 on no memory. */
int detector_init(detector *d, const scenario *sc, const sim_net *net, uint64_t seed, int ideal);
void detector_free(detector *d);

/* The reading of station s for the period ending at t_end_s, from out_veh vehicles that left
 * its cell and n_sum (vehicles in the cell summed over the period's steps). */
void detector_read(detector *d, int stream, const scenario *sc, const ctm_model *m, int s,
                   int64_t t_end_s, double out_veh, double n_sum, int steps, det_reading *r);

#endif
