/* pems.c — flowcast-pems: a network and a dataset folder the feed server replays (and
 * flowcast-eval reads) from Caltrans PeMS clearinghouse files: the station metadata (tab-separated
 * with a header) and station 5-minute files (comma-separated, no header). Mainline stations (type
 * ML) only. Layouts and the choices made for the ugly parts: docs/FORMATS.md, "PeMS import".
 *
 *   flowcast-pems --meta d07_text_meta_YYYY_MM_DD.txt --data d07_text_station_5min_YYYY_MM_DD.txt
 *       [--data FILE ...] --out DIR [--id ID] [--name TEXT] [--timezone TZ] [--whole-weeks]
 *       [--report REPORT.json]
 *
 * The network is built by the same code as flowcast-netbuild's (common/netbuilder.c: corridors =
 * freeway + direction in absolute-postmile order) and checked by the engine's parser; the folder
 * is written by flowcast-replayset's writer (common/dataset.c). Local times are turned into
 * instants with the engine's time-zone rule (c/src/tz.c). Everything is read and checked before
 * anything is written: on an error the exit status is 2, the message names the file and line,
 * and no folder or report appears. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cJSON.h"
#include "flowcast.h"
#include "matrix.h"
#include "network.h"
#include "timeutil.h"
#include "tz.h"
#include "common/dataset.h"
#include "common/netbuilder.h"
#include "common/tool.h"

/* PeMS aggregates to 5 minutes; a row's timestamp is the start of its period. */
#define INTERVAL_S 300
/* The fields of a station 5-minute row before the per-lane groups. */
#define FIXED_FIELDS 12
/* How many ids a report lists per category (the counts are always complete). */
#define LIST_MAX 50

typedef struct station {
    char *id, *fwy, *dir, *name, *city;
    double lat, lon, abs_pm;
    int lanes, line, has_data, col; /* col: the dataset column, -1 when not in the network */
    int64_t last_s;                 /* the last instant read for it (order check) */
} station;

typedef struct record {
    int station;
    int file, line;
    int64_t t_s;       /* UTC seconds of the period start */
    int ambiguous;     /* in the repeated hour when clocks go back: t_s is its first pass */
    float speed, flow_vph, occ;
} record;

typedef struct import {
    station *st;
    int n_st;
    record *rec;
    size_t n_rec, cap_rec;
    fc_tz tz;
    /* counts for the report */
    size_t meta_rows, meta_not_ml, rows, not_ml_rows, unknown_rows, imputed_rows, no_speed_rows;
    size_t dst_gap_rows, repeated_hour_rows, dup_rows, conflict_rows, out_of_order_rows, unplaced_rows;
    char **unknown; /* distinct station ids not in the metadata, sorted like by_id */
    int n_unknown, cap_unknown;
    cJSON *unplaced_ids, *no_data_ids, *examples;
} import;

/* ---- small parsers ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static int all_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, "0123456789") == n;
}

/* Splits one line (NUL-terminated, modified in place) at sep; returns the field count. */
static int split(char *line, char sep, char **f, int max)
{
    int n = 0;
    for (char *p = line;;) {
        char *e = strchr(p, sep);
        if (n < max) f[n] = p;
        n++;
        if (!e) break;
        *e = '\0';
        p = e + 1;
    }
    return n;
}

/* Next line of text (LF or CRLF); NULL at the end. *line counts lines from 1. */
static char *next_line(char **cursor, int *line)
{
    char *s = *cursor;
    if (!*s) return NULL;
    char *e = strchr(s, '\n');
    if (e) *e = '\0', *cursor = e + 1;
    else *cursor = s + strlen(s);
    size_t n = strlen(s);
    if (n && s[n - 1] == '\r') s[n - 1] = '\0';
    ++*line;
    return s;
}

/* ---- route names ---- */

/* California's Interstates and US routes by number; every other PeMS freeway number is a state
 * route. PeMS gives only the number: 110 and 210 are partly Interstate, partly state route
 * (named I- here), and no other state's numbering is known to this table. */
static const char *route_prefix(int fwy)
{
    static const int k_interstate[] = {5, 8, 10, 15, 40, 80, 105, 110, 205, 210, 215, 238, 280, 380, 405, 505, 580, 605, 680, 710, 780, 880, 980, 0};
    static const int k_us[] = {6, 50, 95, 97, 101, 199, 395, 0};
    for (int k = 0; k_interstate[k]; k++)
        if (k_interstate[k] == fwy) return "I";
    for (int k = 0; k_us[k]; k++)
        if (k_us[k] == fwy) return "US";
    return "SR";
}

/* ---- station metadata ---- */

enum { M_ID, M_FWY, M_DIR, M_ABS_PM, M_LAT, M_LON, M_TYPE, M_LANES, M_NAME, M_CITY, M_N };
static const char *const k_meta_cols[M_N] = {"ID", "Fwy", "Dir", "Abs_PM", "Latitude", "Longitude", "Type", "Lanes", "Name", "City"};
#define M_REQUIRED M_LANES /* the columns before this one are required */

static int cmp_id(const char *x, const char *y);
static int by_id(const void *a, const void *b) { return cmp_id(((const station *)a)->id, ((const station *)b)->id); }

static int find_station(const import *im, const char *id)
{
    station key = {0};
    key.id = (char *)id;
    const station *s = bsearch(&key, im->st, im->n_st, sizeof(station), by_id);
    return s ? (int)(s - im->st) : -1;
}

static void read_meta(import *im, const char *path)
{
    size_t len;
    char *text = fc_tool_read_file(path, &len);
    if (memchr(text, '\0', len)) fc_tool_die("%s: contains a NUL byte (not a PeMS metadata text file)", path);
    char *cur = text, *l, *f[64];
    int line = 0, col[M_N], nh = 0;
    while ((l = next_line(&cur, &line)) && !*trim(l)) {}
    if (!l) fc_tool_die("%s: empty (a PeMS station metadata file starts with its header line)", path);
    int header_line = line;
    nh = split(l, '\t', f, 64);
    if (nh > 64) fc_tool_die("%s:%d: %d columns (at most 64)", path, line, nh);
    for (int c = 0; c < M_N; c++) {
        col[c] = -1;
        for (int k = 0; k < nh; k++)
            if (!strcasecmp(trim(f[k]), k_meta_cols[c])) col[c] = k;
        if (col[c] < 0 && c < M_REQUIRED)
            fc_tool_die("%s:%d: missing column \"%s\" (a PeMS station metadata header is tab-separated: ID, Fwy, Dir, District, County, City, State_PM, Abs_PM, Latitude, Longitude, Length, Type, Lanes, Name, ...)",
                        path, line, k_meta_cols[c]);
    }
    int cap = 0;
    while ((l = next_line(&cur, &line))) {
        if (!*trim(l)) continue;
        int n = split(l, '\t', f, 64);
        im->meta_rows++;
        if (n > nh) fc_tool_die("%s:%d: %d fields, the header (line %d) has %d", path, line, n, header_line, nh);
        const char *v[M_N];
        for (int c = 0; c < M_N; c++) {
            if (col[c] >= n && c < M_REQUIRED) fc_tool_die("%s:%d: %d fields: no \"%s\" (column %d)", path, line, n, k_meta_cols[c], col[c] + 1);
            v[c] = col[c] >= 0 && col[c] < n ? trim(f[col[c]]) : "";
        }
        if (strcmp(v[M_TYPE], "ML")) { /* ramps, HOV lanes, connectors: not the mainline */
            im->meta_not_ml++;
            continue;
        }
        if (!all_digits(v[M_ID], 20)) fc_tool_die("%s:%d: ID \"%.40s\": must be a station number", path, line, v[M_ID]);
        if (!all_digits(v[M_FWY], 4)) fc_tool_die("%s:%d: Fwy \"%.40s\": must be a route number", path, line, v[M_FWY]);
        if (strlen(v[M_DIR]) != 1 || !strchr("NSEW", v[M_DIR][0]))
            fc_tool_die("%s:%d: Dir \"%.40s\": must be N, S, E or W", path, line, v[M_DIR]);
        if (im->n_st == cap) {
            cap = cap ? 2 * cap : 256;
            im->st = realloc(im->st, cap * sizeof(station));
            if (!im->st) fc_tool_die("out of memory");
        }
        station *s = &im->st[im->n_st];
        memset(s, 0, sizeof *s);
        s->id = (char *)v[M_ID], s->dir = (char *)v[M_DIR], s->line = line, s->col = -1, s->last_s = INT64_MIN;
        s->name = *v[M_NAME] ? (char *)v[M_NAME] : NULL;
        /* City is a number (a census place code) in the files Caltrans publishes: a place name
         * only when it is text */
        s->city = *v[M_CITY] && !all_digits(v[M_CITY], 20) ? (char *)v[M_CITY] : NULL;
        char road[32];
        snprintf(road, sizeof road, "%s-%d", route_prefix(atoi(v[M_FWY])), atoi(v[M_FWY]));
        s->fwy = strdup(road);
        static const struct { int c; const char *what, *rule; double lo, hi; } k_num[] = {
            {M_LAT, "Latitude", "a number in [-90, 90]", -90, 90},
            {M_LON, "Longitude", "a number in [-180, 180]", -180, 180},
            {M_ABS_PM, "Abs_PM", "a number of miles in [0, 10000]", 0, 10000},
        };
        double *out[] = {&s->lat, &s->lon, &s->abs_pm};
        int unplaced = 0;
        for (int k = 0; k < 3; k++) {
            const char *t = v[k_num[k].c];
            if (!*t) { unplaced = 1; continue; } /* no position: it cannot be drawn or ordered */
            if (!fc_tool_parse_number(t, out[k]) || *out[k] < k_num[k].lo || *out[k] > k_num[k].hi)
                fc_tool_die("%s:%d: %s \"%.40s\": must be %s", path, line, k_num[k].what, t, k_num[k].rule);
        }
        s->lanes = 0;
        if (*v[M_LANES]) {
            double lanes;
            if (!fc_tool_parse_number(v[M_LANES], &lanes) || lanes != floor(lanes) || lanes < 1 || lanes > 16)
                fc_tool_die("%s:%d: Lanes \"%.40s\": must be a whole number in [1, 16]", path, line, v[M_LANES]);
            s->lanes = (int)lanes;
        }
        if (unplaced) s->col = -2; /* kept for its id (its rows are counted), never in the network */
        im->n_st++;
    }
    if (!im->n_st) fc_tool_die("%s: no mainline (Type ML) station", path);
    /* sorted by id for lookups; duplicates are an error (which line would be right?) */
    qsort(im->st, im->n_st, sizeof(station), by_id);
    for (int i = 1; i < im->n_st; i++)
        if (!by_id(&im->st[i - 1], &im->st[i])) {
            int a = im->st[i - 1].line, b = im->st[i].line;
            fc_tool_die("%s:%d: duplicate station ID \"%s\" (also on line %d)", path, a > b ? a : b, im->st[i].id, a > b ? b : a);
        }
}

/* ---- station 5-minute files ---- */

/* "MM/DD/YYYY HH24:MI:SS" -> local seconds since 1970 (as if UTC); 0 on a malformed stamp. */
static int parse_stamp(const char *s, int64_t *local_s, const char **why)
{
    int mo, d, y, h, mi, se, n = 0;
    *why = "expected MM/DD/YYYY HH24:MI:SS";
    if (strlen(s) != 19 || sscanf(s, "%2d/%2d/%4d %2d:%2d:%2d%n", &mo, &d, &y, &h, &mi, &se, &n) != 6 || n != 19) return 0;
    for (int k = 0; k < 19; k++)
        if (!strchr("/: ", s[k]) && (s[k] < '0' || s[k] > '9')) return 0;
    static const int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > k_days[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59) {
        *why = "not a calendar date and time";
        return 0;
    }
    if (se || mi % 5) {
        *why = "not the start of a 5-minute period (minutes a multiple of 5, seconds 00)";
        return 0;
    }
    *local_s = fc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
    return 1;
}

/* Local wall time -> the instants it names under the zone's rule: 0 (skipped when clocks go
 * forward), 1, or 2 (the repeated hour when they go back; first[0] is the earlier). */
static int local_to_utc(const fc_tz *tz, int64_t local_s, int64_t out[2])
{
    int n = 0;
    int32_t offs[2] = {tz->dst_offset_s, tz->std_offset_s}; /* dst first: it gives the earlier instant */
    for (int k = 0; k < (tz->has_dst ? 2 : 1); k++) {
        int32_t off = tz->has_dst ? offs[k] : tz->std_offset_s;
        int64_t u = local_s - off;
        if (fc_tz_offset_at(tz, u, NULL) == off && (n == 0 || out[0] != u)) out[n++] = u;
    }
    return n;
}

/* A value field: empty = missing (NAN); otherwise a plain non-negative decimal, or an error. */
static float value(const char *path, int line, int field, const char *what, const char *t, double max)
{
    double v;
    if (!*t) return NAN;
    if (!fc_tool_parse_number(t, &v) || v < 0 || v > max)
        fc_tool_die("%s:%d: field %d (%s) \"%.40s\": must be a number in [0, %g] or empty", path, line, field, what, t, max);
    return (float)v;
}

static int cmp_id(const char *x, const char *y)
{
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Adds id to the sorted set of stations missing from the metadata (real files can have many). */
static void remember_unknown(import *im, const char *id)
{
    int lo = 0, hi = im->n_unknown;
    while (lo < hi) {
        int mid = (lo + hi) / 2, c = cmp_id(im->unknown[mid], id);
        if (!c) return;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (im->n_unknown == im->cap_unknown) {
        im->cap_unknown = im->cap_unknown ? 2 * im->cap_unknown : 64;
        im->unknown = realloc(im->unknown, im->cap_unknown * sizeof(char *));
        if (!im->unknown) fc_tool_die("out of memory");
    }
    memmove(im->unknown + lo + 1, im->unknown + lo, (im->n_unknown - lo) * sizeof(char *));
    im->unknown[lo] = strdup(id);
    im->n_unknown++;
}

static void note(import *im, const char *what, const char *path, int line)
{
    if (cJSON_GetObjectItem(im->examples, what)) return;
    char buf[4200];
    snprintf(buf, sizeof buf, "%s:%d", path, line);
    cJSON_AddStringToObject(im->examples, what, buf);
}

static void read_data(import *im, int file, const char *path)
{
    size_t len;
    char *text = fc_tool_read_file(path, &len);
    if (memchr(text, '\0', len)) fc_tool_die("%s: contains a NUL byte (not a PeMS station 5-minute text file; gunzip it first)", path);
    char *cur = text, *l, *f[FIXED_FIELDS];
    int line = 0;
    while ((l = next_line(&cur, &line))) {
        if (!*trim(l)) continue;
        int n = split(l, ',', f, FIXED_FIELDS);
        im->rows++;
        if (n < FIXED_FIELDS)
            fc_tool_die("%s:%d: %d fields; a station 5-minute row has %d before its lane fields (timestamp, station, district, freeway, direction, lane type, station length, samples, %% observed, total flow, avg occupancy, avg speed)",
                        path, line, n, FIXED_FIELDS);
        if (strcmp(trim(f[5]), "ML")) {
            im->not_ml_rows++;
            continue;
        }
        const char *why, *id = trim(f[1]);
        int64_t local_s = 0, t[2];
        if (!parse_stamp(trim(f[0]), &local_s, &why)) fc_tool_die("%s:%d: timestamp \"%.40s\": %s", path, line, f[0], why);
        if (!all_digits(id, 20)) fc_tool_die("%s:%d: station \"%.40s\": must be a station number", path, line, id);
        int s = find_station(im, id);
        if (s < 0) { /* a mainline station the metadata does not have: no position, no corridor */
            im->unknown_rows++;
            remember_unknown(im, id);
            note(im, "not_in_metadata", path, line);
            continue;
        }
        float pct = value(path, line, 9, "% Observed", trim(f[8]), 100);
        float flow = value(path, line, 10, "Total Flow", trim(f[9]), 1e6);
        float occ = value(path, line, 11, "Avg Occupancy", trim(f[10]), 1);
        float speed = value(path, line, 12, "Avg Speed", trim(f[11]), 1000);
        if (im->st[s].col == -2) {
            im->unplaced_rows++;
            continue;
        }
        int nt = local_to_utc(&im->tz, local_s, t);
        if (nt == 0) { /* 02:00-02:55 on the day clocks go forward does not exist */
            im->dst_gap_rows++;
            note(im, "dst_gap", path, line);
            continue;
        }
        /* % observed 0: every lane value of the row was imputed by PeMS, not measured */
        if (!(pct > 0)) {
            speed = flow = occ = NAN;
            im->imputed_rows++;
            note(im, "imputed", path, line);
        } else if (isnan(speed)) {
            im->no_speed_rows++;
            note(im, "no_speed", path, line);
        }
        station *st = &im->st[s];
        st->has_data = 1;
        if (t[0] < st->last_s) {
            im->out_of_order_rows++;
            note(im, "out_of_order", path, line);
        }
        if (t[0] > st->last_s) st->last_s = t[0];
        if (im->n_rec == im->cap_rec) {
            im->cap_rec = im->cap_rec ? 2 * im->cap_rec : 4096;
            im->rec = realloc(im->rec, im->cap_rec * sizeof(record));
            if (!im->rec) fc_tool_die("out of memory");
        }
        /* flow: vehicles in 5 minutes -> vehicles per hour */
        im->rec[im->n_rec++] = (record){s, file, line, t[0], nt == 2, speed, isnan(flow) ? NAN : flow * (3600 / INTERVAL_S), occ};
    }
    /* the fields point into text; records copied what they need */
    free(text);
}

static int same(float a, float b) { return (isnan(a) && isnan(b)) || a == b; }

/* "2012-03-01T00:00:00-08:00": the local time of t_s with its offset. */
static void iso_local(const fc_tz *tz, int64_t t_s, char *buf, size_t cap)
{
    int32_t off = fc_tz_offset_at(tz, t_s, NULL);
    int64_t l = t_s + off, y;
    int mo, d;
    fc_civil_from_days(fc_floor_div(l, 86400), &y, &mo, &d);
    int64_t sod = l - fc_floor_div(l, 86400) * 86400;
    int a = off < 0 ? -off : off;
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (int)y, mo, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
             off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

static const char *k_usage =
    "usage: flowcast-pems --meta META.txt --data STATION_5MIN.txt [--data FILE ...] --out DIR\n"
    "         [--id ID] [--name TEXT] [--timezone TZ] [--whole-weeks] [--report REPORT.json]";

int main(int argc, char **argv)
{
    fc_tool_set_name("flowcast-pems");
    const char *meta_path = NULL, *out = NULL, *id = "pems", *name = NULL, *tzname = "America/Los_Angeles", *report_path = NULL;
    const char **data = calloc(argc, sizeof(char *));
    int n_data = 0, whole_weeks = 0;
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts(k_usage);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--whole-weeks")) { whole_weeks = 1; continue; }
        if (i + 1 >= argc) fc_tool_die("%s needs a value\n%s", a, k_usage);
        const char *v = argv[++i];
        if (!strcmp(a, "--meta")) meta_path = v;
        else if (!strcmp(a, "--data")) data[n_data++] = v;
        else if (!strcmp(a, "--out")) out = v;
        else if (!strcmp(a, "--id")) id = v;
        else if (!strcmp(a, "--name")) name = v;
        else if (!strcmp(a, "--timezone")) tzname = v;
        else if (!strcmp(a, "--report")) report_path = v;
        else fc_tool_die("unknown option %s\n%s", a, k_usage);
    }
    if (!meta_path || !n_data || !out) fc_tool_die("%s", k_usage);

    import im = {0};
    im.examples = cJSON_CreateObject();
    if (fc_tz_parse(tzname, strlen(tzname), &im.tz)) fc_tool_die("--timezone \"%s\": not a zone the engine knows", tzname);
    read_meta(&im, meta_path);
    for (int k = 0; k < n_data; k++) read_data(&im, k, data[k]);
    if (!im.n_rec) fc_tool_die("no mainline row of a station in %s (%zu rows read, %zu of other lane types, %zu of stations not in it)",
                               meta_path, im.rows, im.not_ml_rows, im.unknown_rows);

    /* the network: metadata stations with data, in metadata order */
    fc_nb b;
    fc_nb_init(&b);
    b.has_road = b.has_dir = b.has_pm = 1;
    b.s = calloc(im.n_st, sizeof(fc_nb_sensor));
    im.unplaced_ids = cJSON_CreateArray();
    im.no_data_ids = cJSON_CreateArray();
    int *by_line = malloc(im.n_st * sizeof(int)), n_assumed_lanes = 0, n_no_data = 0, n_unplaced = 0;
    for (int i = 0; i < im.n_st; i++) by_line[i] = i;
    for (int i = 1; i < im.n_st; i++) /* insertion sort by metadata line: the file's order */
        for (int j = i; j > 0 && im.st[by_line[j - 1]].line > im.st[by_line[j]].line; j--) {
            int t = by_line[j];
            by_line[j] = by_line[j - 1], by_line[j - 1] = t;
        }
    for (int k = 0; k < im.n_st; k++) {
        station *s = &im.st[by_line[k]];
        if (s->col == -2) {
            if (n_unplaced++ < LIST_MAX) cJSON_AddItemToArray(im.unplaced_ids, cJSON_CreateString(s->id));
            continue;
        }
        if (!s->has_data) {
            if (n_no_data++ < LIST_MAX) cJSON_AddItemToArray(im.no_data_ids, cJSON_CreateString(s->id));
            continue;
        }
        fc_nb_sensor *o = &b.s[b.n];
        s->col = b.n++;
        o->id = s->id, o->road = s->fwy, o->dir = s->dir, o->label = s->name, o->place = s->city;
        o->lat = s->lat, o->lon = s->lon, o->postmile = s->abs_pm, o->has_pm = 1, o->line = s->line;
        o->lanes = s->lanes ? s->lanes : FC_NB_DEFAULT_LANES;
        o->limit = FC_NB_DEFAULT_LIMIT_MPH;
        o->corridor = o->pos = o->twin = -1;
        n_assumed_lanes += !s->lanes;
    }
    free(by_line);
    char msg[160];
    cJSON_AddItemToArray(b.derived, cJSON_CreateString("road: I-, US- or SR- and the Fwy number (California's route numbering); direction: Dir (N, S, E, W)"));
    cJSON_AddItemToArray(b.derived, cJSON_CreateString("milepost: Abs_PM (absolute postmile, increasing northbound and eastbound)"));
    cJSON_AddItemToArray(b.assumed, cJSON_CreateString("speed_limit_mph: 65 at every station (PeMS metadata has no speed limit)"));
    if (n_assumed_lanes) {
        snprintf(msg, sizeof msg, "lanes: 4 at %d stations with an empty Lanes field", n_assumed_lanes);
        cJSON_AddItemToArray(b.assumed, cJSON_CreateString(msg));
    }
    fc_nb_options opt = {id, name, tzname, NULL, INTERVAL_S};
    char *net_text = fc_nb_build(&b, &opt);
    fc_network *net;
    char err[512];
    if (fc_network_parse(net_text, strlen(net_text), &net, err, sizeof err)) fc_tool_die("internal: the built network does not parse: %s", err);

    /* the grid: every 5 minutes from the first to the last period read */
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    for (size_t r = 0; r < im.n_rec; r++) {
        if (im.rec[r].t_s < t0) t0 = im.rec[r].t_s;
        int64_t last = im.rec[r].t_s + (im.rec[r].ambiguous ? 3600 : 0);
        if (last > t1) t1 = last;
    }
    size_t cols = (size_t)b.n, recorded = (size_t)((t1 - t0) / INTERVAL_S) + 1;
    /* the second pass of a repeated hour may not have been read: the grid ends at the last
     * instant actually used */
    size_t rows_used = 0;
    int32_t *first = malloc(recorded * cols * sizeof(int32_t));
    if (!first) fc_tool_die("out of memory (%zu rows x %zu stations)", recorded, cols);
    for (size_t k = 0; k < recorded * cols; k++) first[k] = -1;
    for (size_t r = 0; r < im.n_rec; r++) {
        record *x = &im.rec[r];
        size_t c = (size_t)im.st[x->station].col, row = (size_t)((x->t_s - t0) / INTERVAL_S);
        if (x->ambiguous) {
            im.repeated_hour_rows++;
            /* the repeated hour: a station's first row of a local time there is the first pass
             * (daylight time), a second one the second pass (standard time, an hour later) */
            if (first[row * cols + c] >= 0) x->t_s += 3600, row += 3600 / INTERVAL_S;
        }
        int32_t *cell = &first[row * cols + c];
        if (*cell >= 0) {
            const record *y = &im.rec[*cell];
            int identical = same(x->speed, y->speed) && same(x->flow_vph, y->flow_vph) && same(x->occ, y->occ);
            if (identical) im.dup_rows++;
            else im.conflict_rows++;
            note(&im, identical ? "duplicate" : "conflicting_duplicate", data[x->file], x->line);
            continue;
        }
        *cell = (int32_t)r;
        if (row + 1 > rows_used) rows_used = row + 1;
    }
    recorded = rows_used;
    size_t rows = whole_weeks ? fc_dataset_whole_weeks(recorded, INTERVAL_S) : recorded;
    char **ids = malloc(cols * sizeof(char *));
    for (size_t c = 0; c < cols; c++) ids[c] = b.s[c].id;
    fc_matrix speed = {rows, cols, malloc(rows * cols * sizeof(float)), ids};
    fc_matrix volume = {rows, cols, malloc(rows * cols * sizeof(float)), ids};
    fc_matrix occupancy = {rows, cols, malloc(rows * cols * sizeof(float)), ids};
    if (!speed.v || !volume.v || !occupancy.v) fc_tool_die("out of memory");
    for (size_t k = 0; k < rows * cols; k++) {
        const record *x = k < recorded * cols && first[k] >= 0 ? &im.rec[first[k]] : NULL;
        speed.v[k] = x ? x->speed : NAN;
        volume.v[k] = x ? x->flow_vph : NAN;
        occupancy.v[k] = x ? x->occ : NAN;
    }
    free(first);

    char start[40];
    iso_local(&im.tz, t0, start, sizeof start);
    cJSON *meta = fc_dataset_meta(net, start, rows, recorded, "flowcast-pems (Caltrans PeMS station 5-minute files)");
    char source[256];
    const char *base = strrchr(meta_path, '/');
    snprintf(source, sizeof source, "Caltrans PeMS clearinghouse: station metadata %.120s, %d station 5-minute file%s", base ? base + 1 : meta_path,
             n_data, n_data == 1 ? "" : "s");
    cJSON_AddStringToObject(meta, "source", source);

    cJSON *rep = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(rep, "metadata");
    cJSON_AddNumberToObject(m, "rows", (double)im.meta_rows);
    cJSON_AddNumberToObject(m, "not_mainline", (double)im.meta_not_ml);
    cJSON_AddNumberToObject(m, "mainline", im.n_st);
    cJSON_AddNumberToObject(m, "in_network", b.n);
    cJSON_AddNumberToObject(m, "no_data", n_no_data);
    cJSON_AddItemToObject(m, "no_data_ids", im.no_data_ids);
    cJSON_AddNumberToObject(m, "no_position", n_unplaced);
    cJSON_AddItemToObject(m, "no_position_ids", im.unplaced_ids);
    cJSON *d = cJSON_AddObjectToObject(rep, "data");
    cJSON_AddNumberToObject(d, "rows", (double)im.rows);
    cJSON_AddNumberToObject(d, "not_mainline_rows", (double)im.not_ml_rows);
    cJSON_AddNumberToObject(d, "not_in_metadata_rows", (double)im.unknown_rows);
    cJSON_AddNumberToObject(d, "not_in_metadata_stations", im.n_unknown);
    cJSON *unknown_ids = cJSON_AddArrayToObject(d, "not_in_metadata_ids");
    for (int k = 0; k < im.n_unknown && k < LIST_MAX; k++) cJSON_AddItemToArray(unknown_ids, cJSON_CreateString(im.unknown[k]));
    cJSON_AddNumberToObject(d, "no_position_rows", (double)im.unplaced_rows);
    cJSON_AddNumberToObject(d, "imputed_rows", (double)im.imputed_rows);
    cJSON_AddNumberToObject(d, "no_speed_rows", (double)im.no_speed_rows);
    cJSON_AddNumberToObject(d, "duplicate_rows", (double)im.dup_rows);
    cJSON_AddNumberToObject(d, "conflicting_duplicate_rows", (double)im.conflict_rows);
    cJSON_AddNumberToObject(d, "out_of_order_rows", (double)im.out_of_order_rows);
    cJSON_AddNumberToObject(d, "dst_gap_rows", (double)im.dst_gap_rows);
    cJSON_AddNumberToObject(d, "repeated_hour_rows", (double)im.repeated_hour_rows);
    cJSON_AddItemToObject(d, "first_of_each", im.examples);
    cJSON *ds = cJSON_AddObjectToObject(rep, "dataset");
    cJSON_AddStringToObject(ds, "start", start);
    cJSON_AddNumberToObject(ds, "rows", (double)rows);
    cJSON_AddNumberToObject(ds, "recorded_rows", (double)recorded);
    cJSON_AddNumberToObject(ds, "padded_rows", (double)(rows - recorded));
    cJSON_AddItemReferenceToObject(rep, "network", b.report);
    char *rep_text = cJSON_Print(rep);

    fc_dataset_write(out, meta, net_text, strlen(net_text), &speed, &volume, &occupancy);
    if (report_path) fc_tool_write_atomic(report_path, rep_text);
    fc_nb_print_summary(&b, "flowcast-pems", out);
    fprintf(stderr,
            "flowcast-pems: %d mainline stations in the metadata: %d in the network, %d with no data, %d with no position\n"
            "flowcast-pems: %zu rows read: %zu of other lane types, %zu of %d stations not in the metadata (skipped), %zu with %% observed 0 (missing), "
            "%zu without a speed, %zu duplicates (%zu conflicting, first kept), %zu out of order, %zu in the skipped hour of a clock change\n"
            "flowcast-pems: %zu rows of 5 minutes from %s (+ %zu missing rows to whole weeks) -> %s\n",
            im.n_st, b.n, n_no_data, n_unplaced, im.rows, im.not_ml_rows, im.unknown_rows, im.n_unknown, im.imputed_rows,
            im.no_speed_rows, im.dup_rows + im.conflict_rows, im.conflict_rows, im.out_of_order_rows, im.dst_gap_rows, recorded, start,
            rows - recorded, out);
    cJSON_free(rep_text);
    cJSON_free(net_text);
    cJSON_Delete(rep);
    cJSON_Delete(meta);
    cJSON_Delete(b.report);
    fc_network_free(net);
    return 0;
}
