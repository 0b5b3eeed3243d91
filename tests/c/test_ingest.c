/* test_ingest.c — snapshot ingest rules (docs/FORMATS.md): whole rejections leave the state
 * unchanged; bad readings are dropped and counted; slots average. */
#include "test.h"
#include "history.h"
#include <math.h>
#include <stdlib.h>

#define SNAP(ts, readings) "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"" ts \
    "\",\"interval_s\":300,\"readings\":[" readings "]}"

void test_ingest_basic(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    fc_ingest_result r;
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:00-05:00",
        "{\"id\":\"A\",\"speed_mph\":61.25,\"volume_vph\":1440,\"occupancy\":0.08,\"quality\":1},"
        "{\"id\":\"B\",\"speed_mph\":null,\"volume_vph\":900},"
        "{\"id\":\"C\",\"speed_mph\":30}"), &r), FC_OK);
    CHECK_EQ_INT(r.accepted, 2);
    CHECK_EQ_INT(r.dropped, 0);
    CHECK_EQ_INT(r.missing, 2); /* B (null speed) and D (absent) */
    CHECK_EQ_INT(r.ts_ms, 1795612500000LL);
    CHECK_EQ_INT(r.slots_advanced, 1);
    CHECK_EQ_INT(fc_engine_last_ts_ms(e), 1795612500000LL);
    CHECK(strcmp(fc_engine_message(e), "") == 0);

    float sp[4], vol[4], occ[4];
    uint8_t q[4];
    CHECK_STATUS(fc_engine_latest(e, sp, vol, occ, q, 4), FC_OK);
    CHECK(sp[0] == 61.25f && vol[0] == 1440.0f && fabsf(occ[0] - 0.08f) < 1e-6f && q[0] == 1);
    CHECK(isnan(sp[1]) && vol[1] == 900.0f && isnan(occ[1]));
    CHECK(sp[2] == 30.0f);
    CHECK(isnan(sp[3]) && isnan(vol[3]) && q[3] == 0);
    CHECK_STATUS(fc_engine_latest(e, sp, NULL, NULL, NULL, 3), FC_E_ARG);

    /* a 30-second feed: a second snapshot in the same 5-minute slot averages into it */
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:14:30-05:00", "{\"id\":\"A\",\"speed_mph\":40}"), &r), FC_E_TS_ORDER);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:19:30-05:00",
        "{\"id\":\"A\",\"speed_mph\":40},{\"id\":\"C\",\"speed_mph\":50,\"quality\":4}"), &r), FC_OK);
    CHECK_EQ_INT(r.slots_advanced, 1);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:20:00-05:00",
        "{\"id\":\"A\",\"speed_mph\":50},{\"id\":\"C\",\"speed_mph\":null,\"quality\":2}"), &r), FC_OK);
    CHECK_EQ_INT(r.slots_advanced, 0);
    CHECK_STATUS(fc_engine_latest(e, sp, NULL, NULL, q, 4), FC_OK);
    CHECK(sp[0] == 45.0f);      /* mean of 40 and 50 */
    CHECK(sp[2] == 50.0f);      /* null does not count */
    CHECK_EQ_INT(q[2], 6);      /* flags OR-ed */
    CHECK(isnan(sp[1]));        /* B had no speed in this slot */

    /* a gap of three slots leaves two missing slots in the history */
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:35:00-05:00", "{\"id\":\"A\",\"speed_mph\":20}"), &r), FC_OK);
    CHECK_EQ_INT(r.slots_advanced, 3);
    float hist[6];
    CHECK_STATUS(fc_engine_speed_history(e, 0, hist, 6), FC_OK);
    CHECK(isnan(hist[0]) && hist[1] == 61.25f && hist[2] == 45.0f && isnan(hist[3]) && isnan(hist[4]) && hist[5] == 20.0f);
    CHECK_STATUS(fc_engine_speed_history(e, 9, hist, 6), FC_E_NOT_FOUND);
    fc_engine_destroy(e);
}

/* The slot mean (docs/FORMATS.md, "Slots"): readings quantised first, the mean of those integers
 * rounded half to even, at most FC_SLOT_MAX_READINGS readings per sensor, field and slot. */
void test_ingest_slot_mean(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    fc_ingest_result r;
    float sp[4], vol[4];
    /* A: 40.01, 40.02 -> 4001.5 -> 4002 (even); B: 40.00, 40.01 -> 4000.5 -> 4000 (even);
     * C: 10, 10, 10.01 -> 1000.33 -> 1000; D: volume 1, 2 -> 1.5 -> 2 */
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:10-05:00",
        "{\"id\":\"A\",\"speed_mph\":40.01},{\"id\":\"B\",\"speed_mph\":40},"
        "{\"id\":\"C\",\"speed_mph\":10},{\"id\":\"D\",\"volume_vph\":1}"), &r), FC_OK);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:20-05:00",
        "{\"id\":\"A\",\"speed_mph\":40.02},{\"id\":\"B\",\"speed_mph\":40.01},"
        "{\"id\":\"C\",\"speed_mph\":10},{\"id\":\"D\",\"volume_vph\":2}"), &r), FC_OK);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:30-05:00", "{\"id\":\"C\",\"speed_mph\":10.01}"), &r), FC_OK);
    CHECK_EQ_INT(r.slots_advanced, 0);
    CHECK_STATUS(fc_engine_latest(e, sp, vol, NULL, NULL, 4), FC_OK);
    CHECK(sp[0] == 40.02f);
    CHECK(sp[1] == 40.0f);
    CHECK(sp[2] == 10.0f);
    CHECK(vol[3] == 2.0f && isnan(sp[3]));

    /* the next slot: 255 readings of 20 mph, then 20 of 70 mph that no longer count */
    char buf[256];
    int n_ok = 0;
    for (int k = 1; k <= 275; k++) {
        snprintf(buf, sizeof buf, SNAP("2026-11-25T08:%02d:%02d-05:00", "{\"id\":\"A\",\"speed_mph\":%d}"),
                 20 + k / 60, k % 60, k <= FC_SLOT_MAX_READINGS ? 20 : 70);
        n_ok += fc_test_ingest(e, buf, &r) == FC_OK;
    }
    CHECK_EQ_INT(n_ok, 275);
    CHECK_STATUS(fc_engine_latest(e, sp, NULL, NULL, NULL, 4), FC_OK);
    CHECK(sp[0] == 20.0f);
    fc_engine_destroy(e);
}

void test_ingest_dropped(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    fc_ingest_result r;
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:00-05:00",
        "{\"id\":\"A\",\"speed_mph\":50},"
        "{\"id\":\"A\",\"speed_mph\":70},"            /* duplicate sensor */
        "{\"id\":\"nope\",\"speed_mph\":50},"         /* unknown sensor */
        "{\"id\":\"B\",\"speed_mph\":-1},"            /* negative */
        "{\"id\":\"C\",\"speed_mph\":\"fast\"},"      /* wrong type */
        "{\"id\":\"D\",\"speed_mph\":500},"           /* above the maximum */
        "{\"id\":\"D\",\"speed_mph\":50},"            /* D was already read (and dropped) */
        "{\"id\":7},"                                  /* id not a string */
        "{\"speed_mph\":50},"                          /* no id */
        "[1,2],"                                       /* not an object */
        "{\"id\":\"B\",\"speed_mph\":1e999},"          /* infinite (cJSON overflows to inf) */
        "{\"id\":\"C\",\"speed_mph\":50,\"speed_mph\":51}"), &r), FC_OK);
    CHECK_EQ_INT(r.accepted, 1);
    CHECK_EQ_INT(r.dropped, 11);
    CHECK_EQ_INT(r.missing, 0); /* B, C, D were all dropped, A accepted */
    float sp[4];
    CHECK_STATUS(fc_engine_latest(e, sp, NULL, NULL, NULL, 4), FC_OK);
    CHECK(sp[0] == 50.0f && isnan(sp[1]) && isnan(sp[2]) && isnan(sp[3]));

    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:20:00-05:00",
        "{\"id\":\"A\",\"occupancy\":1.5},{\"id\":\"B\",\"volume_vph\":20001},{\"id\":\"C\",\"quality\":256},"
        "{\"id\":\"D\",\"quality\":1.5,\"speed_mph\":3}"), &r), FC_OK);
    CHECK_EQ_INT(r.accepted, 0);
    CHECK_EQ_INT(r.dropped, 4);
    fc_engine_destroy(e);
}

static const struct {
    const char *json;
    fc_status want;
    const char *msg;
} k_rejects[] = {
    {"", FC_E_JSON, "malformed"},
    {"{\"schema\":", FC_E_JSON, "malformed"},
    {"nul\x01", FC_E_ENCODING, "offset 3"},
    {"[]", FC_E_FIELD, "JSON object"},
    {"{\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00Z\",\"readings\":[]}", FC_E_SCHEMA, "schema"},
    {"{\"schema\":\"flowcast.snapshot/2\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00Z\",\"readings\":[]}", FC_E_SCHEMA, "schema"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"other\",\"ts\":\"2026-11-25T08:20:00Z\",\"readings\":[]}", FC_E_NETWORK_ID, "\"other\""},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":5,\"ts\":\"2026-11-25T08:20:00Z\",\"readings\":[]}", FC_E_FIELD, "network"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00Z\"}", FC_E_FIELD, "readings"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00Z\",\"readings\":{}}", FC_E_FIELD, "readings"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"readings\":[]}", FC_E_TIMESTAMP, "ts"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"yesterday\",\"readings\":[]}", FC_E_TIMESTAMP, "ts"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":1795612500,\"readings\":[]}", FC_E_TIMESTAMP, "ts"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T13:15:00Z\",\"readings\":[]}", FC_E_TS_ORDER, "not after"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:00:00-05:00\",\"readings\":[]}", FC_E_TS_ORDER, "not after"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-12-03T13:15:00Z\",\"readings\":[]}", FC_E_TS_AHEAD, "limit 604800 s"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"ts\":\"2026-11-25T08:25:00-05:00\",\"readings\":[]}", FC_E_FIELD, "duplicate key \"ts\""},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"interval_s\":\"5m\",\"readings\":[]}", FC_E_FIELD, "interval_s"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"readings\":[{\"id\":\"A\",\"speed_mph\":NaN}]}", FC_E_JSON, "malformed"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"readings\":[{\"id\":\"A\",\"speed_mph\":Infinity}]}", FC_E_JSON, "malformed"},
    {"{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"readings\":[]}\xc3", FC_E_ENCODING, "UTF-8"},
};

void test_ingest_rejects_leave_state(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:00-05:00", "{\"id\":\"A\",\"speed_mph\":50}"), NULL), FC_OK);
    uint64_t before = fc_engine_digest(e);
    for (size_t i = 0; i < sizeof k_rejects / sizeof k_rejects[0]; i++) {
        fc_ingest_result r;
        fc_status st = fc_test_ingest(e, k_rejects[i].json, &r);
        if (st != k_rejects[i].want || !strstr(fc_engine_message(e), k_rejects[i].msg)) {
            fc_test_failures++;
            printf("#   case %zu: got %s \"%s\", expected %s containing \"%s\"\n", i, fc_status_name(st),
                   fc_engine_message(e), fc_status_name(k_rejects[i].want), k_rejects[i].msg);
        }
        CHECK(r.accepted == 0 && r.ts_ms == 0);
        if (fc_engine_digest(e) != before) {
            fc_test_failures++;
            printf("#   case %zu changed the state\n", i);
        }
    }
    /* embedded NUL inside the payload */
    static const char with_nul[] = "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"2026-11-25T08:20:00-05:00\",\"readings\":[]}\0";
    CHECK_STATUS(fc_ingest_json(e, with_nul, sizeof with_nul, NULL), FC_E_ENCODING);
    /* deep nesting is bounded (64 levels) */
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    CHECK_STATUS(fc_ingest_json(e, deep, sizeof deep, NULL), FC_E_JSON);
    CHECK(fc_engine_digest(e) == before);
    fc_engine_destroy(e);
}

void test_ingest_limits(void)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 7200;
    cfg.max_payload_bytes = 1024;
    cfg.max_ahead_s = 3600;
    cfg.max_speed_mph = 90;
    fc_engine *e = NULL;
    CHECK_STATUS(fc_engine_create(&cfg, &e), FC_OK);
    CHECK_STATUS(fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)), FC_OK);
    char *big = malloc(2048);
    memset(big, ' ', 2048);
    CHECK_STATUS(fc_ingest_json(e, big, 2048, NULL), FC_E_TOO_LARGE);
    CHECK_CONTAINS(fc_engine_message(e), "2048 bytes exceeds the limit of 1024");
    free(big);
    fc_ingest_result r;
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T08:15:00-05:00", "{\"id\":\"A\",\"speed_mph\":95}"), &r), FC_OK);
    CHECK_EQ_INT(r.dropped, 1);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T09:20:00-05:00", "{\"id\":\"A\",\"speed_mph\":50}"), &r), FC_E_TS_AHEAD);
    CHECK_STATUS(fc_test_ingest(e, SNAP("2026-11-25T09:15:00-05:00", "{\"id\":\"A\",\"speed_mph\":50}"), &r), FC_OK);
    /* a full turn of the 24-slot ring: only the newest slot holds data */
    float h[24];
    CHECK_STATUS(fc_engine_speed_history(e, 0, h, 24), FC_OK);
    CHECK(h[23] == 50.0f);
    int others = 0;
    for (int i = 0; i < 23; i++) others += !isnan(h[i]);
    CHECK_EQ_INT(others, 0);
    fc_engine_destroy(e);
}
