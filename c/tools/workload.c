/* workload.c — flowcast-workload: fixed, deterministic workloads of the engine for the
 * instruction-count budgets (bench/gate.js runs them under callgrind). Everything is generated
 * here from constants, so the same binary always executes the same instructions.
 *
 *   flowcast-workload ingest     20 snapshots of a 1,000-sensor network through fc_ingest_json
 *   flowcast-workload ingest-cjson   the same through the cJSON reference parser
 *   flowcast-workload route      20 uncached travel-time queries along a 50-station corridor
 *   flowcast-workload forecast   20 forecasts of a 460-sensor network (model trained first)
 *   flowcast-workload train      one training of 40 sensors x 4 days
 *
 * The measured calls are bracketed with callgrind's client requests, so a run with
 * --instr-atstart=no counts only them (setup runs uninstrumented and fast). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include "flowcast.h"
#include "common/tool.h"

#define T0_MS 1788753600000LL /* 2026-09-07T04:00:00Z: Monday 00:00 in New York */
#define INTERVAL_MS 300000LL

/* A grid network JSON of n sensors on corridors of 50 (the same shape as the JS fixtures). */
static char *grid_network(int n)
{
    size_t cap = 256 + (size_t)n * 220, len = 0;
    char *s = malloc(cap);
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"schema\":\"flowcast.network/1\",\"id\":\"grid-%d\",\"timezone\":\"America/New_York\","
                            "\"interval_s\":300,\"sensors\":[", n);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "%s{\"id\":\"C%d-S%d\",\"lat\":%.4f,\"lon\":%.4f,\"road\":\"R-%d\",\"direction\":\"E\","
                                "\"milepost\":%.1f,\"lanes\":%d,\"speed_limit_mph\":65}",
                                i ? "," : "", i / 50, i % 50, 33 + (i / 50) * 0.01, -84 + (i % 50) * 0.005, i / 50,
                                (i % 50) * 0.4, 3 + i % 3);
    len += (size_t)snprintf(s + len, cap - len, "],\"corridors\":[");
    for (int c = 0; c * 50 < n; c++) {
        len += (size_t)snprintf(s + len, cap - len, "%s{\"id\":\"R-%d-E\",\"road\":\"R-%d\",\"direction\":\"E\",\"sensors\":[",
                                c ? "," : "", c, c);
        for (int k = 0; k < 50 && c * 50 + k < n; k++)
            len += (size_t)snprintf(s + len, cap - len, "%s\"C%d-S%d\"", k ? "," : "", c, k);
        len += (size_t)snprintf(s + len, cap - len, "]}");
    }
    snprintf(s + len, cap - len, "]}");
    return s;
}

static fc_engine *engine_for(int n, uint32_t history_s, uint32_t parser)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = history_s;
    cfg.parser = parser;
    fc_engine *e;
    if (fc_engine_create(&cfg, &e)) fc_tool_die("cannot create the engine");
    char *net = grid_network(n);
    if (fc_engine_load_network(e, net, strlen(net))) fc_tool_die("network: %s", fc_engine_message(e));
    free(net);
    return e;
}

/* Speeds with a weekday PM dip and a decaying random deviation (LCG: the same every run). */
static void fill_rows(fc_engine *e, int n, int rows)
{
    float *row = malloc((size_t)n * sizeof(float));
    double *d = calloc((size_t)n, sizeof(double));
    uint32_t seed = 12345;
    for (int t = 0; t < rows; t++) {
        double tod = (t % 288) / 12.0;
        for (int s = 0; s < n; s++) {
            seed = seed * 1103515245u + 12345u;
            double u = (seed >> 8) / 16777216.0;
            d[s] = 0.9 * d[s] + (u < 0.02 ? -20 * u / 0.02 : (u - 0.5) * 0.4);
            row[s] = (float)fmax(3, 62 - (s % 5) - 25 * exp(-pow((tod - 17.5) / 1.2, 2)) + d[s]);
        }
        if (fc_ingest_values(e, T0_MS + (t + 1) * INTERVAL_MS, row, NULL, NULL, (size_t)n, NULL))
            fc_tool_die("ingest: %s", fc_engine_message(e));
    }
    free(row);
    free(d);
}

static void ingest(uint32_t parser)
{
    enum { N = 1000, SNAPS = 20 };
    fc_engine *e = engine_for(N, 86400, parser);
    size_t cap = 64 + (size_t)N * 120;
    char *snap = malloc(cap);
    for (int k = 0; k < SNAPS; k++) {
        /* 13:00Z + k * 30 s, with the readings of gridNetwork fullSnapshot() */
        int sec = k * 30;
        size_t len = (size_t)snprintf(snap, cap,
                                      "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"grid-%d\",\"ts\":\"2026-11-25T13:%02d:%02dZ\","
                                      "\"interval_s\":300,\"readings\":[", N, sec / 60, sec % 60);
        for (int i = 0; i < N; i++)
            len += (size_t)snprintf(snap + len, cap - len,
                                    "%s{\"id\":\"C%d-S%d\",\"speed_mph\":%.2f,\"volume_vph\":%d,\"occupancy\":%.3f,\"quality\":0}",
                                    i ? "," : "", i / 50, i % 50, 25 + (i * 37 + k) % 45 + 0.25, 600 + (i * 53) % 1800,
                                    0.02 + ((i * 7) % 30) / 100.0);
        len += (size_t)snprintf(snap + len, cap - len, "]}");
        fc_ingest_result r;
        CALLGRIND_START_INSTRUMENTATION;
        fc_status st = fc_ingest_json(e, snap, len, &r);
        CALLGRIND_STOP_INSTRUMENTATION;
        if (st || r.accepted != N) fc_tool_die("snapshot %d: %s (%u accepted)", k, fc_engine_message(e), r.accepted);
    }
    free(snap);
    fc_engine_destroy(e);
}

static void forecast(void)
{
    enum { N = 460 };
    fc_engine *e = engine_for(N, 3 * 86400, FC_PARSER_AUTO);
    fill_rows(e, N, 3 * 288);
    fc_train_options o;
    fc_train_options_default(&o);
    o.max_samples = 100; /* setup only: the forecast's cost does not depend on it */
    o.global_sensors = 8;
    if (fc_engine_train(e, &o, NULL, NULL)) fc_tool_die("train: %s", fc_engine_message(e));
    size_t nv = (size_t)N * fc_engine_horizons(e);
    float *mid = malloc(nv * sizeof(float)), *lo = malloc(nv * sizeof(float)), *hi = malloc(nv * sizeof(float));
    for (int k = 0; k < 20; k++) {
        CALLGRIND_START_INSTRUMENTATION;
        fc_status st = fc_engine_forecast(e, mid, lo, hi, nv);
        CALLGRIND_STOP_INSTRUMENTATION;
        if (st) fc_tool_die("forecast: %s", fc_engine_message(e));
    }
    free(mid);
    free(lo);
    free(hi);
    fc_engine_destroy(e);
}

static void train(void)
{
    enum { N = 40 };
    fc_engine *e = engine_for(N, 5 * 86400, FC_PARSER_AUTO);
    fill_rows(e, N, 4 * 288);
    CALLGRIND_START_INSTRUMENTATION;
    fc_status st = fc_engine_train(e, NULL, NULL, NULL);
    CALLGRIND_STOP_INSTRUMENTATION;
    if (st) fc_tool_die("train: %s", fc_engine_message(e));
    fc_engine_destroy(e);
}

static void route(void)
{
    enum { N = 100 };
    fc_engine *e = engine_for(N, 3 * 86400, FC_PARSER_AUTO);
    fill_rows(e, N, 3 * 288);
    fc_train_options o;
    fc_train_options_default(&o);
    o.max_samples = 100; /* setup only */
    if (fc_engine_train(e, &o, NULL, NULL)) fc_tool_die("train: %s", fc_engine_message(e));
    fc_travel_segment seg[64];
    fc_travel_time tt;
    int64_t depart = T0_MS + 3 * 288 * INTERVAL_MS; /* the newest data time */
    /* the first query builds the route graph and forecast buffers: not measured */
    if (fc_engine_travel_time(e, 0, 49, depart, FC_ROUTE_NO_CACHE, &tt, seg, 64)) fc_tool_die("route: %s", fc_engine_message(e));
    for (int k = 0; k < 20; k++) {
        CALLGRIND_START_INSTRUMENTATION;
        fc_status st = fc_engine_travel_time(e, 0, 49, depart, FC_ROUTE_NO_CACHE, &tt, seg, 64);
        CALLGRIND_STOP_INSTRUMENTATION;
        if (st) fc_tool_die("route: %s", fc_engine_message(e));
    }
    fc_engine_destroy(e);
}

int main(int argc, char **argv)
{
    fc_tool_set_name("flowcast-workload");
    if (argc != 2) fc_tool_die("usage: flowcast-workload ingest|ingest-cjson|forecast|train|route");
    if (!strcmp(argv[1], "ingest")) ingest(FC_PARSER_AUTO);
    else if (!strcmp(argv[1], "ingest-cjson")) ingest(FC_PARSER_CJSON);
    else if (!strcmp(argv[1], "route")) route();
    else if (!strcmp(argv[1], "forecast")) forecast();
    else if (!strcmp(argv[1], "train")) train();
    else fc_tool_die("unknown workload %s (ingest, ingest-cjson, forecast, train, route)", argv[1]);
    return 0;
}
