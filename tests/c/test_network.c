/* test_network.c — loading and validating flowcast.network/1 documents. */
#include "test.h"
#include <stdlib.h>

/* src with the first occurrence of `from` replaced by `to` (caller frees). */
static char *mutate_in(const char *src, const char *from, const char *to)
{
    const char *at = src ? strstr(src, from) : NULL;
    if (!at) {
        printf("#   mutate: \"%s\" not in fixture\n", from);
        return NULL;
    }
    size_t n = strlen(src) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    size_t pre = (size_t)(at - src);
    memcpy(out, src, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

/* The fixture with the first occurrence of `from` replaced by `to` (caller frees). */
static char *mutate(const char *from, const char *to)
{
    return mutate_in(fc_test_network_json, from, to);
}

void test_network_load(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    CHECK_EQ_INT(fc_engine_sensor_count(e), 4);
    CHECK(strcmp(fc_engine_sensor_id(e, 2), "C") == 0);
    CHECK(fc_engine_sensor_id(e, 4) == NULL);
    CHECK_EQ_INT(fc_engine_sensor_index(e, "D", 1), 3);
    CHECK_EQ_INT(fc_engine_sensor_index(e, "E", 1), -1);
    CHECK_EQ_INT(fc_engine_sensor_index(e, "A\0B", 3), -1);
    CHECK(strcmp(fc_engine_network_id(e), "test-net") == 0);
    CHECK_EQ_INT(fc_engine_interval_s(e), 300);
    fc_engine_destroy(e);
}

static const struct {
    const char *from, *to;
    fc_status want;
    const char *msg;
} k_bad_networks[] = {
    {"flowcast.network/1", "flowcast.network/2", FC_E_SCHEMA, "schema"},
    {"\"id\":\"test-net\"", "\"id\":\"bad id\"", FC_E_NETWORK, "id:"},
    {"America/New_York", "Mars/Olympus", FC_E_TIMEZONE, "timezone"},
    {"\"interval_s\":300", "\"interval_s\":0", FC_E_NETWORK, "interval_s"},
    {"\"interval_s\":300", "\"interval_s\":300.5", FC_E_NETWORK, "interval_s"},
    {"\"id\":\"B\"", "\"id\":\"A\"", FC_E_NETWORK, "sensors[1].id: duplicate id \"A\""},
    {"\"lat\":33.61", "\"lat\":91", FC_E_NETWORK, "sensors[1].lat"},
    {"\"lon\":-84.41", "\"lon\":\"x\"", FC_E_NETWORK, "sensors[1].lon"},
    {"\"lanes\":3", "\"lanes\":0", FC_E_NETWORK, "sensors[2].lanes"},
    {"\"speed_limit_mph\":55", "\"speed_limit_mph\":500", FC_E_NETWORK, "sensors[2].speed_limit_mph"},
    {"\"twin\":\"D\"", "\"twin\":\"Z\"", FC_E_NETWORK, "sensors[0].twin: unknown sensor \"Z\""},
    {"\"sensors\":[\"A\",\"B\",\"C\"]", "\"sensors\":[\"A\",\"Q\",\"C\"]", FC_E_NETWORK, "corridors[0].sensors[1]: unknown sensor \"Q\""},
    {"\"sensors\":[\"D\"]", "\"sensors\":[\"A\"]", FC_E_NETWORK, "corridors[1].sensors[0]: sensor \"A\" is already in corridors[0]"},
    {"\"id\":\"I285-CCW\"", "\"id\":\"I285-CW\"", FC_E_NETWORK, "corridors[1].id: duplicate"},
    {"[33.62,-84.42]", "[33.62]", FC_E_NETWORK, "corridors[0].geometry[1]"},
    {"\"to\":\"D\"", "\"to\":\"nope\"", FC_E_NETWORK, "connections[0].to"},
    {"\"length_mi\":0.5", "\"length_mi\":-1", FC_E_NETWORK, "connections[0].length_mi"},
    {"\"name\":\"Test\"", "\"name\":\"Test\",\"name\":\"Again\"", FC_E_NETWORK, "duplicate key \"name\""},
    {"\"name\":\"Test\"", "\"name\":\"Test\",\"simulated\":\"yes\"", FC_E_NETWORK, "simulated: must be true or false"},
    {"\"name\":\"Test\"", "\"name\":\"Test\",\"simulated\":1", FC_E_NETWORK, "simulated: must be true or false"},
    {"\"sensors\":[{", "\"sensors\":[7,{", FC_E_NETWORK, "sensors[0]: must be an object"},
    {"{\"schema\"", "[{\"schema\"", FC_E_JSON, "malformed JSON"},
    /* RFC 8259 numbers, as for snapshots (fc_cjson_strtod): offset 446 is the 03 */
    {"\"lanes\":3", "\"lanes\":03", FC_E_JSON, "malformed JSON near offset 446: 03 is not an RFC 8259 number"},
    {"\"length_mi\":0.5", "\"length_mi\":.5", FC_E_JSON, "malformed JSON"},
    {"\"length_mi\":0.5", "\"length_mi\":5.", FC_E_JSON, "5. is not an RFC 8259 number"},
    {"\"length_mi\":0.5", "\"length_mi\":-.5", FC_E_JSON, "-.5 is not an RFC 8259 number"},
};

void test_network_invalid(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    CHECK_STATUS(fc_test_ingest(e, "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\","
                                   "\"ts\":\"2026-11-25T08:15:00-05:00\",\"readings\":[{\"id\":\"A\",\"speed_mph\":50}]}", NULL), FC_OK);
    uint64_t before = fc_engine_digest(e);
    for (size_t i = 0; i < sizeof k_bad_networks / sizeof k_bad_networks[0]; i++) {
        char *doc = mutate(k_bad_networks[i].from, k_bad_networks[i].to);
        CHECK(doc != NULL);
        if (!doc) continue;
        fc_status st = fc_engine_load_network(e, doc, strlen(doc));
        if (st != k_bad_networks[i].want || !strstr(fc_engine_message(e), k_bad_networks[i].msg)) {
            fc_test_failures++;
            printf("#   case %zu: got %s \"%s\", expected %s containing \"%s\"\n", i, fc_status_name(st),
                   fc_engine_message(e), fc_status_name(k_bad_networks[i].want), k_bad_networks[i].msg);
        }
        free(doc);
    }
    /* failed loads keep the previous network and its history */
    CHECK_EQ_INT(fc_engine_sensor_count(e), 4);
    CHECK(fc_engine_digest(e) == before);
    CHECK_STATUS(fc_engine_load_network(e, "{\"a\":1\0}", 8), FC_E_ENCODING);
    CHECK_STATUS(fc_engine_load_network(e, "\xff", 1), FC_E_ENCODING);
    CHECK_STATUS(fc_engine_load_network(e, "", 0), FC_E_JSON);
    CHECK_STATUS(fc_engine_load_network(e, NULL, 3), FC_E_ARG);
    CHECK(fc_engine_digest(e) == before);
    /* a successful reload replaces the network and clears the history */
    CHECK_STATUS(fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)), FC_OK);
    CHECK(fc_engine_digest(e) != before);
    CHECK(fc_engine_last_ts_ms(e) == INT64_MIN);
    fc_engine_destroy(e);
}

void test_engine_config(void)
{
    fc_config cfg;
    fc_engine *e = NULL;
    fc_config_default(&cfg);
    cfg.max_speed_mph = 0;
    CHECK_STATUS(fc_engine_create(&cfg, &e), FC_E_RANGE);
    CHECK(e == NULL);
    fc_config_default(&cfg);
    cfg.history_s = 10;
    CHECK_STATUS(fc_engine_create(&cfg, &e), FC_E_RANGE);
    CHECK_STATUS(fc_engine_create(NULL, NULL), FC_E_ARG);
    CHECK_STATUS(fc_engine_create(NULL, &e), FC_OK);
    CHECK_STATUS(fc_test_ingest(e, "{}", NULL), FC_E_STATE);
    CHECK_CONTAINS(fc_engine_message(e), "no network");
    CHECK_EQ_INT(fc_engine_sensor_count(e), 0);
    fc_engine_destroy(e);
    fc_engine_destroy(NULL);
    CHECK(strcmp(fc_strerror(FC_E_TS_ORDER), "timestamp not newer than the last committed snapshot") == 0);
    CHECK(strcmp(fc_status_name(FC_E_JSON), "E_JSON") == 0);
    CHECK(strcmp(fc_status_name((fc_status)999), "E_UNKNOWN") == 0);
    CHECK(strcmp(fc_version(), FC_VERSION) == 0);
}

/* The fixture with the optional place words (docs/FORMATS.md): an exit number and a place on a
 * sensor, a corridor's local name, and named places (caller frees). */
static char *with_places(void)
{
    char *a = mutate("\"twin\":\"D\"}", "\"twin\":\"D\",\"exit\":\"19B\",\"place\":\"Cumberland\"}");
    char *b = mutate_in(a, "\"direction\":\"CW\",\"sensors\"", "\"direction\":\"CW\",\"name\":\"Inner Loop\",\"sensors\"");
    char *c = mutate_in(b, "\"connections\":[",
                        "\"places\":[{\"name\":\"Spaghetti Junction\",\"aliases\":[\"I-85 at I-285\",\"Tom Moreland Interchange\"],"
                        "\"sensors\":[\"C\",\"D\"]},{\"name\":\"Caf\\u00e9 \xc3\xa9\",\"sensors\":[\"A\"]}],\"connections\":[");
    free(a);
    free(b);
    return c;
}

static const struct {
    const char *from, *to;
    const char *msg;
} k_bad_places[] = {
    {"\"exit\":\"19B\"", "\"exit\":19", "sensors[0].exit: must be an exit number"},
    {"\"exit\":\"19B\"", "\"exit\":\"\"", "sensors[0].exit"},
    {"\"exit\":\"19B\"", "\"exit\":\"B19\"", "sensors[0].exit"},
    {"\"exit\":\"19B\"", "\"exit\":\"12345678\"", "sensors[0].exit"},
    {"\"exit\":\"19B\"", "\"exit\":\"19 B\"", "sensors[0].exit"},
    {"\"place\":\"Cumberland\"", "\"place\":\"\"", "sensors[0].place"},
    {"\"place\":\"Cumberland\"", "\"place\":[\"Cumberland\"]", "sensors[0].place"},
    {"\"place\":\"Cumberland\"", "\"place\":\"Cumber\\u0001land\"", "sensors[0].place: must be text"},
    {"\"place\":\"Cumberland\"", "\"place\":\"0123456789012345678901234567890123456789012345678901234567890123\"", "sensors[0].place"},
    {"\"place\":\"Cumberland\"", "\"place\":\"Cumberland\",\"exit\":\"20\"", "sensors[0]: duplicate key \"exit\""},
    {"\"name\":\"Inner Loop\"", "\"name\":true", "corridors[0].name"},
    {"\"name\":\"Inner Loop\"", "\"name\":\"Inner\\nLoop\"", "corridors[0].name"},
    {"\"places\":[", "\"places\":{},\"x\":[", "places: must be an array"},
    {"{\"name\":\"Spaghetti Junction\"", "7,{\"name\":\"Spaghetti Junction\"", "places[0]: must be an object"},
    {"\"name\":\"Spaghetti Junction\"", "\"name\":\"\"", "places[0].name"},
    {"\"name\":\"Spaghetti Junction\"", "\"nom\":\"Spaghetti Junction\"", "places[0].name"},
    {"\"aliases\":[", "\"aliases\":\"I-85\",\"x\":[", "places[0].aliases: must be an array"},
    {"\"I-85 at I-285\"", "\"I-85 at I-285\",\"\"", "places[0].aliases[1]"},
    {"\"I-85 at I-285\"", "\"I-85 at I-285\",3", "places[0].aliases[1]"},
    {"\"sensors\":[\"C\",\"D\"]", "\"sensors\":[]", "places[0].sensors: must be an array of 1..64"},
    {"\"sensors\":[\"C\",\"D\"]", "\"sensors\":[\"C\",\"Q\"]", "places[0].sensors[1]: unknown sensor \"Q\""},
    {"\"sensors\":[\"C\",\"D\"]", "\"sensors\":[\"C\",\"C\"]", "places[0].sensors[1]: sensor \"C\" is listed twice"},
    {"\"sensors\":[\"C\",\"D\"]", "\"sensors\":[\"C\",1]", "places[0].sensors[1]: unknown sensor \"(not a string)\""},
    {"\"Caf\\u00e9 \xc3\xa9\"", "\"spaghetti JUNCTION\"", "places[1].name: \"spaghetti JUNCTION\" is already places[0]"},
};

void test_network_places(void)
{
    fc_engine *e = fc_test_engine();
    char *doc = with_places();
    CHECK(e != NULL && doc != NULL);
    if (!e || !doc) {
        fc_engine_destroy(e);
        free(doc);
        return;
    }
    /* the place words are optional (the plain fixture loads) and, when present, accepted */
    fc_status st = fc_engine_load_network(e, doc, strlen(doc));
    if (st != FC_OK) printf("#   with places: %s\n", fc_engine_message(e));
    CHECK_STATUS(st, FC_OK);
    CHECK_EQ_INT(fc_engine_sensor_count(e), 4);
    uint64_t before = fc_engine_digest(e);
    for (size_t i = 0; i < sizeof k_bad_places / sizeof k_bad_places[0]; i++) {
        char *bad = mutate_in(doc, k_bad_places[i].from, k_bad_places[i].to);
        CHECK(bad != NULL);
        if (!bad) continue;
        st = fc_engine_load_network(e, bad, strlen(bad));
        if (st != FC_E_NETWORK || !strstr(fc_engine_message(e), k_bad_places[i].msg)) {
            fc_test_failures++;
            printf("#   place case %zu: got %s \"%s\", expected E_NETWORK containing \"%s\"\n", i,
                   fc_status_name(st), fc_engine_message(e), k_bad_places[i].msg);
        }
        free(bad);
    }
    /* a lone surrogate escape is cJSON's to refuse: never valid text */
    char *bad = mutate_in(doc, "Spaghetti Junction", "Spaghetti \\ud800Junction");
    CHECK_STATUS(fc_engine_load_network(e, bad, strlen(bad)), FC_E_JSON);
    free(bad);
    CHECK(fc_engine_digest(e) == before);
    free(doc);
    fc_engine_destroy(e);
}
