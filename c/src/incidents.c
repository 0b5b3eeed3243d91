/* incidents.c — parses and validates flowcast.incidents/1 against a network and writes its
 * canonical form (incidents.h). Everything is checked before anything is written, so a refused
 * document produces no output at all. */
#include "incidents.h"
#include "jsonutil.h"
#include "status.h"
#include "timeutil.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a kind says to a commuter is the page's business; which kinds exist is the format's. */
static const char *const k_kinds[] = {"crash", "stalled_vehicle", "debris", "roadwork", "closure", "other"};
#define N_KINDS (sizeof k_kinds / sizeof k_kinds[0])

enum { T_SCHEMA, T_NETWORK, T_TS, T_INCIDENTS, T_N };
static const char *const k_top_keys[T_N] = {"schema", "network", "ts", "incidents"};
enum { I_ID, I_KIND, I_SENSOR, I_BLOCKED, I_LANES, I_START, I_END, I_TEXT, I_N };
static const char *const k_incident_keys[I_N] = {
    "id", "kind", "sensor", "lanes_blocked", "lanes", "start", "end", "description"};

/* One validated incident: pointers into the cJSON tree, which outlives the writing. */
typedef struct incident {
    const char *id, *kind, *start, *end, *text;
    uint32_t sensor;
    int lanes, blocked;
    int64_t start_ms, end_ms; /* end_ms = INT64_MIN when not given */
} incident;

/* A bounded writer that keeps counting past its capacity, so the caller learns the size. */
typedef struct writer {
    char *p;
    size_t cap, len;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->len < w->cap) memcpy(w->p + w->len, s, w->len + n <= w->cap ? n : w->cap - w->len);
    w->len += n;
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

static void putf(writer *w, const char *fmt, long long v)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, fmt, v);
    put(w, buf, (size_t)n);
}

/* A JSON string. Validated text holds no control characters, so only " and \ need escapes. */
static void put_string(writer *w, const char *s)
{
    put(w, "\"", 1);
    for (const char *run = s;; s++) {
        if (*s && *s != '"' && *s != '\\') continue;
        put(w, run, (size_t)(s - run));
        if (!*s) break;
        put(w, "\\", 1);
        run = s;
    }
    put(w, "\"", 1);
}

static int is_timestamp(const cJSON *v, int64_t *ms)
{
    return v && cJSON_IsString(v) && fc_iso8601_parse(v->valuestring, strlen(v->valuestring), ms) == 0;
}

static fc_status check_incident(const fc_network *net, const cJSON *o, uint32_t i, int64_t ts_ms,
                                incident *in, char *msg, size_t cap)
{
    const cJSON *f[I_N];
    if (!cJSON_IsObject(o)) return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u]: must be an object", i);
    int dup = fc_json_members(o, k_incident_keys, I_N, f);
    if (dup >= 0) return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u]: duplicate key \"%s\"", i, k_incident_keys[dup]);
    if (!fc_json_is_id(f[I_ID], FC_ID_MAX))
        return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u].id: must be 1..%d characters of [A-Za-z0-9._:-]", i, FC_ID_MAX);
    in->id = f[I_ID]->valuestring;
    in->kind = NULL;
    for (size_t k = 0; k < N_KINDS && cJSON_IsString(f[I_KIND]); k++)
        if (!strcmp(f[I_KIND]->valuestring, k_kinds[k])) in->kind = k_kinds[k];
    if (!in->kind)
        return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u].kind: must be one of crash, stalled_vehicle, debris, roadwork, closure, other", i);
    if (!f[I_SENSOR] || !cJSON_IsString(f[I_SENSOR]))
        return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u].sensor: must be a sensor id", i);
    long s = fc_idmap_find(&net->ids, f[I_SENSOR]->valuestring, strlen(f[I_SENSOR]->valuestring));
    if (s < 0)
        return fc_fail(msg, cap, FC_E_NOT_FOUND, "incidents[%u].sensor: unknown sensor \"%.*s\"", i, FC_ID_MAX,
                       f[I_SENSOR]->valuestring);
    in->sensor = (uint32_t)s;
    in->lanes = net->lanes[s];
    if (f[I_LANES]) {
        if (!fc_json_is_int_in(f[I_LANES], 1, 16))
            return fc_fail(msg, cap, FC_E_RANGE, "incidents[%u].lanes: must be an integer in [1, 16]", i);
        in->lanes = f[I_LANES]->valueint;
    }
    if (!fc_json_is_int_in(f[I_BLOCKED], 0, in->lanes))
        return fc_fail(msg, cap, FC_E_RANGE, "incidents[%u].lanes_blocked: must be an integer in [0, %d] (the lanes there)", i, in->lanes);
    in->blocked = f[I_BLOCKED]->valueint;
    if (!is_timestamp(f[I_START], &in->start_ms))
        return fc_fail(msg, cap, FC_E_TIMESTAMP, "incidents[%u].start: must be an ISO 8601 timestamp with an offset", i);
    if (in->start_ms > ts_ms)
        return fc_fail(msg, cap, FC_E_RANGE, "incidents[%u].start: after the document's ts (it lists incidents in force then)", i);
    in->start = f[I_START]->valuestring;
    in->end = NULL;
    in->end_ms = INT64_MIN;
    if (f[I_END] && !cJSON_IsNull(f[I_END])) {
        if (!is_timestamp(f[I_END], &in->end_ms))
            return fc_fail(msg, cap, FC_E_TIMESTAMP, "incidents[%u].end: must be an ISO 8601 timestamp with an offset, or null", i);
        if (in->end_ms <= in->start_ms)
            return fc_fail(msg, cap, FC_E_RANGE, "incidents[%u].end: must be after its start", i);
        in->end = f[I_END]->valuestring;
    }
    in->text = NULL;
    if (f[I_TEXT] && !cJSON_IsNull(f[I_TEXT])) {
        if (!fc_json_is_display_text(f[I_TEXT], FC_INCIDENT_TEXT_MAX))
            return fc_fail(msg, cap, FC_E_FIELD, "incidents[%u].description: must be text of 1..%d bytes without control characters", i, FC_INCIDENT_TEXT_MAX);
        in->text = f[I_TEXT]->valuestring;
    }
    return FC_OK;
}

static void write_incident(writer *w, const fc_network *net, const incident *in, int decoded)
{
    puts_(w, "{\"id\":");
    put_string(w, in->id);
    puts_(w, ",\"kind\":");
    put_string(w, in->kind);
    puts_(w, ",\"sensor\":");
    put_string(w, net->sensor_id[in->sensor]);
    putf(w, ",\"lanes_blocked\":%lld", in->blocked);
    putf(w, ",\"lanes\":%lld", in->lanes);
    puts_(w, ",\"start\":");
    put_string(w, in->start);
    puts_(w, ",\"end\":");
    if (in->end) put_string(w, in->end); else puts_(w, "null");
    if (in->text) {
        puts_(w, ",\"description\":");
        put_string(w, in->text);
    }
    if (decoded) {
        putf(w, ",\"sensor_index\":%lld", in->sensor);
        putf(w, ",\"start_ms\":%lld", in->start_ms);
        if (in->end) putf(w, ",\"end_ms\":%lld", in->end_ms); else puts_(w, ",\"end_ms\":null");
    }
    puts_(w, "}");
}

/* Checks every incident into items[], then writes the document. */
static fc_status check_document(const fc_network *net, const cJSON *root, int decoded, writer *w,
                                char *msg, size_t cap)
{
    const cJSON *f[T_N];
    if (!cJSON_IsObject(root)) return fc_fail(msg, cap, FC_E_SCHEMA, "incidents: the document must be an object with a schema");
    int dup = fc_json_members(root, k_top_keys, T_N, f);
    if (dup >= 0) return fc_fail(msg, cap, FC_E_FIELD, "incidents: duplicate key \"%s\"", k_top_keys[dup]);
    if (!f[T_SCHEMA] || !cJSON_IsString(f[T_SCHEMA]) || strcmp(f[T_SCHEMA]->valuestring, "flowcast.incidents/1"))
        return fc_fail(msg, cap, FC_E_SCHEMA, "schema: must be \"flowcast.incidents/1\"");
    if (!f[T_NETWORK] || !cJSON_IsString(f[T_NETWORK]) || strcmp(f[T_NETWORK]->valuestring, net->id))
        return fc_fail(msg, cap, FC_E_NETWORK_ID, "network: must be the loaded network \"%s\"", net->id);
    int64_t ts_ms;
    if (!is_timestamp(f[T_TS], &ts_ms))
        return fc_fail(msg, cap, FC_E_TIMESTAMP, "ts: must be an ISO 8601 timestamp with an offset");
    if (!f[T_INCIDENTS] || !cJSON_IsArray(f[T_INCIDENTS]))
        return fc_fail(msg, cap, FC_E_FIELD, "incidents: must be an array");
    int count = cJSON_GetArraySize(f[T_INCIDENTS]);
    if (count > (int)FC_INCIDENTS_MAX) return fc_fail(msg, cap, FC_E_RANGE, "incidents: at most %u", FC_INCIDENTS_MAX);
    incident *items = malloc((size_t)(count ? count : 1) * sizeof *items);
    if (!items) return fc_fail(msg, cap, FC_E_NOMEM, "incidents: out of memory");
    uint32_t n = 0;
    fc_status st = FC_OK;
    for (const cJSON *o = f[T_INCIDENTS]->child; o && !st; o = o->next, n++) {
        st = check_incident(net, o, n, ts_ms, &items[n], msg, cap);
        /* quadratic, but n <= 1000 and ids are short: well under a millisecond */
        for (uint32_t k = 0; k < n && !st; k++)
            if (!strcmp(items[k].id, items[n].id))
                st = fc_fail(msg, cap, FC_E_FIELD, "incidents[%u].id: duplicate id \"%s\"", n, items[n].id);
    }
    if (st) {
        free(items);
        return st;
    }
    puts_(w, "{\"schema\":\"flowcast.incidents/1\",\"network\":");
    put_string(w, net->id);
    puts_(w, ",\"ts\":");
    put_string(w, f[T_TS]->valuestring);
    if (decoded) putf(w, ",\"ts_ms\":%lld", ts_ms);
    puts_(w, ",\"incidents\":[");
    for (uint32_t k = 0; k < n; k++) {
        if (k) put(w, ",", 1);
        write_incident(w, net, &items[k], decoded);
    }
    puts_(w, "]}");
    free(items);
    return FC_OK;
}

fc_status fc_incidents_parse(const fc_network *net, const char *json, size_t len, size_t max_bytes,
                             int decoded, char *out, size_t cap, size_t *written, char *msg,
                             size_t msg_cap)
{
    *written = 0;
    if (!net) return fc_fail(msg, msg_cap, FC_E_STATE, "incidents: no network loaded");
    if (len > max_bytes)
        return fc_fail(msg, msg_cap, FC_E_TOO_LARGE, "incidents: %zu bytes, more than the limit of %zu", len, max_bytes);
    size_t bad = fc_utf8_check((const unsigned char *)json, len);
    if (bad != len) return fc_fail(msg, msg_cap, FC_E_ENCODING, "incidents: invalid UTF-8 or control byte at offset %zu", bad);
    size_t off;
    char why[160];
    cJSON *root = fc_json_parse(json, len, &off, why, sizeof why);
    if (!root) return fc_fail(msg, msg_cap, FC_E_JSON, "incidents: malformed JSON near offset %zu%s", off, why);
    writer w = {out, cap, 0};
    fc_status st = check_document(net, root, decoded, &w, msg, msg_cap);
    cJSON_Delete(root);
    if (st) return st;
    *written = w.len;
    if (w.len >= cap) return fc_fail(msg, msg_cap, FC_E_ARG, "incidents: the output needs %zu bytes", w.len + 1);
    out[w.len] = '\0';
    return FC_OK;
}
