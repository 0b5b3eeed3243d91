/* netbuild.c — flowcast-netbuild: a network document (docs/FORMATS.md, flowcast.network/1) from
 * the data an agency or a research group has: a sensor table (CSV with id, lat, lon and whatever
 * of road, direction, postmile, lanes, speed limit, name, place it has) and, optionally, a
 * directed road-distance matrix. It says what it derived and what it could not (docs/FORMATS.md,
 * "Sensor table"). The engine's own parser (fc_network_parse) checks the result before a byte is
 * written, so what makes a network valid stays in c/src/network.c.
 *
 *   flowcast-netbuild --sensors FILE.csv --id ID --timezone TZ --out network.json
 *       [--graph MATRIX.csv [--graph-kind kernel|metres] [--sigma M]] [--name TEXT]
 *       [--road-prefix TEXT] [--interval S] [--report REPORT.json]
 *
 * Corridors are chains of downstream neighbours. With a graph: the immediate downstream
 * successors of each sensor (those not reached through another sensor), the one that continues
 * the heading best, merges resolved the same way. Without: sensors grouped by road and direction,
 * ordered by postmile. On any error nothing is written and the exit status is 2. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cJSON.h"
#include "flowcast.h"
#include "matrix.h"
#include "network.h"
#include "common/netbuilder.h"
#include "common/tool.h"

/* METR-LA's kernel: the standard deviation of all its pairwise road distances (README of the data). */
#define DEFAULT_SIGMA_M 2584.45

/* ---- the sensor table: CSV with a header, quoted fields allowed ---- */
typedef struct csv_row {
    char **f;
    int n, line;
} csv_row;

/* Splits text into rows of fields (RFC 4180 quoting, LF/CRLF, blank lines skipped). */
static csv_row *csv_split(char *text, size_t len, int *n_rows, const char *path)
{
    csv_row *rows = NULL;
    int nr = 0, cap = 0, line = 1;
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < len) {
        if (text[i] == '\n' || text[i] == '\r') {
            if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
            i++, line++;
            continue;
        }
        csv_row r = {NULL, 0, line};
        int fcap = 0;
        for (;;) {
            char *out = text + i, *start = out;
            if (i < len && text[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) fc_tool_die("%s:%d: unterminated quoted field", path, r.line);
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"') { *out++ = '"'; i += 2; continue; }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    *out++ = text[i++];
                }
                if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                    fc_tool_die("%s:%d: text after a closing quote", path, line);
            } else {
                while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') *out++ = text[i++];
            }
            char sep = i < len ? text[i] : '\n';
            *out = '\0';
            if (r.n == fcap) {
                fcap = fcap ? 2 * fcap : 8;
                r.f = realloc(r.f, fcap * sizeof(char *));
                if (!r.f) fc_tool_die("out of memory");
            }
            r.f[r.n++] = start;
            if (sep == ',') { i++; continue; }
            /* the line end was overwritten by the field's terminator: step over it here */
            if (i < len) {
                if (sep == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
                i++, line++;
            }
            break;
        }
        if (nr == cap) {
            cap = cap ? 2 * cap : 256;
            rows = realloc(rows, cap * sizeof(csv_row));
            if (!rows) fc_tool_die("out of memory");
        }
        rows[nr++] = r;
    }
    *n_rows = nr;
    return rows;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

enum { T_ID, T_LAT, T_LON, T_ROAD, T_DIR, T_PM, T_LANES, T_LIMIT, T_NAME, T_PLACE, T_N };
/* Header names each column is known by (case ignored): the METR-LA and PeMS spellings too. */
static const char *const k_aliases[T_N][6] = {
    {"id", "sensor_id", "station", "station_id", "detector_id", NULL},
    {"lat", "latitude", NULL},
    {"lon", "lng", "long", "longitude", NULL},
    {"road", "fwy", "freeway", "route", NULL},
    {"direction", "dir", NULL},
    {"postmile", "milepost", "abs_pm", "pm", "mile", NULL},
    {"lanes", NULL},
    {"speed_limit_mph", "speed_limit", NULL},
    {"name", "label", NULL},
    {"place", "city", NULL},
};

static void read_table(fc_nb *b, const char *path)
{
    size_t len;
    char *text = fc_tool_read_file(path, &len);
    if (memchr(text, '\0', len)) fc_tool_die("%s: contains a NUL byte (not a text CSV)", path);
    int nr;
    csv_row *rows = csv_split(text, len, &nr, path);
    if (nr < 2) fc_tool_die("%s: needs a header line and at least one sensor", path);
    int col[T_N];
    for (int t = 0; t < T_N; t++) col[t] = -1;
    for (int k = 0; k < rows[0].n; k++) {
        char *h = trim(rows[0].f[k]);
        int known = 0;
        for (int t = 0; t < T_N && !known; t++)
            for (int a = 0; k_aliases[t][a]; a++)
                if (!strcasecmp(h, k_aliases[t][a])) {
                    if (col[t] >= 0) fc_tool_die("%s:%d: columns %d and %d are both \"%s\"", path, rows[0].line, col[t] + 1, k + 1, k_aliases[t][0]);
                    col[t] = k, known = 1;
                    break;
                }
        if (!known) cJSON_AddItemToArray(b->report ? cJSON_GetObjectItem(b->report, "ignored_columns") : NULL, cJSON_CreateString(h));
    }
    for (int t = 0; t <= T_LON; t++)
        if (col[t] < 0) fc_tool_die("%s:%d: missing column \"%s\" (header has no %s)", path, rows[0].line, k_aliases[t][0], k_aliases[t][0]);
    b->has_road = col[T_ROAD] >= 0, b->has_dir = col[T_DIR] >= 0, b->has_pm = col[T_PM] >= 0;
    b->n = nr - 1;
    b->s = calloc(b->n, sizeof(fc_nb_sensor));
    if (!b->s) fc_tool_die("out of memory");
    for (int r = 1; r < nr; r++) {
        csv_row *row = &rows[r];
        fc_nb_sensor *s = &b->s[r - 1];
        s->line = row->line;
        s->corridor = s->pos = s->twin = -1;
        if (row->n != rows[0].n) fc_tool_die("%s:%d: %d fields, the header has %d", path, row->line, row->n, rows[0].n);
        const char *f[T_N];
        for (int t = 0; t < T_N; t++) f[t] = col[t] >= 0 ? trim(row->f[col[t]]) : NULL;
        s->id = (char *)f[T_ID];
        size_t idlen = strlen(s->id);
        if (!idlen || idlen > FC_ID_MAX || strspn(s->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != idlen)
            fc_tool_die("%s:%d: id \"%.80s\": must be 1..%d characters of [A-Za-z0-9._:-]", path, row->line, s->id, FC_ID_MAX);
        for (int k = 0; k < r - 1; k++)
            if (!strcmp(b->s[k].id, s->id)) fc_tool_die("%s:%d: duplicate id \"%s\" (first on line %d)", path, row->line, s->id, b->s[k].line);
        if (!fc_tool_parse_number(f[T_LAT], &s->lat) || fabs(s->lat) > 90)
            fc_tool_die("%s:%d: lat \"%.40s\": must be a number in [-90, 90]", path, row->line, f[T_LAT]);
        if (!fc_tool_parse_number(f[T_LON], &s->lon) || fabs(s->lon) > 180)
            fc_tool_die("%s:%d: lon \"%.40s\": must be a number in [-180, 180]", path, row->line, f[T_LON]);
        if (f[T_ROAD]) {
            if (!*f[T_ROAD] || strlen(f[T_ROAD]) > 31) fc_tool_die("%s:%d: road \"%.40s\": must be 1..31 bytes", path, row->line, f[T_ROAD]);
            s->road = (char *)f[T_ROAD];
        }
        if (f[T_DIR]) {
            if (!*f[T_DIR] || strlen(f[T_DIR]) > 15) fc_tool_die("%s:%d: direction \"%.40s\": must be 1..15 bytes", path, row->line, f[T_DIR]);
            s->dir = (char *)f[T_DIR];
        }
        if (f[T_PM]) {
            if (!fc_tool_parse_number(f[T_PM], &s->postmile) || fabs(s->postmile) > 10000)
                fc_tool_die("%s:%d: postmile \"%.40s\": must be a number in [-10000, 10000]", path, row->line, f[T_PM]);
            s->has_pm = 1;
        }
        double v;
        s->lanes = FC_NB_DEFAULT_LANES;
        if (f[T_LANES] && *f[T_LANES]) {
            if (!fc_tool_parse_number(f[T_LANES], &v) || v != floor(v) || v < 1 || v > 16)
                fc_tool_die("%s:%d: lanes \"%.40s\": must be a whole number in [1, 16]", path, row->line, f[T_LANES]);
            s->lanes = (int)v;
        }
        s->limit = FC_NB_DEFAULT_LIMIT_MPH;
        if (f[T_LIMIT] && *f[T_LIMIT]) {
            if (!fc_tool_parse_number(f[T_LIMIT], &s->limit) || s->limit < 5 || s->limit > 100)
                fc_tool_die("%s:%d: speed_limit_mph \"%.40s\": must be a number in [5, 100]", path, row->line, f[T_LIMIT]);
        }
        if (f[T_NAME] && *f[T_NAME]) s->label = (char *)f[T_NAME];
        if (f[T_PLACE] && *f[T_PLACE]) s->place = (char *)f[T_PLACE];
    }
    free(rows); /* the fields point into text, which lives as long as the tool */
    if (col[T_LANES] < 0) cJSON_AddItemToArray(b->assumed, cJSON_CreateString("lanes: 4 at every sensor (the table has no lanes column)"));
    if (col[T_LIMIT] < 0) cJSON_AddItemToArray(b->assumed, cJSON_CreateString("speed_limit_mph: 65 at every sensor (the table has no speed limit column)"));
}

/* ---- the directed graph ---- */
static void read_graph(fc_nb *b, const char *path, int kernel, double sigma)
{
    fc_matrix *m = fc_tool_read_csv(path, 0);
    if (m->rows != (size_t)b->n || m->cols != (size_t)b->n)
        fc_tool_die("%s: a %zu x %zu matrix, but the sensor table has %d sensors (it must be %d x %d, rows and columns in table order)",
                    path, m->rows, m->cols, b->n, b->n, b->n);
    b->dist = malloc((size_t)b->n * b->n * sizeof(double));
    if (!b->dist) fc_tool_die("out of memory");
    for (size_t k = 0; k < m->rows * m->cols; k++) {
        double w = m->v[k];
        size_t i = k / m->cols, j = k % m->cols;
        if (w != w || w < 0) {
            if (w < 0) fc_tool_die("%s: line %zu, column %zu: %g is negative", path, i + 1, j + 1, w);
            w = 0;
        }
        if (kernel && w > 1) fc_tool_die("%s: line %zu, column %zu: kernel weight %g is above 1", path, i + 1, j + 1, w);
        /* kernel: w = exp(-(d/sigma)^2), so d = sigma sqrt(-ln w); 0 = not reachable nearby */
        b->dist[k] = i == j || w == 0 ? -1 : kernel ? sigma * sqrt(-log(w)) : w;
    }
    fc_matrix_free(m);
}

static const char *k_usage =
    "usage: flowcast-netbuild --sensors FILE.csv --id ID --timezone TZ --out network.json\n"
    "         [--graph MATRIX.csv [--graph-kind kernel|metres] [--sigma M]] [--name TEXT]\n"
    "         [--road-prefix TEXT] [--interval S] [--report REPORT.json]";

int main(int argc, char **argv)
{
    fc_tool_set_name("flowcast-netbuild");
    const char *table = NULL, *graph = NULL, *kind = "kernel", *id = NULL, *tz = NULL, *out = NULL;
    const char *name = NULL, *prefix = "Corridor", *report_path = NULL;
    double sigma = DEFAULT_SIGMA_M, interval = 300;
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts(k_usage);
        return 0;
    }
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) fc_tool_die("%s needs a value\n%s", a, k_usage);
        if (!strcmp(a, "--sensors")) table = v;
        else if (!strcmp(a, "--graph")) graph = v;
        else if (!strcmp(a, "--graph-kind")) kind = v;
        else if (!strcmp(a, "--sigma")) sigma = atof(v);
        else if (!strcmp(a, "--id")) id = v;
        else if (!strcmp(a, "--name")) name = v;
        else if (!strcmp(a, "--timezone")) tz = v;
        else if (!strcmp(a, "--interval")) interval = atof(v);
        else if (!strcmp(a, "--road-prefix")) prefix = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--report")) report_path = v;
        else fc_tool_die("unknown option %s\n%s", a, k_usage);
    }
    if (!table || !id || !tz || !out) fc_tool_die("%s", k_usage);
    int is_kernel = !strcmp(kind, "kernel");
    if (!is_kernel && strcmp(kind, "metres")) fc_tool_die("--graph-kind: \"kernel\" (exp(-(d/sigma)^2) weights) or \"metres\" (road distances), not \"%s\"", kind);
    if (!(sigma > 0)) fc_tool_die("--sigma: a positive number of metres");
    if (!(interval >= 10 && interval <= 3600) || interval != floor(interval)) fc_tool_die("--interval: whole seconds in 10..3600");

    fc_nb b;
    fc_nb_init(&b);
    read_table(&b, table);
    if (graph) read_graph(&b, graph, is_kernel, sigma);
    fc_nb_options opt = {id, name, tz, prefix, (int)interval};
    char *text = fc_nb_build(&b, &opt);
    char *report = cJSON_Print(b.report);
    fc_tool_write_atomic(out, text);
    if (report_path) fc_tool_write_atomic(report_path, report);
    fc_nb_print_summary(&b, "flowcast-netbuild", out);
    cJSON_free(text);
    cJSON_free(report);
    cJSON_Delete(b.report);
    return 0;
}
