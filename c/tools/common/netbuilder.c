/* netbuilder.c — corridors, twins, names and mileposts of a network built from a station list
 * (netbuilder.h), moved here from flowcast-netbuild so that flowcast-pems builds its networks by
 * the same rules. The engine's parser (fc_network_parse) checks the document before a tool writes
 * it, so what makes a network valid stays in c/src/network.c. */
#include "netbuilder.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "flowcast.h"
#include "network.h"
#include "tool.h"

#define PI 3.14159265358979323846
#define EARTH_M 6371008.8
#define M_PER_MI 1609.344
/* A road distance more than this factor of the straight line (plus the slack below) is a detour
 * (a U-turn through an interchange to the opposite carriageway, or a ramp loop), not the next
 * station along the same road: METR-LA's opposite-direction twins ~100 m apart are 1..4 km apart
 * by road. Freeway curves between neighbouring stations stay well under 1.3. */
#ifndef DETOUR_FACTOR /* -DDETOUR_FACTOR=... plants a bug for the tests (tests/netbuild.test.mjs) */
#define DETOUR_FACTOR 1.3
#endif
#define DETOUR_SLACK_M 150.0
/* k lies between i and j when d(i,k) + d(k,j) exceeds d(i,j) by at most this much: road
 * distances of the source are rounded and snapped to a road graph, a few per cent off. */
#define BETWEEN_FACTOR 1.05
#define BETWEEN_SLACK_M 50.0
/* A next station more than this many degrees off the heading the chain arrives with reverses
 * it: two carriageways joined at their ends, never one road. */
#ifndef MAX_TURN_DEG /* -DMAX_TURN_DEG=... plants a bug for the tests (tests/netbuild.test.mjs) */
#define MAX_TURN_DEG 120.0
#endif
/* Opposite-direction stations of one road lie within this distance of each other (twins). */
#define TWIN_M 250.0
/* What a station gets when the table does not say (reported as assumed, see the report). */

/* ---- geometry ---- */
static double rad(double d) { return d * PI / 180; }

static double great_circle_m(const fc_nb_sensor *a, const fc_nb_sensor *b)
{
    double dlat = rad(b->lat - a->lat), dlon = rad(b->lon - a->lon);
    double h = sin(dlat / 2) * sin(dlat / 2) + cos(rad(a->lat)) * cos(rad(b->lat)) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_M * asin(sqrt(h));
}

/* Initial bearing a -> b, degrees clockwise from north in [0, 360). */
static double bearing(const fc_nb_sensor *a, const fc_nb_sensor *b)
{
    double y = sin(rad(b->lon - a->lon)) * cos(rad(b->lat));
    double x = cos(rad(a->lat)) * sin(rad(b->lat)) - sin(rad(a->lat)) * cos(rad(b->lat)) * cos(rad(b->lon - a->lon));
    double d = atan2(y, x) * 180 / PI;
    return d < 0 ? d + 360 : d;
}

static double turn(double a, double b)
{
    double d = fmod(fabs(a - b), 360);
    return d > 180 ? 360 - d : d;
}

/* NB/EB/SB/WB from a heading: the compass quarter it falls in. */
static const char *bound_of(double brg)
{
    if (brg >= 315 || brg < 45) return "NB";
    if (brg < 135) return "EB";
    if (brg < 225) return "SB";
    return "WB";
}

static double dist(const fc_nb *b, int i, int j) { return b->dist[(size_t)i * b->n + j]; }

/* An edge that may join two consecutive stations of one corridor: along the road (no detour)
 * and, where the table names them, on the same road in the same direction. */
static int along_road(const fc_nb *b, int i, int j)
{
    double d = dist(b, i, j);
    if (d < 0) return 0;
    if (d > DETOUR_FACTOR * great_circle_m(&b->s[i], &b->s[j]) + DETOUR_SLACK_M) return 0;
    if (b->has_road && strcmp(b->s[i].road, b->s[j].road)) return 0;
    if (b->has_dir && strcmp(b->s[i].dir, b->s[j].dir)) return 0;
    return 1;
}

/* Successors of i not reached through another successor: the next stations downstream. */
static int immediate_successors(const fc_nb *b, int i, int *out)
{
    int n = 0;
    for (int j = 0; j < b->n; j++) {
        if (!along_road(b, i, j)) continue;
        int between = 0;
        for (int k = 0; k < b->n && !between; k++)
            between = k != j && along_road(b, i, k) && along_road(b, k, j) &&
                      dist(b, i, k) + dist(b, k, j) <= BETWEEN_FACTOR * dist(b, i, j) + BETWEEN_SLACK_M;
        if (!between) out[n++] = j;
    }
    return n;
}

static cJSON *id_list(const fc_nb *b, const int *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < n; k++) cJSON_AddItemToArray(a, cJSON_CreateString(b->s[v[k]].id));
    return a;
}

/* next[i]: the station after i in its corridor, or -1. */
static void chain_from_graph(fc_nb *b, int *next)
{
    int n = b->n;
    int *succ = malloc((size_t)n * n * sizeof(int)), *ns = calloc(n, sizeof(int)), *prev = malloc(n * sizeof(int));
    if (!succ || !ns || !prev) fc_tool_die("out of memory");
    for (int i = 0; i < n; i++) ns[i] = immediate_successors(b, i, succ + (size_t)i * n);
    /* the nearest immediate predecessor gives the heading a chain arrives at i with */
    for (int j = 0; j < n; j++) {
        prev[j] = -1;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < ns[i]; k++)
                if (succ[(size_t)i * n + k] == j && (prev[j] < 0 || dist(b, i, j) < dist(b, prev[j], j))) prev[j] = i;
    }
    for (int i = 0; i < n; i++) {
        const int *c = succ + (size_t)i * n;
        next[i] = -1;
        double best = 1e9;
        for (int k = 0; k < ns[i]; k++) {
            /* without a way in, the nearest successor; with one, the straightest continuation */
            double score = prev[i] >= 0 ? turn(bearing(&b->s[prev[i]], &b->s[i]), bearing(&b->s[i], &b->s[c[k]])) : dist(b, i, c[k]);
            if (prev[i] >= 0 && score > MAX_TURN_DEG) continue;
            if (score < best) best = score, next[i] = c[k];
        }
        if (ns[i] > 1) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "sensor", b->s[i].id);
            cJSON_AddItemToObject(o, "downstream", id_list(b, c, ns[i]));
            if (next[i] >= 0) cJSON_AddStringToObject(o, "chosen", b->s[next[i]].id);
            cJSON_AddItemToArray(b->branches, o);
        }
    }
    /* a merge: several stations continue into j; the straightest one keeps it, the others end */
    for (int j = 0; j < n; j++) {
        int in[64], m = 0, keep = -1;
        double best = 1e9;
        for (int i = 0; i < n && m < 64; i++)
            if (next[i] == j) in[m++] = i;
        if (m < 2) continue;
        for (int k = 0; k < m; k++) {
            int i = in[k];
            double score = prev[i] >= 0 ? turn(bearing(&b->s[prev[i]], &b->s[i]), bearing(&b->s[i], &b->s[j])) : 90 + dist(b, i, j) / 1e4;
            if (score < best) best = score, keep = i;
        }
        for (int k = 0; k < m; k++)
            if (in[k] != keep) next[in[k]] = -1;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "sensor", b->s[j].id);
        cJSON_AddItemToObject(o, "upstream", id_list(b, in, m));
        cJSON_AddStringToObject(o, "chosen", b->s[keep].id);
        cJSON_AddItemToArray(b->merges, o);
    }
    /* with the chains known, a link that reverses the heading they arrive with is cut: the
     * nearest predecessor used above need not be the one the chain kept */
    for (int i = 0; i < n; i++) prev[i] = -1;
    for (int i = 0; i < n; i++)
        if (next[i] >= 0) prev[next[i]] = i;
    for (int i = 0; i < n; i++) {
        int p = prev[i], j = next[i];
        if (p < 0 || j < 0 || turn(bearing(&b->s[p], &b->s[i]), bearing(&b->s[i], &b->s[j])) <= MAX_TURN_DEG) continue;
        next[i] = prev[j] = -1;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "sensor", b->s[i].id);
        cJSON_AddStringToObject(o, "downstream", b->s[j].id);
        cJSON_AddStringToObject(o, "why", "the link reverses the corridor's heading: cut");
        cJSON_AddItemToArray(b->branches, o);
    }
    free(succ), free(ns), free(prev);
}

/* Directions whose postmiles fall downstream (Caltrans and most US states count postmiles
 * northbound and eastbound; I-285's mileposts run clockwise). */
static int descending(const char *dir)
{
    static const char *const k_down[] = {"SB", "WB", "S", "W", "CCW", "southbound", "westbound", "-", NULL};
    for (int k = 0; k_down[k]; k++)
        if (!strcasecmp(dir, k_down[k])) return 1;
    return 0;
}

static const fc_nb *g_sort;
static int by_postmile(const void *pa, const void *pb)
{
    const fc_nb_sensor *a = &g_sort->s[*(const int *)pa], *b = &g_sort->s[*(const int *)pb];
    double d = descending(a->dir) ? b->postmile - a->postmile : a->postmile - b->postmile;
    return d < 0 ? -1 : d > 0;
}

static void chain_from_table(fc_nb *b, int *next)
{
    if (!b->has_road || !b->has_dir || !b->has_pm)
        fc_tool_die("without --graph the sensor table needs road, direction and postmile columns to order the corridors");
    int *order = malloc(b->n * sizeof(int)), *done = calloc(b->n, sizeof(int));
    for (int i = 0; i < b->n; i++) next[i] = -1;
    g_sort = b;
    for (int i = 0; i < b->n; i++) {
        if (done[i]) continue;
        int m = 0;
        for (int j = i; j < b->n; j++)
            if (!done[j] && !strcmp(b->s[j].road, b->s[i].road) && !strcmp(b->s[j].dir, b->s[i].dir)) order[m++] = j, done[j] = 1;
        qsort(order, m, sizeof(int), by_postmile);
        for (int k = 0; k + 1 < m; k++) {
            if (b->s[order[k]].postmile == b->s[order[k + 1]].postmile)
                fc_tool_die("sensors \"%s\" (line %d) and \"%s\" (line %d): same road, direction and postmile: their order is ambiguous",
                            b->s[order[k]].id, b->s[order[k]].line, b->s[order[k + 1]].id, b->s[order[k + 1]].line);
            next[order[k]] = order[k + 1];
        }
    }
    free(order), free(done);
}

/* ---- corridors from next pointers ---- */
static void make_corridors(fc_nb *b, const int *next)
{
    int n = b->n;
    int *has_in = calloc(n, sizeof(int)), *seen = calloc(n, sizeof(int));
    b->c = calloc(n, sizeof(fc_nb_corridor));
    for (int i = 0; i < n; i++)
        if (next[i] >= 0) has_in[next[i]] = 1;
    /* chains start where nothing flows in; what is left after them are cycles (ring roads) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            if (seen[i] || (pass == 0 && has_in[i])) continue;
            fc_nb_corridor *c = &b->c[b->nc];
            c->s = malloc(n * sizeof(int));
            for (int k = i; k >= 0 && !seen[k]; k = next[k]) seen[k] = 1, c->s[c->n++] = k;
            c->loop = pass == 1;
            if (c->n < 2) { /* a station with no neighbour along the road: no fc_nb_corridor */
                cJSON_AddItemToArray(b->isolated, cJSON_CreateString(b->s[i].id));
                free(c->s);
                memset(c, 0, sizeof *c);
                continue;
            }
            b->nc++;
        }
    free(has_in), free(seen);
}

/* A loop without a graph: the last station of a ring road is about one spacing from the first. */
static void detect_table_loops(fc_nb *b)
{
    for (int k = 0; k < b->nc; k++) {
        fc_nb_corridor *c = &b->c[k];
        if (c->n < 4) continue;
        double sum = 0;
        for (int p = 0; p + 1 < c->n; p++) sum += great_circle_m(&b->s[c->s[p]], &b->s[c->s[p + 1]]);
        double gap = great_circle_m(&b->s[c->s[c->n - 1]], &b->s[c->s[0]]);
        if (gap <= 2 * sum / (c->n - 1)) c->loop = 1;
    }
}

/* The local heading of a corridor station: from the station before it to the one after it. */
static double local_heading(const fc_nb *b, const fc_nb_sensor *s)
{
    const fc_nb_corridor *c = &b->c[s->corridor];
    int a = s->pos > 0 ? s->pos - 1 : s->pos, z = s->pos + 1 < c->n ? s->pos + 1 : s->pos;
    return bearing(&b->s[c->s[a]], &b->s[c->s[z]]);
}

/* Stations of one road in opposite directions within TWIN_M of each other are twins: the
 * table's directions differ, or (without directions) their local headings are opposite. */
static void pair_twins(fc_nb *b)
{
    for (int i = 0; i < b->n; i++) {
        fc_nb_sensor *s = &b->s[i];
        if (s->corridor < 0) continue;
        double best = TWIN_M;
        for (int j = 0; j < b->n; j++) {
            const fc_nb_sensor *t = &b->s[j];
            if (t->corridor < 0 || t->corridor == s->corridor) continue;
            if (b->has_road && strcmp(s->road, t->road)) continue;
            if (b->has_dir ? !strcmp(s->dir, t->dir) : turn(local_heading(b, s), local_heading(b, t)) < MAX_TURN_DEG) continue;
            double d = great_circle_m(s, t);
            if (d < best) best = d, s->twin = j;
        }
    }
    /* twins must be mutual: a station nearest to two others keeps only the one it chose */
    for (int i = 0; i < b->n; i++)
        if (b->s[i].twin >= 0 && b->s[b->s[i].twin].twin != i) b->s[i].twin = -1;
}

static void name_corridors(fc_nb *b, const char *prefix)
{
    int next_number = 1;
    for (int k = 0; k < b->nc; k++) {
        fc_nb_corridor *c = &b->c[k];
        const fc_nb_sensor *first = &b->s[c->s[0]], *last = &b->s[c->s[c->n - 1]];
        if (b->has_dir) snprintf(c->dir, sizeof c->dir, "%s", first->dir);
        else snprintf(c->dir, sizeof c->dir, "%s", bound_of(bearing(first, last)));
        if (b->has_road) {
            snprintf(c->road, sizeof c->road, "%s", first->road);
            continue;
        }
        /* the corridor's number: its opposite carriageway's if most of its stations are twins */
        int votes = 0, other = -1;
        for (int p = 0; p < c->n; p++) {
            int t = b->s[c->s[p]].twin;
            if (t >= 0 && b->s[t].corridor < k) votes++, other = b->s[t].corridor;
        }
        c->number = votes * 2 >= c->n && other >= 0 ? b->c[other].number : next_number++;
        snprintf(c->road, sizeof c->road, "%.20s %d", prefix, c->number);
    }
}

static void mileposts_from_graph(fc_nb *b)
{
    for (int k = 0; k < b->nc; k++) {
        fc_nb_corridor *c = &b->c[k];
        double m = 0;
        for (int p = 0; p < c->n; p++) {
            if (p) m += dist(b, c->s[p - 1], c->s[p]) / M_PER_MI;
            b->s[c->s[p]].postmile = round(m * 100) / 100;
        }
    }
}

/* ---- output ---- */
static cJSON *network_json(fc_nb *b, const char *id, const char *name, const char *tz, int interval_s)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", "flowcast.network/1");
    cJSON_AddStringToObject(doc, "id", id);
    if (name) cJSON_AddStringToObject(doc, "name", name);
    cJSON_AddStringToObject(doc, "timezone", tz);
    cJSON_AddNumberToObject(doc, "interval_s", interval_s);
    cJSON *sensors = cJSON_AddArrayToObject(doc, "sensors");
    for (int i = 0; i < b->n; i++) {
        const fc_nb_sensor *s = &b->s[i];
        const fc_nb_corridor *c = s->corridor >= 0 ? &b->c[s->corridor] : NULL;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", s->id);
        cJSON_AddNumberToObject(o, "lat", s->lat);
        cJSON_AddNumberToObject(o, "lon", s->lon);
        cJSON_AddStringToObject(o, "road", s->road ? s->road : c ? c->road : "unassigned");
        cJSON_AddStringToObject(o, "direction", s->dir ? s->dir : c ? c->dir : "unknown");
        cJSON_AddNumberToObject(o, "milepost", s->postmile);
        cJSON_AddNumberToObject(o, "lanes", s->lanes);
        cJSON_AddNumberToObject(o, "speed_limit_mph", s->limit);
        if (s->twin >= 0) cJSON_AddStringToObject(o, "twin", b->s[s->twin].id);
        if (s->label) cJSON_AddStringToObject(o, "label", s->label);
        if (s->place) cJSON_AddStringToObject(o, "place", s->place);
        cJSON_AddItemToArray(sensors, o);
    }
    cJSON *cors = cJSON_AddArrayToObject(doc, "corridors");
    for (int k = 0; k < b->nc; k++) {
        const fc_nb_corridor *c = &b->c[k];
        cJSON *o = cJSON_CreateObject();
        char cid[FC_ID_MAX + 1], *w = cid;
        for (const char *r = c->road; *r && w < cid + 40; r++)
            if ((*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9')) *w++ = *r;
        snprintf(w, sizeof cid - (w - cid), "-%.15s", c->dir);
        for (char *q = w + 1; *q; q++)
            if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-", *q)) *q = '_';
        cJSON_AddStringToObject(o, "id", cid);
        cJSON_AddStringToObject(o, "road", c->road);
        cJSON_AddStringToObject(o, "direction", c->dir);
        if (c->loop) cJSON_AddTrueToObject(o, "loop");
        cJSON_AddItemToObject(o, "sensors", id_list(b, c->s, c->n));
        cJSON_AddItemToArray(cors, o);
    }
    return doc;
}

/* Corridor ids must be unique: a second "Road1-NB" (one road and direction cut in two by a gap
 * in the graph) becomes "Road1-NB.2". */
static void unique_corridor_ids(cJSON *doc)
{
    cJSON *cors = cJSON_GetObjectItem(doc, "corridors");
    int n = cJSON_GetArraySize(cors);
    for (int k = 1; k < n; k++) {
        cJSON *id = cJSON_GetObjectItem(cJSON_GetArrayItem(cors, k), "id");
        int dup = 0;
        for (int j = 0; j < k; j++)
            if (!strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(cors, j), "id")->valuestring, id->valuestring)) dup++;
        if (dup) {
            char buf[FC_ID_MAX + 8]; /* room for the suffix; the id rule (63) is the engine's to check */
            snprintf(buf, sizeof buf, "%.55s.%d", id->valuestring, (dup + 1) % 1000000);
            cJSON_SetValuestring(id, buf);
        }
    }
}

void fc_nb_init(fc_nb *b)
{
    memset(b, 0, sizeof *b);
    b->report = cJSON_CreateObject();
    cJSON_AddArrayToObject(b->report, "ignored_columns");
    b->isolated = cJSON_CreateArray();
    b->branches = cJSON_CreateArray();
    b->merges = cJSON_CreateArray();
    b->derived = cJSON_CreateArray();
    b->assumed = cJSON_CreateArray();
}

char *fc_nb_build(fc_nb *b, const fc_nb_options *o)
{
    int graph = b->dist != NULL;
    int *next = malloc((b->n ? b->n : 1) * sizeof(int));
    if (!next) fc_tool_die("out of memory");
    if (graph) chain_from_graph(b, next);
    else chain_from_table(b, next);
    make_corridors(b, next);
    free(next);
    if (!graph) detect_table_loops(b);
    for (int k = 0; k < b->nc; k++)
        for (int p = 0; p < b->c[k].n; p++) b->s[b->c[k].s[p]].corridor = k, b->s[b->c[k].s[p]].pos = p;
    pair_twins(b);
    name_corridors(b, o->road_prefix ? o->road_prefix : "Corridor");
    if (graph) cJSON_AddItemToArray(b->derived, cJSON_CreateString("corridors: chains of the nearest downstream neighbour along the road in the directed graph"));
    else cJSON_AddItemToArray(b->derived, cJSON_CreateString("corridors: sensors of one road and direction in postmile order"));
    if (!b->has_dir) cJSON_AddItemToArray(b->derived, cJSON_CreateString("direction: NB/EB/SB/WB from the heading of each corridor's first to last sensor"));
    if (!b->has_road) {
        char msg[128];
        snprintf(msg, sizeof msg, "road: \"%.20s N\", numbered, opposite carriageways sharing a number (no road names in the table)", o->road_prefix ? o->road_prefix : "Corridor");
        cJSON_AddItemToArray(b->derived, cJSON_CreateString(msg));
    }
    if (!b->has_pm) {
        if (!graph) fc_tool_die("internal: table mode without postmiles");
        mileposts_from_graph(b);
        cJSON_AddItemToArray(b->derived, cJSON_CreateString("milepost: road distance from the corridor's first sensor, miles"));
    }
    cJSON_AddItemToArray(b->derived, cJSON_CreateString("twin: the nearest sensor of the opposite carriageway within 250 m"));

    cJSON *doc = network_json(b, o->id, o->name, o->timezone, o->interval_s);
    unique_corridor_ids(doc);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    fc_network *net = NULL;
    char msg[512];
    fc_status st = fc_network_parse(text, strlen(text), &net, msg, sizeof msg);
    if (st) fc_tool_die("the built network is not valid (%s): %s", fc_status_name(st), msg);
    fc_network_free(net);

    int in_corr = 0, n_twins = 0, loops = 0;
    for (int i = 0; i < b->n; i++) in_corr += b->s[i].corridor >= 0, n_twins += b->s[i].twin >= 0;
    for (int k = 0; k < b->nc; k++) loops += b->c[k].loop;
    cJSON_AddNumberToObject(b->report, "sensors", b->n);
    cJSON_AddNumberToObject(b->report, "corridors", b->nc);
    cJSON_AddNumberToObject(b->report, "in_corridors", in_corr);
    cJSON_AddNumberToObject(b->report, "loops", loops);
    cJSON_AddNumberToObject(b->report, "twins", n_twins);
    cJSON_AddItemToObject(b->report, "not_in_corridors", b->isolated);
    cJSON_AddItemToObject(b->report, "branches", b->branches);
    cJSON_AddItemToObject(b->report, "merges", b->merges);
    cJSON_AddItemToObject(b->report, "derived", b->derived);
    cJSON_AddItemToObject(b->report, "assumed", b->assumed);
    return text;
}

void fc_nb_print_summary(const fc_nb *b, const char *tool, const char *out)
{
    int num = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(b->report, "in_corridors"));
    int loops = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(b->report, "loops"));
    int twins = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(b->report, "twins"));
    fprintf(stderr, "%s: %d sensors, %d in %d corridors (%d loops), %d not in a corridor, %d branches, %d merges, %d twins -> %s\n",
            tool, b->n, num, b->nc, loops, cJSON_GetArraySize(b->isolated), cJSON_GetArraySize(b->branches), cJSON_GetArraySize(b->merges), twins, out);
    for (const cJSON *d = b->derived->child; d; d = d->next) fprintf(stderr, "  derived: %s\n", d->valuestring);
    for (const cJSON *d = b->assumed->child; d; d = d->next) fprintf(stderr, "  assumed: %s\n", d->valuestring);
}
