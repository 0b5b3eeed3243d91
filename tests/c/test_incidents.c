/* test_incidents.c — flowcast.incidents/1: the canonical form of a valid document, and one
 * refusal per kind of bad input, each with its code, a message naming the field, and the
 * engine's state unchanged. */
#include "test.h"
#include <stdlib.h>

static const char *const k_doc =
    "{\"schema\":\"flowcast.incidents/1\",\"network\":\"test-net\",\"ts\":\"2026-11-24T08:00:00-05:00\","
    "\"future_field\":1,\"incidents\":["
    "{\"id\":\"i-1\",\"kind\":\"crash\",\"sensor\":\"B\",\"lanes_blocked\":2,"
    "\"start\":\"2026-11-24T07:40:00-05:00\",\"end\":\"2026-11-24T08:45:00-05:00\","
    "\"description\":\"crash \\\"near\\\" the ramp \\u2014 2 of 4 lanes\"},"
    "{\"id\":\"i-2\",\"kind\":\"stalled_vehicle\",\"sensor\":\"C\",\"lanes_blocked\":0,\"lanes\":5,"
    "\"start\":\"2026-11-24T12:55:00Z\",\"end\":null}]}";

static char *replace(const char *from, const char *to)
{
    const char *at = strstr(k_doc, from);
    if (!at) {
        printf("#   mutate: \"%s\" not in fixture\n", from);
        return NULL;
    }
    size_t pre = (size_t)(at - k_doc), n = strlen(k_doc) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    memcpy(out, k_doc, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

void test_incidents_valid(void)
{
    fc_engine *e = fc_test_engine();
    if (!e) return;
    char out[2048];
    size_t n = 0;
    CHECK_STATUS(fc_engine_incidents(e, k_doc, strlen(k_doc), 0, out, sizeof out, &n), FC_OK);
    CHECK_EQ_INT(n, strlen(out));
    CHECK(strcmp(out,
                 "{\"schema\":\"flowcast.incidents/1\",\"network\":\"test-net\",\"ts\":\"2026-11-24T08:00:00-05:00\","
                 "\"incidents\":[{\"id\":\"i-1\",\"kind\":\"crash\",\"sensor\":\"B\",\"lanes_blocked\":2,\"lanes\":4,"
                 "\"start\":\"2026-11-24T07:40:00-05:00\",\"end\":\"2026-11-24T08:45:00-05:00\","
                 "\"description\":\"crash \\\"near\\\" the ramp \xe2\x80\x94 2 of 4 lanes\"},"
                 "{\"id\":\"i-2\",\"kind\":\"stalled_vehicle\",\"sensor\":\"C\",\"lanes_blocked\":0,\"lanes\":5,"
                 "\"start\":\"2026-11-24T12:55:00Z\",\"end\":null}]}") == 0);
    /* the canonical form is a fixed point */
    char again[2048];
    size_t m = 0;
    CHECK_STATUS(fc_engine_incidents(e, out, n, 0, again, sizeof again, &m), FC_OK);
    CHECK(m == n && strcmp(again, out) == 0);
    /* decoded: indices and Unix ms for a JavaScript caller */
    CHECK_STATUS(fc_engine_incidents(e, k_doc, strlen(k_doc), FC_INCIDENTS_DECODED, out, sizeof out, &n), FC_OK);
    CHECK_CONTAINS(out, "\"ts_ms\":1795525200000");
    CHECK_CONTAINS(out, "\"sensor_index\":1,\"start_ms\":1795524000000,\"end_ms\":1795527900000}");
    CHECK_CONTAINS(out, "\"sensor_index\":2,\"start_ms\":1795524900000,\"end_ms\":null}");
    /* too small a buffer says how much it needs */
    CHECK_STATUS(fc_engine_incidents(e, k_doc, strlen(k_doc), 0, out, 10, &n), FC_E_ARG);
    CHECK(n > 10);
    /* an empty list is a valid answer: nothing is happening */
    const char *none = "{\"schema\":\"flowcast.incidents/1\",\"network\":\"test-net\",\"ts\":\"2026-11-24T08:00:00Z\",\"incidents\":[]}";
    CHECK_STATUS(fc_engine_incidents(e, none, strlen(none), 0, out, sizeof out, &n), FC_OK);
    CHECK(strcmp(out, none) == 0);
    fc_engine_destroy(e);
}

static const struct {
    const char *from, *to;
    fc_status want;
    const char *msg;
} k_bad[] = {
    {"flowcast.incidents/1", "flowcast.incidents/2", FC_E_SCHEMA, "schema"},
    {"\"network\":\"test-net\"", "\"network\":\"other\"", FC_E_NETWORK_ID, "network"},
    {"\"ts\":\"2026-11-24T08:00:00-05:00\"", "\"ts\":\"2026-11-24 08:00\"", FC_E_TIMESTAMP, "ts:"},
    {"\"incidents\":[", "\"incidents\":\"none\",\"x\":[", FC_E_FIELD, "incidents: must be an array"},
    {"\"future_field\":1", "\"ts\":\"2026-11-24T08:00:00Z\"", FC_E_FIELD, "duplicate key \"ts\""},
    {"{\"id\":\"i-1\"", "7,{\"id\":\"i-1\"", FC_E_FIELD, "incidents[0]: must be an object"},
    {"\"id\":\"i-2\"", "\"id\":\"i-1\"", FC_E_FIELD, "incidents[1].id: duplicate id \"i-1\""},
    {"\"id\":\"i-2\"", "\"id\":\"i 2\"", FC_E_FIELD, "incidents[1].id"},
    {"\"kind\":\"crash\"", "\"kind\":\"meteor\"", FC_E_FIELD, "incidents[0].kind"},
    {"\"sensor\":\"B\"", "\"sensor\":\"Q\"", FC_E_NOT_FOUND, "incidents[0].sensor: unknown sensor \"Q\""},
    {"\"sensor\":\"B\"", "\"sensor\":3", FC_E_FIELD, "incidents[0].sensor"},
    {"\"lanes_blocked\":2", "\"lanes_blocked\":5", FC_E_RANGE, "incidents[0].lanes_blocked: must be an integer in [0, 4]"},
    {"\"lanes_blocked\":2", "\"lanes_blocked\":1.5", FC_E_RANGE, "incidents[0].lanes_blocked"},
    {"\"lanes_blocked\":2", "\"lanes_blocked\":\"2\"", FC_E_RANGE, "incidents[0].lanes_blocked"},
    {"\"lanes\":5", "\"lanes\":0", FC_E_RANGE, "incidents[1].lanes"},
    {"\"start\":\"2026-11-24T07:40:00-05:00\"", "\"start\":\"yesterday\"", FC_E_TIMESTAMP, "incidents[0].start"},
    {"\"start\":\"2026-11-24T07:40:00-05:00\"", "\"start\":\"2026-11-24T09:40:00-05:00\"", FC_E_RANGE, "incidents[0].start: after the document's ts"},
    {"\"end\":\"2026-11-24T08:45:00-05:00\"", "\"end\":\"2026-11-24T07:40:00-05:00\"", FC_E_RANGE, "incidents[0].end: must be after its start"},
    {"\"end\":null", "\"end\":\"soon\"", FC_E_TIMESTAMP, "incidents[1].end"},
    {"\"description\":\"crash", "\"description\":\"\\u0007crash", FC_E_FIELD, "incidents[0].description"},
    {"\"kind\":\"crash\",", "\"kind\":\"crash\",\"kind\":\"debris\",", FC_E_FIELD, "incidents[0]: duplicate key \"kind\""},
    {"\"incidents\":[", "\"incidents\":[,", FC_E_JSON, "malformed JSON"},
    {"\"lanes\":5", "\"lanes\":05", FC_E_JSON, "05 is not an RFC 8259 number"},
    {"crash \\\"near", "crash \xff\"near", FC_E_ENCODING, "invalid UTF-8"},
};

void test_incidents_invalid(void)
{
    fc_engine *e = fc_test_engine();
    if (!e) return;
    CHECK_STATUS(fc_test_ingest(e, "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\","
                                   "\"ts\":\"2026-11-24T08:00:00Z\",\"readings\":[{\"id\":\"A\",\"speed_mph\":50}]}", NULL), FC_OK);
    uint64_t digest = fc_engine_digest(e);
    char out[2048];
    size_t n;
    for (size_t i = 0; i < sizeof k_bad / sizeof k_bad[0]; i++) {
        char *doc = replace(k_bad[i].from, k_bad[i].to);
        if (!doc) {
            CHECK(0);
            continue;
        }
        out[0] = 'x';
        fc_status st = fc_engine_incidents(e, doc, strlen(doc), 0, out, sizeof out, &n);
        if (st != k_bad[i].want) printf("#   case %zu: %s (%s)\n", i, fc_status_name(st), fc_engine_message(e));
        CHECK_STATUS(st, k_bad[i].want);
        CHECK_CONTAINS(fc_engine_message(e), k_bad[i].msg);
        CHECK(n == 0 && out[0] == 'x'); /* nothing written */
        CHECK(fc_engine_digest(e) == digest);
        free(doc);
    }
    /* a document that is not an object, one over the size limit, too many incidents */
    CHECK_STATUS(fc_engine_incidents(e, "[]", 2, 0, out, sizeof out, &n), FC_E_SCHEMA);
    fc_config cfg;
    fc_config_default(&cfg);
    size_t big_len = cfg.max_payload_bytes + 1;
    char *big = malloc(big_len);
    memset(big, ' ', big_len);
    CHECK_STATUS(fc_engine_incidents(e, big, big_len, 0, out, sizeof out, &n), FC_E_TOO_LARGE);
    free(big);
    size_t cap = 1100 * 120 + 256, len = 0;
    char *many = malloc(cap);
    len += (size_t)sprintf(many, "{\"schema\":\"flowcast.incidents/1\",\"network\":\"test-net\",\"ts\":\"2026-11-24T08:00:00Z\",\"incidents\":[");
    for (int k = 0; k < 1001; k++)
        len += (size_t)sprintf(many + len, "%s{\"id\":\"n%d\",\"kind\":\"debris\",\"sensor\":\"A\",\"lanes_blocked\":0,\"start\":\"2026-11-24T07:00:00Z\"}",
                               k ? "," : "", k);
    len += (size_t)sprintf(many + len, "]}");
    CHECK_STATUS(fc_engine_incidents(e, many, len, 0, out, sizeof out, &n), FC_E_RANGE);
    CHECK_CONTAINS(fc_engine_message(e), "at most 1000");
    free(many);
    CHECK(fc_engine_digest(e) == digest);
    /* no network: a state error, not a crash */
    fc_engine *bare = NULL;
    CHECK_STATUS(fc_engine_create(NULL, &bare), FC_OK);
    CHECK_STATUS(fc_engine_incidents(bare, k_doc, strlen(k_doc), 0, out, sizeof out, &n), FC_E_STATE);
    CHECK_STATUS(fc_engine_incidents(bare, k_doc, strlen(k_doc), 8, out, sizeof out, &n), FC_E_ARG);
    fc_engine_destroy(bare);
    fc_engine_destroy(e);
}
