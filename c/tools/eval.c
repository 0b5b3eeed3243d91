/* eval.c — flowcast-eval: the accuracy protocol, written down as code.
 *
 *   flowcast-eval --speeds FILE.csv (--adjacency FILE.csv | --network FILE.json)
 *                 --interval-min 5 --start 2012-03-01T00:00 --timezone America/Los_Angeles
 *                 [--train-fraction 0.8] [--horizons 3,6,9,12] [--predictions-out PRED.csv]
 *                 [--json OUT.json] [--zero-is-missing yes|no] [--set option=value ...]
 *
 * Protocol (the Los-loop README's): the first floor(f * T) rows train; an origin t may use every
 * row before t; the target of horizon h from origin t is row t + h - 1; targets are the test rows;
 * metrics per horizon over all sensors and targets: MAE, RMSE, MAPE (%), masked where the truth
 * is 0 or missing. The model is trained once on the training rows; a second engine then loads the
 * saved model file, clears its time-of-day profiles and replays every row in order, so the
 * profiles at an origin contain exactly the rows before it. Baselines: persistence (last
 * observed value), historical average by local time-of-day slot (training rows), and the value a
 * week earlier where the data reaches back that far. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "flowcast.h"
#include "common/tool.h"

#define MAX_H 24

typedef struct metrics {
    double abs, sq, pct;
    size_t n, n_pct, covered;
} metrics;

static void add(metrics *m, float pred, float truth)
{
    if (isnan(truth) || truth == 0 || isnan(pred)) return;
    double e = (double)pred - truth;
    m->abs += fabs(e);
    m->sq += e * e;
    m->pct += fabs(e) / fabs(truth);
    m->n++;
    m->n_pct++;
}

static double mae(const metrics *m) { return m->n ? m->abs / m->n : NAN; }
static double rmse(const metrics *m) { return m->n ? sqrt(m->sq / m->n) : NAN; }
static double mape(const metrics *m) { return m->n_pct ? 100 * m->pct / m->n_pct : NAN; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(fc_engine *e, fc_status st, const char *what)
{
    if (st) fc_tool_die("%s: %s: %s", what, fc_status_name(st), fc_engine_message(e));
}

/* Writes a network JSON naming the CSV's sensors (positions unknown: placeholders). The ids
 * are written as they are, so one that would need escaping in JSON is refused here. */
static char *matrix_network(const fc_matrix *m, const char *tz, int interval_s)
{
    size_t cap = 256 + strlen(tz), n = 0;
    for (size_t c = 0; c < m->cols; c++) {
        if (strpbrk(m->ids[c], "\\\"")) fc_tool_die("CSV column \"%s\": quotes and backslashes are not allowed in ids", m->ids[c]);
        cap += 200 + strlen(m->ids[c]);
    }
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n,
                          "{\"schema\":\"flowcast.network/1\",\"id\":\"eval\",\"timezone\":\"%s\",\"interval_s\":%d,\"sensors\":[",
                          tz, interval_s);
    for (size_t c = 0; c < m->cols; c++)
        n += (size_t)snprintf(s + n, cap - n,
                              "%s{\"id\":\"%s\",\"lat\":0,\"lon\":0,\"road\":\"R\",\"direction\":\"X\",\"milepost\":%zu,\"lanes\":1,\"speed_limit_mph\":65}",
                              c ? "," : "", m->ids[c], c);
    snprintf(s + n, cap - n, "]}");
    return s;
}

/* Local wall time "YYYY-MM-DDTHH:MM[:SS]" in the engine's zone -> Unix ms. */
static int64_t local_start_ms(fc_engine *e, const char *start)
{
    char buf[64];
    int64_t guess;
    snprintf(buf, sizeof buf, strlen(start) == 16 ? "%s:00Z" : "%sZ", start);
    if (fc_parse_timestamp(buf, strlen(buf), &guess)) fc_tool_die("--start %s: expected YYYY-MM-DDTHH:MM", start);
    fc_local_time lt;
    check(e, fc_engine_local_time(e, guess, &lt), "time zone");
    int64_t utc = guess - (int64_t)lt.utc_offset_min * 60000;
    check(e, fc_engine_local_time(e, utc, &lt), "time zone");
    return guess - (int64_t)lt.utc_offset_min * 60000;
}

static void set_option(fc_train_options *o, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq) fc_tool_die("--set %s: expected option=value", kv);
    double v = atof(eq + 1);
    size_t k = (size_t)(eq - kv);
#define OPT(name, field, cast) if (k == strlen(name) && !strncmp(kv, name, k)) { o->field = (cast)v; return; }
    OPT("smooth_slots", smooth_slots, uint32_t)
    OPT("profile_prior", profile_prior, float)
    OPT("huber_mph", huber_mph, float)
    OPT("lambda_global", lambda_global, float)
    OPT("lambda_sensor", lambda_sensor, float)
    OPT("irls_iters", irls_iters, uint32_t)
    OPT("max_samples", max_samples, uint32_t)
    OPT("global_sensors", global_sensors, uint32_t)
#undef OPT
    fc_tool_die("--set: unknown option %.*s", (int)k, kv);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: flowcast-eval --speeds FILE.csv (--adjacency FILE.csv | --network FILE.json)\n"
            "         --interval-min M --start YYYY-MM-DDTHH:MM --timezone ZONE [--train-fraction 0.8]\n"
            "         [--horizons 3,6,9,12] [--predictions-out PRED.csv] [--json OUT.json]\n"
            "         [--zero-is-missing yes|no] [--set option=value]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *speeds = NULL, *adjacency = NULL, *network = NULL, *start = NULL, *tz = NULL;
    const char *pred_out = NULL, *json_out = NULL;
    double fraction = 0.8, interval_min = 0;
    int zero_missing = 1, horizons[MAX_H], n_h = 0;
    fc_train_options opt;
    fc_train_options_default(&opt);
    fc_tool_set_name("flowcast-eval");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--speeds")) speeds = v;
        else if (!strcmp(a, "--adjacency")) adjacency = v;
        else if (!strcmp(a, "--network")) network = v;
        else if (!strcmp(a, "--interval-min")) interval_min = atof(v);
        else if (!strcmp(a, "--start")) start = v;
        else if (!strcmp(a, "--timezone")) tz = v;
        else if (!strcmp(a, "--train-fraction")) fraction = atof(v);
        else if (!strcmp(a, "--predictions-out")) pred_out = v;
        else if (!strcmp(a, "--json")) json_out = v;
        else if (!strcmp(a, "--zero-is-missing")) zero_missing = !strcmp(v, "yes");
        else if (!strcmp(a, "--set")) set_option(&opt, v);
        else if (!strcmp(a, "--horizons")) {
            for (const char *p = v; *p && n_h < MAX_H;) {
                char *end;
                long h = strtol(p, &end, 10);
                if (end == p || h < 1 || h > MAX_H) fc_tool_die("--horizons %s: steps must be in 1..%d", v, MAX_H);
                horizons[n_h++] = (int)h;
                p = *end == ',' ? end + 1 : end;
                if (*end && *end != ',') fc_tool_die("--horizons %s: expected a comma-separated list", v);
            }
        } else usage();
    }
    if (!n_h) {
        int d[4] = {3, 6, 9, 12};
        memcpy(horizons, d, sizeof d);
        n_h = 4;
    }
    if (!speeds || !start || !tz || interval_min <= 0 || (!adjacency && !network)) usage();
    if (!(fraction > 0 && fraction < 1)) fc_tool_die("--train-fraction must be in (0, 1)");
    int max_h = 0;
    for (int k = 0; k < n_h; k++) max_h = horizons[k] > max_h ? horizons[k] : max_h;
    opt.horizons = (uint32_t)max_h;
    int interval_s = (int)lround(interval_min * 60);

    fc_matrix *X = fc_tool_read_csv(speeds, 1);
    size_t T = X->rows, N = X->cols, ntr = (size_t)floor(fraction * (double)T);
    if (zero_missing)
        for (size_t i = 0; i < T * N; i++)
            if (X->v[i] == 0) X->v[i] = NAN;
    if (ntr < 2 || ntr >= T) fc_tool_die("%zu rows: nothing to train or to test", T);

    /* engine A trains; engine B replays with the saved model */
    fc_config cfg;
    fc_config_default(&cfg);
    double hist_s = (double)(T + 16) * interval_s;
    cfg.history_s = hist_s > 366.0 * 86400 ? 366u * 86400 : (uint32_t)(hist_s < 3600 ? 3600 : hist_s);
    cfg.max_ahead_s = 3660u * 86400;
    char *net_text;
    size_t net_len;
    if (network) {
        net_text = fc_tool_read_file(network, &net_len);
    } else {
        net_text = matrix_network(X, tz, interval_s);
        net_len = strlen(net_text);
    }
    fc_engine *A, *B;
    if (fc_engine_create(&cfg, &A) || fc_engine_create(&cfg, &B)) fc_tool_die("cannot create engines");
    check(A, fc_engine_load_network(A, net_text, net_len), "network");
    check(B, fc_engine_load_network(B, net_text, net_len), "network");
    /* map CSV columns to network sensors */
    size_t *col_of = malloc(N * sizeof(size_t));
    if (fc_engine_sensor_count(A) != N) fc_tool_die("the network has %zu sensors, the CSV %zu columns", fc_engine_sensor_count(A), N);
    for (size_t c = 0; c < N; c++) {
        long s = fc_engine_sensor_index(A, X->ids[c], strlen(X->ids[c]));
        if (s < 0) fc_tool_die("CSV column \"%s\" is not a sensor of the network", X->ids[c]);
        col_of[c] = (size_t)s;
    }
    if (adjacency) {
        fc_matrix *adj = fc_tool_read_csv(adjacency, 0);
        if (adj->rows != N || adj->cols != N) fc_tool_die("%s: %zu x %zu, expected %zu x %zu", adjacency, adj->rows, adj->cols, N, N);
        float *a = calloc(N * N, sizeof(float));
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++) a[col_of[i] * N + col_of[j]] = isnan(adj->v[i * N + j]) ? 0 : adj->v[i * N + j];
        check(A, fc_engine_set_adjacency(A, a, N), "adjacency");
        check(B, fc_engine_set_adjacency(B, a, N), "adjacency");
        free(a);
        fc_matrix_free(adj);
    }
    int64_t t0 = local_start_ms(A, start);
    float *row = malloc(N * sizeof(float));
    /* a row's snapshot ends its period: ts = start + (r + 1) * interval */
#define ROW_TS(r) (t0 + ((int64_t)(r) + 1) * interval_s * 1000)
#define LOAD_ROW(r) for (size_t c = 0; c < N; c++) row[col_of[c]] = X->v[(size_t)(r) * N + c]
    for (size_t r = 0; r < ntr; r++) {
        LOAD_ROW(r);
        check(A, fc_ingest_values(A, ROW_TS(r), row, NULL, NULL, N, NULL), "ingest");
    }
    double t_train = now_s();
    check(A, fc_engine_train(A, &opt, NULL, NULL), "train");
    t_train = now_s() - t_train;
    size_t model_len = fc_engine_model_size(A);
    uint8_t *model = malloc(model_len);
    check(A, fc_engine_save_model(A, model, model_len, &model_len), "save model");
    check(B, fc_engine_load_model(B, model, model_len), "load model");
    check(B, fc_engine_clear_profiles(B), "clear profiles");

    size_t H = (size_t)max_h, nvals = N * H;
    float *mid = malloc(nvals * sizeof(float)), *lo = malloc(nvals * sizeof(float)), *hi = malloc(nvals * sizeof(float));
    /* predictions for (target row, horizon) in CSV column order */
    size_t n_test = T - ntr;
    float *pred = malloc(n_test * (size_t)n_h * N * sizeof(float));
    for (size_t i = 0; i < n_test * (size_t)n_h * N; i++) pred[i] = NAN;
    metrics mf[MAX_H] = {{0}}, mp[MAX_H] = {{0}}, mha[MAX_H] = {{0}}, mw[MAX_H] = {{0}};
    size_t cover_n[MAX_H] = {0}, cover_in[MAX_H] = {0};
    /* historical average by local time-of-day slot over the training rows */
    size_t q = (size_t)(86400 / interval_s) + 1;
    double *ha_sum = calloc(q * N, sizeof(double)), *ha_cnt = calloc(q * N, sizeof(double));
    for (size_t r = 0; r < ntr; r++) {
        fc_local_time lt;
        fc_engine_local_time(A, ROW_TS(r) - (int64_t)interval_s * 1000, &lt);
        size_t slot = (size_t)lt.minute_of_day * 60 / (size_t)interval_s;
        for (size_t c = 0; c < N; c++) {
            float v = X->v[r * N + c];
            if (isnan(v)) continue;
            ha_sum[slot * N + c] += v;
            ha_cnt[slot * N + c] += 1;
        }
    }
    double t_forecast = 0;
    size_t n_forecasts = 0;
    /* persistence: the last observed value of each column, kept up to date as rows replay */
    float *last = malloc(N * sizeof(float));
    for (size_t c = 0; c < N; c++) last[c] = NAN;
    size_t week = (size_t)(7 * 86400 / interval_s);
    for (size_t r = 0; r + 1 < T; r++) {
        LOAD_ROW(r);
        check(B, fc_ingest_values(B, ROW_TS(r), row, NULL, NULL, N, NULL), "replay");
        for (size_t c = 0; c < N; c++)
            if (!isnan(X->v[r * N + c])) last[c] = X->v[r * N + c];
        if (r + H < ntr) continue; /* no test target within reach yet */
        double t1 = now_s();
        check(B, fc_engine_forecast(B, mid, lo, hi, nvals), "forecast");
        t_forecast += now_s() - t1;
        n_forecasts++;
        for (int k = 0; k < n_h; k++) {
            size_t h = (size_t)horizons[k], tgt = r + h;
            if (tgt < ntr || tgt >= T) continue;
            fc_local_time lt;
            fc_engine_local_time(A, ROW_TS(tgt) - (int64_t)interval_s * 1000, &lt);
            size_t slot = (size_t)lt.minute_of_day * 60 / (size_t)interval_s;
            for (size_t c = 0; c < N; c++) {
                size_t s = col_of[c], at = s * H + (h - 1);
                float truth = X->v[tgt * N + c];
                pred[((tgt - ntr) * (size_t)n_h + (size_t)k) * N + c] = mid[at];
                add(&mf[k], mid[at], truth);
                if (!isnan(truth) && truth != 0) {
                    cover_n[k]++;
                    cover_in[k] += truth >= lo[at] && truth <= hi[at];
                }
                add(&mp[k], last[c], truth);
                add(&mha[k], ha_cnt[slot * N + c] > 0 ? (float)(ha_sum[slot * N + c] / ha_cnt[slot * N + c]) : NAN, truth);
                if (tgt >= week) add(&mw[k], X->v[(tgt - week) * N + c], truth);
            }
        }
    }
    printf("flowcast-eval: %zu sensors, %zu rows (%zu train, %zu test), interval %d s\n", N, T, ntr, n_test, interval_s);
    printf("training: %.3f s (native, one run); forecast: %.1f us per call (all sensors x %zu horizons, mean of %zu)\n",
           t_train, n_forecasts ? 1e6 * t_forecast / n_forecasts : 0.0, H, n_forecasts);
    printf("\n%-8s %-22s %8s %8s %8s %10s\n", "horizon", "method", "MAE", "RMSE", "MAPE%", "coverage");
    for (int k = 0; k < n_h; k++) {
        char hname[16];
        snprintf(hname, sizeof hname, "%d min", (int)(horizons[k] * interval_min));
        double cov = cover_n[k] ? 100.0 * cover_in[k] / cover_n[k] : NAN;
        printf("%-8s %-22s %8.3f %8.3f %8.2f %9.1f%%\n", hname, "flowcast", mae(&mf[k]), rmse(&mf[k]), mape(&mf[k]), cov);
        printf("%-8s %-22s %8.3f %8.3f %8.2f\n", "", "persistence", mae(&mp[k]), rmse(&mp[k]), mape(&mp[k]));
        printf("%-8s %-22s %8.3f %8.3f %8.2f\n", "", "historical average", mae(&mha[k]), rmse(&mha[k]), mape(&mha[k]));
        if (mw[k].n) printf("%-8s %-22s %8.3f %8.3f %8.2f\n", "", "week-ago", mae(&mw[k]), rmse(&mw[k]), mape(&mw[k]));
        else printf("%-8s %-22s %8s\n", "", "week-ago", "n/a (data shorter than a week + horizon)");
        printf("%-8s %-22s %7.1f%%\n", "", "MAE gain vs persistence", 100 * (1 - mae(&mf[k]) / mae(&mp[k])));
    }
    if (pred_out) {
        FILE *f = fopen(pred_out, "w");
        if (!f) fc_tool_die("cannot write %s: %s", pred_out, strerror(errno));
        for (size_t t = 0; t < n_test; t++)
            for (int k = 0; k < n_h; k++) {
                fprintf(f, "%zu,%d", ntr + t, horizons[k]);
                for (size_t c = 0; c < N; c++) {
                    float v = pred[(t * (size_t)n_h + (size_t)k) * N + c];
                    if (isnan(v)) fprintf(f, ",");
                    else fprintf(f, ",%.3f", v);
                }
                fprintf(f, "\n");
            }
        if (fclose(f)) fc_tool_die("writing %s failed", pred_out);
    }
    if (json_out) {
        FILE *f = fopen(json_out, "w");
        if (!f) fc_tool_die("cannot write %s: %s", json_out, strerror(errno));
        fprintf(f, "{\"sensors\":%zu,\"rows\":%zu,\"train_rows\":%zu,\"train_s\":%.4f,\"forecast_us\":%.2f,\"horizons\":[", N, T, ntr,
                t_train, n_forecasts ? 1e6 * t_forecast / n_forecasts : 0.0);
        for (int k = 0; k < n_h; k++) {
            fprintf(f, "%s{\"steps\":%d,\"minutes\":%g,\"flowcast\":{\"mae\":%.4f,\"rmse\":%.4f,\"mape\":%.3f,\"coverage\":%.4f},"
                       "\"persistence\":{\"mae\":%.4f,\"rmse\":%.4f,\"mape\":%.3f},\"historical_average\":{\"mae\":%.4f,\"rmse\":%.4f,\"mape\":%.3f}",
                    k ? "," : "", horizons[k], horizons[k] * interval_min, mae(&mf[k]), rmse(&mf[k]), mape(&mf[k]),
                    cover_n[k] ? (double)cover_in[k] / cover_n[k] : 0.0, mae(&mp[k]), rmse(&mp[k]), mape(&mp[k]),
                    mae(&mha[k]), rmse(&mha[k]), mape(&mha[k]));
            if (mw[k].n) fprintf(f, ",\"week_ago\":{\"mae\":%.4f,\"rmse\":%.4f,\"mape\":%.3f}", mae(&mw[k]), rmse(&mw[k]), mape(&mw[k]));
            fprintf(f, "}");
        }
        fprintf(f, "]}\n");
        fclose(f);
    }
    fc_engine_destroy(A);
    fc_engine_destroy(B);
    fc_matrix_free(X);
    return 0;
}
