/* main.c — flowcast-sim: lays out the Atlanta I-75/I-285 network, simulates its detector feed
 * with the cell transmission model and writes a dataset folder (docs/FORMATS.md), or writes
 * the network alone, or a synthetic grid network for scaling benchmarks.
 * Usage: flowcast-sim --help (docs/SIMULATOR.md has the details). */
#include "detector.h"
#include "simnet.h"
#include "timeutil.h"
#include "output.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GENERATOR "flowcast-sim 0.1.0 (cell transmission model, dt 5 s)"
#define INTERVAL_S 300
#define STEPS_PER_INTERVAL ((int)(INTERVAL_S / CTM_DT_S))
/* The run starts this long before the first row with an empty network, so that row 0 sees
 * traffic already in place (night demand fills the network in well under an hour). */
#define WARMUP_S (3 * 3600)
#define MAX_FORCED_INCIDENTS 16

static const char *const k_usage =
    "usage:\n"
    "  flowcast-sim --out DIR [--days N] [--seed S] [--start ISO] [--quiet]\n"
    "               [--snapshots-dir DIR2 --snapshot-interval 30|300 --snapshot-hours H]\n"
    "               [--incident SENSOR,START,MINUTES,LANES]... [--no-random-incidents]\n"
    "               [--no-weather] [--ideal-sensors] [--check-conservation]\n"
    "  flowcast-sim --network-only --out FILE.json\n"
    "  flowcast-sim --synthetic N --out FILE.json [--seed S]\n"
    "  flowcast-sim --help\n"
    "\n"
    "Simulates the Atlanta I-75/I-285 detector feed and writes DIR/meta.json, network.json,\n"
    "speed.csv, volume.csv, occupancy.csv, quality.csv and events.csv (docs/FORMATS.md).\n"
    "  --days N              days to simulate (default 56)\n"
    "  --seed S              random seed (default 1); the same seed gives the same files\n"
    "  --start ISO           first row's start, a multiple of 5 minutes\n"
    "                        (default 2026-09-07T00:00:00-04:00, a Monday)\n"
    "  --snapshots-dir DIR2  also write flowcast.snapshot/1 files DIR2/<ts>.json for the\n"
    "                        first H hours (--snapshot-hours, default 24) every 30 or 300 s\n"
    "  --incident ...        force an incident at a sensor: START is ISO 8601, MINUTES its\n"
    "                        duration, LANES the lanes blocked (0 = shoulder); repeatable\n"
    "  --no-random-incidents, --no-weather   switch those disturbances off\n"
    "  --ideal-sensors       no measurement noise and no detector faults\n"
    "  --check-conservation  print vehicles entered, exited and stored on stdout\n"
    "  --quiet               no progress lines on stderr\n"
    "  --network-only        write the network JSON alone to FILE.json\n"
    "  --synthetic N         write a synthetic grid network of N sensors to FILE.json\n";

typedef struct forced_incident {
    char sensor[SIM_ID_MAX];
    int64_t start_s;
    int minutes, lanes;
} forced_incident;

typedef struct options {
    const char *out, *snap_dir;
    int days, snap_interval, quiet, network_only, synthetic_n;
    double snap_hours;
    unsigned long long seed;
    int64_t start_s;
    int random_incidents, weather, ideal, check_conservation;
    forced_incident forced[MAX_FORCED_INCIDENTS];
    int n_forced;
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "flowcast-sim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(flowcast-sim --help for usage)\n");
    return 2;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_time(const char *s, int64_t *out_s)
{
    int64_t ms;
    if (fc_iso8601_parse(s, strlen(s), &ms)) return -1;
    *out_s = ms / 1000;
    return 0;
}

static int parse_incident(const char *arg, forced_incident *fi)
{
    char buf[256];
    if (strlen(arg) >= sizeof buf) return -1;
    strcpy(buf, arg);
    char *parts[4], *p = buf;
    for (int i = 0; i < 4; i++) {
        parts[i] = p;
        char *comma = strchr(p, ',');
        if (i < 3) {
            if (!comma) return -1;
            *comma = 0;
            p = comma + 1;
        } else if (comma) {
            return -1;
        }
    }
    long minutes, lanes;
    if (!parts[0][0] || strlen(parts[0]) >= SIM_ID_MAX || parse_time(parts[1], &fi->start_s) ||
        parse_long(parts[2], 1, 24 * 60, &minutes) || parse_long(parts[3], 0, 15, &lanes))
        return -1;
    strcpy(fi->sensor, parts[0]);
    fi->minutes = (int)minutes;
    fi->lanes = (int)lanes;
    return 0;
}

/* Returns 0 to run, 1 after --help, 2 on a bad argument (already reported). */
static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->days = 56;
    o->seed = 1;
    o->snap_interval = 300;
    o->snap_hours = 24;
    o->random_incidents = o->weather = 1;
    if (parse_time("2026-09-07T00:00:00-04:00", &o->start_s)) return 2;
    int snap_opts = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        int has_value = i + 1 < argc;
        const char *val = has_value ? argv[i + 1] : NULL;
#define NEED_VALUE() do { if (!has_value) return usage_error("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(k_usage, stdout);
            return 1;
        } else if (!strcmp(a, "--out")) {
            NEED_VALUE();
            if (!*val) return usage_error("--out: empty path%s", "");
            o->out = val;
        } else if (!strcmp(a, "--days")) {
            NEED_VALUE();
            if (parse_long(val, 1, 3660, &v)) return usage_error("--days: expected 1..3660, got '%s'", val);
            o->days = (int)v;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            char *end;
            errno = 0;
            o->seed = strtoull(val, &end, 10);
            if (errno || end == val || *end || *val == '-')
                return usage_error("--seed: expected a non-negative integer, got '%s'", val);
        } else if (!strcmp(a, "--start")) {
            NEED_VALUE();
            if (parse_time(val, &o->start_s))
                return usage_error("--start: expected ISO 8601 with an offset, e.g. 2026-09-07T00:00:00-04:00, got '%s'", val);
            if (o->start_s % INTERVAL_S)
                return usage_error("--start: must be a multiple of 5 minutes (slots align to the epoch), got '%s'", val);
        } else if (!strcmp(a, "--snapshots-dir")) {
            NEED_VALUE();
            if (!*val) return usage_error("--snapshots-dir: empty path%s", "");
            o->snap_dir = val;
        } else if (!strcmp(a, "--snapshot-interval")) {
            NEED_VALUE();
            if (parse_long(val, 30, 300, &v) || (v != 30 && v != 300))
                return usage_error("--snapshot-interval: expected 30 or 300, got '%s'", val);
            o->snap_interval = (int)v;
            snap_opts = 1;
        } else if (!strcmp(a, "--snapshot-hours")) {
            NEED_VALUE();
            char *end;
            o->snap_hours = strtod(val, &end);
            if (end == val || *end || !(o->snap_hours > 0) || o->snap_hours > 24 * 3660)
                return usage_error("--snapshot-hours: expected a positive number of hours, got '%s'", val);
            snap_opts = 1;
        } else if (!strcmp(a, "--incident")) {
            NEED_VALUE();
            if (o->n_forced == MAX_FORCED_INCIDENTS) return usage_error("--incident: at most 16%s", "");
            if (parse_incident(val, &o->forced[o->n_forced]))
                return usage_error("--incident: expected SENSOR,START,MINUTES,LANES "
                                   "(e.g. I285-CW-025.1,2026-09-08T07:30:00-04:00,60,2), got '%s'", val);
            o->n_forced++;
        } else if (!strcmp(a, "--synthetic")) {
            NEED_VALUE();
            if (parse_long(val, 8, 1000000, &v)) return usage_error("--synthetic: expected 8..1000000 sensors, got '%s'", val);
            o->synthetic_n = (int)v;
        } else if (!strcmp(a, "--network-only")) {
            o->network_only = 1;
        } else if (!strcmp(a, "--no-random-incidents")) {
            o->random_incidents = 0;
        } else if (!strcmp(a, "--no-weather")) {
            o->weather = 0;
        } else if (!strcmp(a, "--ideal-sensors")) {
            o->ideal = 1;
        } else if (!strcmp(a, "--check-conservation")) {
            o->check_conservation = 1;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else {
            return usage_error("unknown argument '%s'", a);
        }
#undef NEED_VALUE
    }
    if (!o->out) return usage_error("--out is required%s", "");
    if (o->network_only && o->synthetic_n) return usage_error("--network-only and --synthetic exclude each other%s", "");
    if (snap_opts && !o->snap_dir) return usage_error("--snapshot-interval/--snapshot-hours need --snapshots-dir%s", "");
    return 0;
}

static int write_meta(const char *dir, const options *o, const scenario *sc, const sim_net *net,
                      const ctm_model *m, int rows, double stored)
{
    char start[32];
    scenario_format_time(sc, o->start_s, start);
    FILE *f = output_open(dir, "meta.json");
    if (!f) return -1;
    fprintf(f,
            "{\n  \"schema\": \"flowcast.dataset/1\",\n  \"network\": \"%s\",\n  \"start\": \"%s\",\n"
            "  \"interval_s\": %d,\n  \"rows\": %d,\n  \"timezone\": \"%s\",\n  \"seed\": %llu,\n"
            "  \"generator\": \"%s\",\n  \"days\": %d,\n  \"sensors\": %d,\n"
            "  \"model\": {\"dt_s\": %g, \"cells\": %d, \"cell_mi\": %g, \"capacity_vphpl\": %g,"
            " \"jam_density_vpmpl\": %g, \"free_flow_over_limit_mph\": %g, \"warmup_s\": %d},\n"
            "  \"options\": {\"random_incidents\": %s, \"weather\": %s, \"ideal_sensors\": %s},\n"
            "  \"conservation\": {\"entered_veh\": %.3f, \"exited_veh\": %.3f, \"stored_veh\": %.3f,"
            " \"residual_veh\": %.6f}\n}\n",
            net->id, start, INTERVAL_S, rows, net->timezone, o->seed, GENERATOR, o->days,
            net->n_stations, CTM_DT_S, m->n_cells, CTM_CELL_MI, CTM_CAPACITY_VPHPL, CTM_JAM_VPMPL,
            CTM_FREE_OVER_LIMIT_MPH, WARMUP_S, o->random_incidents ? "true" : "false",
            o->weather ? "true" : "false", o->ideal ? "true" : "false", m->entered, m->exited,
            stored, m->entered - m->exited - stored);
    return fclose(f) ? -1 : 0;
}

/* ---- the run ----------------------------------------------------------------------------- */

static int add_forced_incidents(scenario *sc, const sim_net *net, const ctm_model *m,
                                const options *o)
{
    for (int i = 0; i < o->n_forced; i++) {
        const forced_incident *fi = &o->forced[i];
        int s = sim_net_find_station(net, fi->sensor);
        if (s < 0) {
            fprintf(stderr, "flowcast-sim: --incident: unknown sensor '%s'\n", fi->sensor);
            return 2;
        }
        int cell = m->station_cell[s], lanes = m->lanes[cell];
        if (fi->lanes >= lanes) {
            fprintf(stderr, "flowcast-sim: --incident: %s has %d lanes; block at most %d\n",
                    fi->sensor, lanes, lanes - 1);
            return 2;
        }
        sim_event ev = {0};
        ev.kind = EV_INCIDENT;
        ev.start_s = fi->start_s;
        ev.end_s = fi->start_s + (int64_t)fi->minutes * 60;
        ev.station = s;
        ev.cell = cell;
        ev.lanes_blocked = fi->lanes;
        ev.cap_factor = scenario_incident_capacity(lanes, fi->lanes);
        snprintf(ev.detail, sizeof ev.detail, "forced: %d of %d lanes blocked", fi->lanes, lanes);
        if (scenario_add_event(sc, &ev)) return 1;
    }
    return 0;
}

/* Everything one simulation run holds. Accumulators sum, per station, the vehicles in its
 * cell at the start of each step and the vehicles that leave the cell during the step, over
 * the 5-minute row and over the current 30-s snapshot period. */
typedef struct run {
    const options *o;
    sim_net net;
    ctm_model m;
    scenario sc;
    detector det;
    output_matrices mx;
    double *row_n, *row_out, *snap_n, *snap_out;
    det_reading *readings;
    int rows;
    int64_t snap_end;  /* snapshots are written for periods ending up to here */
} run;

static int run_open(run *r, const options *o)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    if (sim_atlanta_build(&r->net)) return 1;
    int n = r->net.n_stations;
    r->rows = o->days * (86400 / INTERVAL_S);
    r->snap_end = o->snap_dir ? o->start_s + (int64_t)(o->snap_hours * 3600) : o->start_s;
    r->row_n = calloc((size_t)n, sizeof(double));
    r->row_out = calloc((size_t)n, sizeof(double));
    r->snap_n = calloc((size_t)n, sizeof(double));
    r->snap_out = calloc((size_t)n, sizeof(double));
    r->readings = calloc((size_t)n, sizeof *r->readings);
    scenario_opts sopts = {o->random_incidents, o->weather};
    if (!r->row_n || !r->row_out || !r->snap_n || !r->snap_out || !r->readings ||
        ctm_build(&r->m, &r->net) ||
        scenario_init(&r->sc, &r->net, &r->m, o->start_s, WARMUP_S, o->days, o->seed, &sopts))
        return 1;
    int forced = add_forced_incidents(&r->sc, &r->net, &r->m, o);
    if (forced) return forced;
    int64_t end_s = o->start_s + (int64_t)r->rows * INTERVAL_S;
    if (detector_plan_faults(&r->sc, &r->net, o->start_s, end_s, o->seed, o->ideal) ||
        scenario_finalize(&r->sc) || detector_init(&r->det, &r->sc, &r->net, o->seed, o->ideal))
        return 1;
    return 0;
}

static void run_close(run *r)
{
    output_matrices_close(&r->mx);
    free(r->row_n);
    free(r->row_out);
    free(r->snap_n);
    free(r->snap_out);
    free(r->readings);
    detector_free(&r->det);
    scenario_free(&r->sc);
    ctm_free(&r->m);
    sim_net_free(&r->net);
}

/* Reads every station over a period of `steps` steps ending at ts, then clears the sums. */
static void read_stations(run *r, int stream, int64_t ts, double *n_sum, double *out_sum, int steps)
{
    for (int s = 0; s < r->net.n_stations; s++)
        detector_read(&r->det, stream, &r->sc, &r->m, s, ts, out_sum[s], n_sum[s], steps,
                      &r->readings[s]);
    memset(n_sum, 0, (size_t)r->net.n_stations * sizeof(double));
    memset(out_sum, 0, (size_t)r->net.n_stations * sizeof(double));
}

/* Simulates the 5-minute interval starting at t0 (row i; negative rows are the warm-up) and
 * writes its row and snapshots. Returns 0, or -1 on a write error. */
static int run_interval(run *r, int i, int64_t t0)
{
    const options *o = r->o;
    const int n = r->net.n_stations, *cell = r->m.station_cell;
    const int snap_steps = (int)(o->snap_interval / CTM_DT_S);
    scenario_set_demand(&r->sc, &r->net, &r->m, t0);
    for (int step = 0; step < STEPS_PER_INTERVAL; step++) {
        int64_t t = t0 + (int64_t)(step * CTM_DT_S);
        if (step % 6 == 0) scenario_apply_disturbances(&r->sc, &r->m, t); /* every 30 s */
        int snap30 = i >= 0 && t < r->snap_end && o->snap_interval == 30;
        for (int s = 0; s < n; s++) {
            r->row_n[s] += r->m.n[cell[s]];
            if (snap30) r->snap_n[s] += r->m.n[cell[s]];
        }
        ctm_step(&r->m);
        for (int s = 0; s < n; s++) {
            r->row_out[s] += r->m.out[cell[s]];
            if (snap30) r->snap_out[s] += r->m.out[cell[s]];
        }
        if (snap30 && (step + 1) % snap_steps == 0) {
            int64_t ts = t + (int64_t)CTM_DT_S;
            read_stations(r, DET_STREAM_SNAPSHOT, ts, r->snap_n, r->snap_out, snap_steps);
            if (output_snapshot(o->snap_dir, &r->sc, &r->net, ts, 30, r->readings)) return -1;
        }
    }
    if (i < 0) { /* warm-up: nothing recorded */
        memset(r->row_n, 0, (size_t)n * sizeof(double));
        memset(r->row_out, 0, (size_t)n * sizeof(double));
        return 0;
    }
    int64_t ts = t0 + INTERVAL_S;
    read_stations(r, DET_STREAM_MATRIX, ts, r->row_n, r->row_out, STEPS_PER_INTERVAL);
    output_matrices_row(&r->mx, r->readings);
    if (o->snap_dir && o->snap_interval == 300 && t0 < r->snap_end &&
        output_snapshot(o->snap_dir, &r->sc, &r->net, ts, 300, r->readings))
        return -1;
    if (!o->quiet && (i + 1) % (86400 / INTERVAL_S) == 0)
        fprintf(stderr, "flowcast-sim: day %d/%d\n", (i + 1) / (86400 / INTERVAL_S), o->days);
    return 0;
}

/* Writes network.json, events.csv, incidents.json and meta.json once the matrices are complete. */
static int run_finish(run *r, double cpu_s)
{
    const options *o = r->o;
    double stored = ctm_stored(&r->m);
    char path[4096];
    snprintf(path, sizeof path, "%s/network.json", o->out);
    if (output_matrices_close(&r->mx) || output_network_file(&r->net, path) ||
        output_events(o->out, &r->sc, &r->net) ||
        output_incidents(o->out, &r->sc, &r->net, &r->m, o->start_s, o->start_s + (int64_t)r->rows * INTERVAL_S) ||
        write_meta(o->out, o, &r->sc, &r->net, &r->m, r->rows, stored))
        return 1;
    if (o->check_conservation)
        printf("conservation: entered %.3f exited %.3f stored %.3f residual %.9f veh\n",
               r->m.entered, r->m.exited, stored, r->m.entered - r->m.exited - stored);
    if (!o->quiet)
        fprintf(stderr, "flowcast-sim: %d days, %d sensors, %d cells, %d rows in %.2f s CPU\n",
                o->days, r->net.n_stations, r->m.n_cells, r->rows, cpu_s);
    return 0;
}

static int simulate(const options *o)
{
    run r;
    int status = run_open(&r, o);
    if (status == 1) fprintf(stderr, "flowcast-sim: out of memory\n");
    if (!status && (output_make_dir(o->out) || (o->snap_dir && output_make_dir(o->snap_dir)) ||
                    output_matrices_open(&r.mx, o->out, &r.net)))
        status = 1;
    if (!status) {
        clock_t t_clock = clock();
        for (int i = -(WARMUP_S / INTERVAL_S); i < r.rows && !status; i++)
            if (run_interval(&r, i, o->start_s + (int64_t)i * INTERVAL_S)) status = 1;
        if (!status) status = run_finish(&r, (double)(clock() - t_clock) / CLOCKS_PER_SEC);
    }
    run_close(&r);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc == 1) return 0;
    if (rc) return rc;
    if (o.synthetic_n || o.network_only) {
        sim_net net;
        int bad = o.synthetic_n ? sim_synthetic_build(&net, o.synthetic_n, o.seed) : sim_atlanta_build(&net);
        if (bad) {
            fprintf(stderr, "flowcast-sim: out of memory\n");
            return 1;
        }
        bad = output_network_file(&net, o.out);
        sim_net_free(&net);
        return bad ? 1 : 0;
    }
    return simulate(&o);
}
