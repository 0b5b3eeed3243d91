/* network.c — loads a flowcast.network/1 document into an fc_network, validating every field
 * before anything is kept, so a bad file never yields a half-built network. */
#include "network.h"
#include "status.h"
#include "jsonutil.h"
#include "utf8.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    fc_network *net;
    char *msg;
    size_t msg_cap;
} loader;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void fc_network_free(fc_network *net)
{
    if (!net) return;
    for (uint32_t i = 0; i < net->n_sensors; i++) {
        if (net->sensor_id) free(net->sensor_id[i]);
        if (net->road) free(net->road[i]);
        if (net->direction) free(net->direction[i]);
        if (net->label) free(net->label[i]);
    }
    free(net->sensor_id); free(net->lat); free(net->lon); free(net->milepost);
    free(net->speed_limit_mph); free(net->lanes); free(net->road); free(net->direction);
    free(net->label); free(net->twin); free(net->corridor); free(net->corridor_pos);
    for (uint32_t j = 0; j < net->n_corridors; j++) {
        fc_corridor *c = &net->corridors[j];
        free(c->id); free(c->road); free(c->direction); free(c->sensors); free(c->geometry);
    }
    free(net->corridors);
    for (uint32_t k = 0; k < net->n_connections; k++) free(net->connections[k].name);
    free(net->connections);
    fc_idmap_free(&net->ids);
    free(net->name);
    free(net);
}

static long find_sensor(const fc_network *net, const cJSON *v)
{
    if (!v || !cJSON_IsString(v)) return -1;
    return fc_idmap_find(&net->ids, v->valuestring, strlen(v->valuestring));
}

/* ---- optional place words (exit numbers, place names, local corridor names, named places) ----
 * Checked here and not kept: nothing in the engine reads them, and the page takes them from the
 * same document, so a file the engine loaded never shows the page a name it would refuse. */

#define FC_NAME_MAX 63      /* longest place, alias or corridor name, bytes */
#define FC_EXIT_MAX 7       /* longest exit number ("19B", "246A") */
#define FC_MAX_PLACES 4096u
#define FC_MAX_ALIASES 16
#define FC_MAX_PLACE_SENSORS 64 /* every carriageway at an interchange, with room to spare */

/* An exit number as signs show it: a digit, then digits, letters or '-' ("255", "19B", "1-A"). */
static int is_exit_number(const cJSON *v)
{
    if (!fc_json_is_text(v, FC_EXIT_MAX) || v->valuestring[0] < '0' || v->valuestring[0] > '9') return 0;
    for (const char *p = v->valuestring; *p; p++) {
        char c = *p;
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) return 0;
    }
    return 1;
}

/* ASCII case-insensitive equality: place names are searched without regard to case, so two
 * places that differ only in case could never be told apart. */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a, y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

enum { S_ID, S_LAT, S_LON, S_ROAD, S_DIR, S_MP, S_LANES, S_LIMIT, S_TWIN, S_LABEL, S_EXIT, S_PLACE, S_N };
static const char *const k_sensor_keys[S_N] = {
    "id", "lat", "lon", "road", "direction", "milepost", "lanes", "speed_limit_mph", "twin",
    "label", "exit", "place"};

static fc_status load_sensor(loader *ld, const cJSON *s, uint32_t i)
{
    fc_network *net = ld->net;
    const cJSON *f[S_N];
    if (!cJSON_IsObject(s)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u]: must be an object", i);
    int dup = fc_json_members(s, k_sensor_keys, S_N, f);
    if (dup >= 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u]: duplicate key \"%s\"", i, k_sensor_keys[dup]);
    if (!fc_json_is_id(f[S_ID], FC_ID_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].id: must be 1..%d characters of [A-Za-z0-9._:-]", i, FC_ID_MAX);
    if (!fc_json_is_finite_number(f[S_LAT]) || fabs(f[S_LAT]->valuedouble) > 90)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].lat: must be a number in [-90, 90]", i);
    if (!fc_json_is_finite_number(f[S_LON]) || fabs(f[S_LON]->valuedouble) > 180)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].lon: must be a number in [-180, 180]", i);
    if (!fc_json_is_text(f[S_ROAD], 31))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].road: must be a string of 1..31 bytes", i);
    if (!fc_json_is_text(f[S_DIR], 15))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].direction: must be a string of 1..15 bytes", i);
    if (!fc_json_is_finite_number(f[S_MP]) || fabs(f[S_MP]->valuedouble) > 10000)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].milepost: must be a number in [-10000, 10000]", i);
    if (!fc_json_is_int_in(f[S_LANES], 1, 16))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].lanes: must be an integer in [1, 16]", i);
    if (!fc_json_is_finite_number(f[S_LIMIT]) || f[S_LIMIT]->valuedouble < 5 || f[S_LIMIT]->valuedouble > 100)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].speed_limit_mph: must be a number in [5, 100]", i);
    if (f[S_TWIN] && !cJSON_IsNull(f[S_TWIN]) && !fc_json_is_id(f[S_TWIN], FC_ID_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].twin: must be a sensor id", i);
    if (f[S_LABEL] && !cJSON_IsNull(f[S_LABEL]) && !fc_json_is_text(f[S_LABEL], 255))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].label: must be a string of 1..255 bytes", i);
    if (f[S_EXIT] && !is_exit_number(f[S_EXIT]))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].exit: must be an exit number of 1..%d characters (a digit, then digits, letters or '-')", i, FC_EXIT_MAX);
    if (f[S_PLACE] && !fc_json_is_display_text(f[S_PLACE], FC_NAME_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].place: must be text of 1..%d bytes without control characters", i, FC_NAME_MAX);

    net->sensor_id[i] = dup_str(f[S_ID]->valuestring);
    net->road[i] = dup_str(f[S_ROAD]->valuestring);
    net->direction[i] = dup_str(f[S_DIR]->valuestring);
    if (f[S_LABEL] && cJSON_IsString(f[S_LABEL])) net->label[i] = dup_str(f[S_LABEL]->valuestring);
    if (!net->sensor_id[i] || !net->road[i] || !net->direction[i] ||
        (f[S_LABEL] && cJSON_IsString(f[S_LABEL]) && !net->label[i]))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory loading sensors[%u]", i);
    net->lat[i] = f[S_LAT]->valuedouble;
    net->lon[i] = f[S_LON]->valuedouble;
    net->milepost[i] = (float)f[S_MP]->valuedouble;
    net->lanes[i] = (uint8_t)f[S_LANES]->valueint;
    net->speed_limit_mph[i] = (float)f[S_LIMIT]->valuedouble;
    return FC_OK;
}

static fc_status load_sensors(loader *ld, const cJSON *arr)
{
    fc_network *net = ld->net;
    if (!cJSON_IsArray(arr)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors: must be an array");
    int n = cJSON_GetArraySize(arr);
    if (n < 1 || (uint32_t)n > FC_MAX_SENSORS)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors: must hold 1..%u sensors", FC_MAX_SENSORS);
    net->n_sensors = (uint32_t)n;
    net->sensor_id = calloc(n, sizeof(char *));
    net->road = calloc(n, sizeof(char *));
    net->direction = calloc(n, sizeof(char *));
    net->label = calloc(n, sizeof(char *));
    net->lat = calloc(n, sizeof(double));
    net->lon = calloc(n, sizeof(double));
    net->milepost = calloc(n, sizeof(float));
    net->speed_limit_mph = calloc(n, sizeof(float));
    net->lanes = calloc(n, 1);
    net->twin = malloc(n * sizeof(int32_t));
    net->corridor = malloc(n * sizeof(int32_t));
    net->corridor_pos = malloc(n * sizeof(int32_t));
    if (!net->sensor_id || !net->road || !net->direction || !net->label || !net->lat ||
        !net->lon || !net->milepost || !net->speed_limit_mph || !net->lanes || !net->twin ||
        !net->corridor || !net->corridor_pos)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for %d sensors", n);
    uint32_t i = 0;
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        fc_status st = load_sensor(ld, s, i);
        if (st) return st;
        net->twin[i] = net->corridor[i] = net->corridor_pos[i] = -1;
    }
    long r = fc_idmap_build(&net->ids, (const char *const *)net->sensor_id, net->n_sensors);
    if (r < 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory indexing sensor ids");
    if (r > 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%ld].id: duplicate id \"%s\"", r - 1, net->sensor_id[r - 1]);
    /* twins need the id index, so they resolve in a second pass */
    i = 0;
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "twin");
        if (!t || cJSON_IsNull(t)) continue;
        long k = find_sensor(net, t);
        if (k < 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].twin: unknown sensor \"%s\"", i, t->valuestring);
        if ((uint32_t)k == i) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors[%u].twin: a sensor cannot be its own twin", i);
        net->twin[i] = (int32_t)k;
    }
    return FC_OK;
}

enum { C_ID, C_ROAD, C_DIR, C_LOOP, C_SENSORS, C_GEOM, C_NAME, C_N };
static const char *const k_corridor_keys[C_N] = {"id", "road", "direction", "loop", "sensors", "geometry", "name"};

static fc_status load_geometry(loader *ld, const cJSON *g, uint32_t j, fc_corridor *c)
{
    if (!g || cJSON_IsNull(g)) return FC_OK;
    if (!cJSON_IsArray(g)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].geometry: must be an array of [lat, lon]", j);
    int n = cJSON_GetArraySize(g);
    c->geometry = malloc((size_t)(n ? n : 1) * 2 * sizeof(double));
    if (!c->geometry) return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for corridors[%u].geometry", j);
    uint32_t k = 0;
    for (const cJSON *p = g->child; p; p = p->next, k++) {
        const cJSON *la = cJSON_IsArray(p) ? p->child : NULL, *lo = la ? la->next : NULL;
        if (!fc_json_is_finite_number(la) || !fc_json_is_finite_number(lo) || lo->next ||
            fabs(la->valuedouble) > 90 || fabs(lo->valuedouble) > 180)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].geometry[%u]: must be [lat, lon] in degrees", j, k);
        c->geometry[2 * k] = la->valuedouble;
        c->geometry[2 * k + 1] = lo->valuedouble;
    }
    c->n_points = k;
    return FC_OK;
}

static fc_status load_corridor(loader *ld, const cJSON *o, uint32_t j)
{
    fc_network *net = ld->net;
    fc_corridor *c = &net->corridors[j];
    const cJSON *f[C_N];
    if (!cJSON_IsObject(o)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u]: must be an object", j);
    int dup = fc_json_members(o, k_corridor_keys, C_N, f);
    if (dup >= 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u]: duplicate key \"%s\"", j, k_corridor_keys[dup]);
    if (!fc_json_is_id(f[C_ID], FC_ID_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].id: must be 1..%d characters of [A-Za-z0-9._:-]", j, FC_ID_MAX);
    for (uint32_t k = 0; k < j; k++)
        if (strcmp(net->corridors[k].id, f[C_ID]->valuestring) == 0)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].id: duplicate id \"%s\"", j, f[C_ID]->valuestring);
    if (!fc_json_is_text(f[C_ROAD], 31)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].road: must be a string of 1..31 bytes", j);
    if (!fc_json_is_text(f[C_DIR], 15)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].direction: must be a string of 1..15 bytes", j);
    if (f[C_LOOP] && !cJSON_IsBool(f[C_LOOP])) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].loop: must be true or false", j);
    if (f[C_NAME] && !fc_json_is_display_text(f[C_NAME], FC_NAME_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].name: must be text of 1..%d bytes without control characters", j, FC_NAME_MAX);
    if (!cJSON_IsArray(f[C_SENSORS]) || cJSON_GetArraySize(f[C_SENSORS]) < 1)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].sensors: must be a non-empty array of sensor ids", j);
    c->id = dup_str(f[C_ID]->valuestring);
    c->road = dup_str(f[C_ROAD]->valuestring);
    c->direction = dup_str(f[C_DIR]->valuestring);
    c->loop = f[C_LOOP] && cJSON_IsTrue(f[C_LOOP]);
    int n = cJSON_GetArraySize(f[C_SENSORS]);
    c->sensors = malloc((size_t)n * sizeof(uint32_t));
    if (!c->id || !c->road || !c->direction || !c->sensors)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for corridors[%u]", j);
    uint32_t k = 0;
    for (const cJSON *s = f[C_SENSORS]->child; s; s = s->next, k++) {
        long idx = find_sensor(net, s);
        if (idx < 0)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].sensors[%u]: unknown sensor \"%s\"", j, k,
                        cJSON_IsString(s) ? s->valuestring : "(not a string)");
        if (net->corridor[idx] >= 0)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors[%u].sensors[%u]: sensor \"%s\" is already in corridors[%d]",
                        j, k, s->valuestring, net->corridor[idx]);
        net->corridor[idx] = (int32_t)j;
        net->corridor_pos[idx] = (int32_t)k;
        c->sensors[k] = (uint32_t)idx;
    }
    c->n_sensors = k;
    return load_geometry(ld, f[C_GEOM], j, c);
}

static fc_status load_corridors(loader *ld, const cJSON *arr)
{
    fc_network *net = ld->net;
    if (!arr || cJSON_IsNull(arr)) return FC_OK;
    if (!cJSON_IsArray(arr)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "corridors: must be an array");
    int n = cJSON_GetArraySize(arr);
    net->corridors = calloc(n ? n : 1, sizeof(fc_corridor));
    if (!net->corridors) return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for corridors");
    net->n_corridors = 0;
    for (const cJSON *o = arr->child; o; o = o->next) {
        /* count first so fc_network_free() frees a partly loaded corridor */
        fc_status st = load_corridor(ld, o, net->n_corridors++);
        if (st) return st;
    }
    return FC_OK;
}

enum { K_FROM, K_TO, K_LEN, K_NAME, K_N };
static const char *const k_conn_keys[K_N] = {"from", "to", "length_mi", "name"};

static fc_status load_connections(loader *ld, const cJSON *arr)
{
    fc_network *net = ld->net;
    if (!arr || cJSON_IsNull(arr)) return FC_OK;
    if (!cJSON_IsArray(arr)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections: must be an array");
    int n = cJSON_GetArraySize(arr);
    net->connections = calloc(n ? n : 1, sizeof(fc_connection));
    if (!net->connections) return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for connections");
    uint32_t k = 0;
    for (const cJSON *o = arr->child; o; o = o->next, k++) {
        const cJSON *f[K_N];
        net->n_connections = k + 1;
        if (!cJSON_IsObject(o)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u]: must be an object", k);
        int dup = fc_json_members(o, k_conn_keys, K_N, f);
        if (dup >= 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u]: duplicate key \"%s\"", k, k_conn_keys[dup]);
        long from = find_sensor(net, f[K_FROM]), to = find_sensor(net, f[K_TO]);
        if (from < 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u].from: must be a known sensor id", k);
        if (to < 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u].to: must be a known sensor id", k);
        if (from == to) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u]: from and to are the same sensor", k);
        if (f[K_LEN] && (!fc_json_is_finite_number(f[K_LEN]) || f[K_LEN]->valuedouble <= 0 || f[K_LEN]->valuedouble > 100))
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u].length_mi: must be a number in (0, 100]", k);
        if (f[K_NAME] && !fc_json_is_text(f[K_NAME], 255))
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "connections[%u].name: must be a string of 1..255 bytes", k);
        fc_connection *c = &net->connections[k];
        c->from = (uint32_t)from;
        c->to = (uint32_t)to;
        c->length_mi = f[K_LEN] ? (float)f[K_LEN]->valuedouble : 0.0f;
        if (f[K_NAME] && !(c->name = dup_str(f[K_NAME]->valuestring)))
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory for connections[%u]", k);
    }
    return FC_OK;
}

enum { P_NAME, P_ALIASES, P_SENSORS, P_N };
static const char *const k_place_keys[P_N] = {"name", "aliases", "sensors"};

static fc_status check_place(loader *ld, const cJSON *o, uint32_t p)
{
    const cJSON *f[P_N];
    if (!cJSON_IsObject(o)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u]: must be an object", p);
    int dup = fc_json_members(o, k_place_keys, P_N, f);
    if (dup >= 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u]: duplicate key \"%s\"", p, k_place_keys[dup]);
    if (!fc_json_is_display_text(f[P_NAME], FC_NAME_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].name: must be text of 1..%d bytes without control characters", p, FC_NAME_MAX);
    if (f[P_ALIASES]) {
        if (!cJSON_IsArray(f[P_ALIASES]) || cJSON_GetArraySize(f[P_ALIASES]) > FC_MAX_ALIASES)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].aliases: must be an array of at most %d names", p, FC_MAX_ALIASES);
        uint32_t a = 0;
        for (const cJSON *v = f[P_ALIASES]->child; v; v = v->next, a++)
            if (!fc_json_is_display_text(v, FC_NAME_MAX))
                return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].aliases[%u]: must be text of 1..%d bytes without control characters", p, a, FC_NAME_MAX);
    }
    const cJSON *ss = f[P_SENSORS];
    if (!cJSON_IsArray(ss) || cJSON_GetArraySize(ss) < 1 || cJSON_GetArraySize(ss) > FC_MAX_PLACE_SENSORS)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].sensors: must be an array of 1..%d sensor ids", p, FC_MAX_PLACE_SENSORS);
    uint32_t k = 0;
    for (const cJSON *s = ss->child; s; s = s->next, k++) {
        if (find_sensor(ld->net, s) < 0)
            return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].sensors[%u]: unknown sensor \"%s\"", p, k,
                        cJSON_IsString(s) ? s->valuestring : "(not a string)");
        for (const cJSON *t = ss->child; t != s; t = t->next)
            if (strcmp(t->valuestring, s->valuestring) == 0)
                return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].sensors[%u]: sensor \"%s\" is listed twice", p, k, s->valuestring);
    }
    return FC_OK;
}

/* Named places (interchanges, landmarks) for search: validated, not kept (see above). */
static fc_status check_places(loader *ld, const cJSON *arr)
{
    if (!arr || cJSON_IsNull(arr)) return FC_OK;
    if (!cJSON_IsArray(arr) || (uint32_t)cJSON_GetArraySize(arr) > FC_MAX_PLACES)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places: must be an array of at most %u places", FC_MAX_PLACES);
    uint32_t p = 0;
    for (const cJSON *o = arr->child; o; o = o->next, p++) {
        fc_status st = check_place(ld, o, p);
        if (st) return st;
        const char *name = cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring;
        uint32_t q = 0;
        for (const cJSON *e = arr->child; e != o; e = e->next, q++)
            if (same_name(cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring, name))
                return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "places[%u].name: \"%s\" is already places[%u] (names differ by more than case)", p, name, q);
    }
    return FC_OK;
}

enum { N_SCHEMA, N_ID, N_NAME, N_TZ, N_INTERVAL, N_SENSORS, N_CORRIDORS, N_CONNECTIONS, N_PLACES, N_SIMULATED, N_N };
static const char *const k_net_keys[N_N] = {"schema", "id", "name", "timezone", "interval_s",
                                            "sensors", "corridors", "connections", "places", "simulated"};

static fc_status load_document(loader *ld, const cJSON *root)
{
    fc_network *net = ld->net;
    const cJSON *f[N_N];
    if (!cJSON_IsObject(root)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "network: must be a JSON object");
    int dup = fc_json_members(root, k_net_keys, N_N, f);
    if (dup >= 0) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "network: duplicate key \"%s\"", k_net_keys[dup]);
    if (!f[N_SCHEMA] || !cJSON_IsString(f[N_SCHEMA]) || strcmp(f[N_SCHEMA]->valuestring, "flowcast.network/1") != 0)
        return fc_fail(ld->msg, ld->msg_cap, FC_E_SCHEMA, "schema: must be \"flowcast.network/1\"");
    if (!fc_json_is_id(f[N_ID], FC_ID_MAX))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "id: must be 1..%d characters of [A-Za-z0-9._:-]", FC_ID_MAX);
    memcpy(net->id, f[N_ID]->valuestring, strlen(f[N_ID]->valuestring) + 1);
    if (f[N_NAME] && !cJSON_IsNull(f[N_NAME])) {
        if (!fc_json_is_text(f[N_NAME], 255)) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "name: must be a string of 1..255 bytes");
        if (!(net->name = dup_str(f[N_NAME]->valuestring))) return fc_fail(ld->msg, ld->msg_cap, FC_E_NOMEM, "out of memory");
    }
    /* pages tell commuters the data is not live traffic: only a real boolean may say so */
    if (f[N_SIMULATED] && !cJSON_IsBool(f[N_SIMULATED]))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "simulated: must be true or false");
    if (!fc_json_is_text(f[N_TZ], sizeof net->tz_name - 1))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "timezone: must be an IANA name or POSIX TZ rule");
    const char *tzs = f[N_TZ]->valuestring;
    if (fc_tz_parse(tzs, strlen(tzs), &net->tz))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_TIMEZONE, "timezone: unknown zone or invalid rule \"%s\"", tzs);
    memcpy(net->tz_name, tzs, strlen(tzs) + 1);
    if (!fc_json_is_int_in(f[N_INTERVAL], 10, 3600))
        return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "interval_s: must be an integer in [10, 3600]");
    net->interval_s = (uint32_t)f[N_INTERVAL]->valueint;
    if (!f[N_SENSORS]) return fc_fail(ld->msg, ld->msg_cap, FC_E_NETWORK, "sensors: missing");
    fc_status st = load_sensors(ld, f[N_SENSORS]);
    if (!st) st = load_corridors(ld, f[N_CORRIDORS]);
    if (!st) st = load_connections(ld, f[N_CONNECTIONS]);
    if (!st) st = check_places(ld, f[N_PLACES]);
    return st;
}

fc_status fc_network_parse(const char *json, size_t len, fc_network **out, char *msg, size_t msg_cap)
{
    loader ld = {NULL, msg, msg_cap};
    size_t bad = fc_utf8_check((const unsigned char *)json, len);
    if (bad != len) return fc_fail(ld.msg, ld.msg_cap, FC_E_ENCODING, "network: invalid UTF-8 or control byte at offset %zu", bad);
    size_t off;
    char why[160];
    cJSON *root = fc_json_parse(json, len, &off, why, sizeof why);
    if (!root) return fc_fail(ld.msg, ld.msg_cap, FC_E_JSON, "network: malformed JSON near offset %zu%s", off, why);
    ld.net = calloc(1, sizeof *ld.net);
    fc_status st = ld.net ? load_document(&ld, root) : fc_fail(ld.msg, ld.msg_cap, FC_E_NOMEM, "out of memory");
    cJSON_Delete(root);
    if (st) {
        fc_network_free(ld.net);
        return st;
    }
    *out = ld.net;
    return FC_OK;
}
