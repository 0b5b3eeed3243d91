/* output.c — the files of a dataset folder and snapshots (docs/FORMATS.md). */
#include "output.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int output_network_file(const sim_net *net, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "flowcast-sim: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int bad = sim_net_write_json(net, f);
    if (fclose(f) || bad) {
        fprintf(stderr, "flowcast-sim: error writing %s\n", path);
        return -1;
    }
    return 0;
}

int output_make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "flowcast-sim: cannot create directory %s: %s\n", path, strerror(errno));
    return -1;
}

FILE *output_open(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, "flowcast-sim: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

/* Fixed-point decimal without printf: the matrices hold tens of millions of numbers. */
static char *put_fixed(char *p, double v, int decimals)
{
    static const double k_scale[] = {1, 10, 100, 1000, 10000};
    long long x = (long long)(v * k_scale[decimals] + (v < 0 ? -0.5 : 0.5));
    if (x < 0) {
        *p++ = '-';
        x = -x;
    }
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x || n <= decimals);
    while (n > decimals) *p++ = tmp[--n];
    if (decimals) {
        *p++ = '.';
        while (n > 0) *p++ = tmp[--n];
    }
    return p;
}

static const char *const k_matrix_files[OUT_COUNT] = {"speed.csv", "volume.csv", "occupancy.csv",
                                                     "quality.csv"};

int output_matrices_open(output_matrices *mx, const char *dir, const sim_net *net)
{
    memset(mx, 0, sizeof *mx);
    mx->dir = dir;
    mx->n = net->n_stations;
    /* the longest field is "1.0000" or "20000": 16 bytes a value is ample */
    mx->buf = malloc((size_t)mx->n * 16 + 16);
    if (!mx->buf) return -1;
    for (int k = 0; k < OUT_COUNT; k++) {
        if (!(mx->f[k] = output_open(dir, k_matrix_files[k]))) return -1;
        for (int s = 0; s < mx->n; s++) fprintf(mx->f[k], "%s%s", s ? "," : "", net->stations[s].id);
        fputc('\n', mx->f[k]);
    }
    return 0;
}

int output_matrices_close(output_matrices *mx)
{
    int bad = 0;
    for (int k = 0; k < OUT_COUNT; k++) {
        if (!mx->f[k]) continue;
        if ((ferror(mx->f[k]) | fclose(mx->f[k])) && !bad) {
            fprintf(stderr, "flowcast-sim: error writing %s/%s\n", mx->dir, k_matrix_files[k]);
            bad = -1;
        }
        mx->f[k] = NULL;
    }
    free(mx->buf);
    mx->buf = NULL;
    return bad;
}

void output_matrices_row(output_matrices *mx, const det_reading *r)
{
    int n = mx->n;
    for (int k = 0; k < OUT_COUNT; k++) {
        char *p = mx->buf;
        for (int s = 0; s < n; s++) {
            if (s) *p++ = ',';
            if (k == OUT_QUALITY) p = put_fixed(p, r[s].quality, 0);
            else if (r[s].missing) continue;
            else if (k == OUT_SPEED) p = put_fixed(p, r[s].speed_mph, 1);
            else if (k == OUT_VOLUME) p = put_fixed(p, r[s].volume_vph, 0);
            else p = put_fixed(p, r[s].occupancy, 4);
        }
        *p++ = '\n';
        fwrite(mx->buf, 1, (size_t)(p - mx->buf), mx->f[k]);
    }
}

static void put_json_number(FILE *f, double v, int decimals, int missing)
{
    char buf[32], *p = buf;
    if (missing) {
        fputs("null", f);
        return;
    }
    p = put_fixed(p, v, decimals);
    fwrite(buf, 1, (size_t)(p - buf), f);
}

int output_snapshot(const char *dir, const scenario *sc, const sim_net *net, int64_t ts,
                          int interval_s, const det_reading *r)
{
    char iso[32], name[64];
    scenario_format_time(sc, ts, iso);
    snprintf(name, sizeof name, "%s.json", iso);
    FILE *f = output_open(dir, name);
    if (!f) return -1;
    fprintf(f, "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"%s\",\"ts\":\"%s\",\"interval_s\":%d,\"readings\":[\n",
            net->id, iso, interval_s);
    for (int s = 0; s < net->n_stations; s++) {
        fprintf(f, "{\"id\":\"%s\",\"speed_mph\":", net->stations[s].id);
        put_json_number(f, r[s].speed_mph, 1, r[s].missing);
        fputs(",\"volume_vph\":", f);
        put_json_number(f, r[s].volume_vph, 0, r[s].missing);
        fputs(",\"occupancy\":", f);
        put_json_number(f, r[s].occupancy, 4, r[s].missing);
        fprintf(f, ",\"quality\":%d}%s\n", r[s].quality, s + 1 < net->n_stations ? "," : "");
    }
    fputs("]}\n", f);
    return fclose(f) ? -1 : 0;
}

static void put_csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int output_events(const char *dir, const scenario *sc, const sim_net *net)
{
    static const char *const k_kind[EV_KIND_COUNT] = {"incident", "rain", "holiday", "sensor_dead",
                                                      "sensor_outage", "sensor_stuck"};
    FILE *f = output_open(dir, "events.csv");
    if (!f) return -1;
    fputs("kind,start,end,sensor,lanes_blocked,detail\n", f);
    for (int i = 0; i < sc->n_events; i++) {
        const sim_event *e = &sc->events[i];
        char a[32], b[32];
        scenario_format_time(sc, e->start_s, a);
        scenario_format_time(sc, e->end_s, b);
        fprintf(f, "%s,%s,%s,%s,", k_kind[e->kind], a, b, e->station >= 0 ? net->stations[e->station].id : "");
        if (e->lanes_blocked >= 0) fprintf(f, "%d", e->lanes_blocked);
        fputc(',', f);
        put_csv_text(f, e->detail);
        fputc('\n', f);
    }
    return fclose(f) ? -1 : 0;
}


/* The incidents of the run as one flowcast.incidents/1 document whose ts is the end of the
 * recording: every incident that overlaps [start_s, end_s), with the lanes of its blocked cell. The
 * feed server picks the ones in force at each replayed instant (docs/SIMULATOR.md). */
int output_incidents(const char *dir, const scenario *sc, const sim_net *net, const ctm_model *m,
                     int64_t start_s, int64_t end_s)
{
    FILE *f = output_open(dir, "incidents.json");
    if (!f) return -1;
    char ts[32], a[32], b[32];
    scenario_format_time(sc, end_s, ts);
    fprintf(f, "{\"schema\":\"flowcast.incidents/1\",\"network\":\"%s\",\"ts\":\"%s\",\"incidents\":[", net->id, ts);
    int n = 0;
    for (int i = 0; i < sc->n_events; i++) {
        const sim_event *e = &sc->events[i];
        if (e->kind != EV_INCIDENT || e->end_s <= start_s || e->start_s >= end_s) continue;
        int lanes = m->lanes[e->cell], blocked = e->lanes_blocked;
        scenario_format_time(sc, e->start_s, a);
        scenario_format_time(sc, e->end_s, b);
        fprintf(f, "%s\n{\"id\":\"sim-%d\",\"kind\":\"%s\",\"sensor\":\"%s\",\"lanes_blocked\":%d,\"lanes\":%d,"
                "\"start\":\"%s\",\"end\":\"%s\",\"description\":\"",
                n++ ? "," : "", i, blocked ? "crash" : "stalled_vehicle", net->stations[e->station].id, blocked,
                lanes, a, b);
        if (blocked) fprintf(f, "crash blocking %d of %d lanes\"}", blocked, lanes);
        else fputs("stalled vehicle on the shoulder\"}", f);
    }
    fputs("\n]}\n", f);
    return fclose(f) ? -1 : 0;
}
