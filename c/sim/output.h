/* output.h — writing a dataset folder: the matrix CSVs (speed, volume, occupancy, quality),
 * events.csv, incidents.json, network.json, and snapshot files, in the formats of docs/FORMATS.md.
 * Numbers are formatted without printf: the matrices hold tens of millions of values. */
#ifndef SIM_OUTPUT_H
#define SIM_OUTPUT_H
#include "detector.h"
#include <stdio.h>

enum { OUT_SPEED, OUT_VOLUME, OUT_OCC, OUT_QUALITY, OUT_COUNT };

typedef struct output_matrices {
    FILE *f[OUT_COUNT];
    char *buf;            /* one row of one matrix */
    int n;                /* columns (stations) */
    const char *dir;
} output_matrices;

/* Creates the four matrix files in dir and writes their header rows (sensor ids in network
 * order). Returns 0, or -1 (reported on stderr); call output_matrices_close() either way. */
int output_matrices_open(output_matrices *mx, const char *dir, const sim_net *net);
/* Appends one row: speed 0.1 mph, volume 1 veh/h, occupancy 0.0001, quality; missing = empty. */
void output_matrices_row(output_matrices *mx, const det_reading *r);
/* Closes the files. Returns 0, or -1 when a write failed (reported on stderr). */
int output_matrices_close(output_matrices *mx);

/* Writes DIR/<ts>.json, a flowcast.snapshot/1 of the readings for the period ending at ts. */
int output_snapshot(const char *dir, const scenario *sc, const sim_net *net, int64_t ts,
                    int interval_s, const det_reading *r);
/* Writes DIR/events.csv from the scenario's log. */
int output_events(const char *dir, const scenario *sc, const sim_net *net);
/* Writes DIR/incidents.json: the incidents overlapping [start_s, end_s) as a flowcast.incidents/1
 * document at end_s (lanes are the blocked cell's). */
int output_incidents(const char *dir, const scenario *sc, const sim_net *net, const ctm_model *m,
                     int64_t start_s, int64_t end_s);
/* Writes the network JSON to path. */
int output_network_file(const sim_net *net, const char *path);

/* mkdir that accepts an existing directory. */
int output_make_dir(const char *path);
/* fopen(dir/name, "w"), reporting failures on stderr. */
FILE *output_open(const char *dir, const char *name);

#endif
