/* fuzz_binary.c — libFuzzer harness: any bytes as a binary snapshot (FCSNAP1) for the 4-sensor
 * test network. Refused: a message, and the state digest unchanged. Accepted: the same snapshot
 * written as JSON (every sensor listed, the decoded values printed exactly) and ingested by a
 * second engine gives the same result and the same digest — the binary path is differential-
 * tested against the JSON paths like the fast parser against cJSON.
 *
 * Mutations rarely keep a valid header, so inputs whose first byte is odd get a valid header
 * (magic, version, size, this network's id and sensor count) before the mutated rest: the value
 * columns and the timestamp then see arbitrary bytes.
 *
 * The engines live across inputs: a refused snapshot must leave the state unchanged (checked on
 * every input), so only after an accepted one are they replaced; every input still meets
 * fresh-equivalent engines and a crash reproduces from the input alone. */
#include <inttypes.h>
#include <stdio.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static fc_engine *engine(void)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 3600;
    cfg.max_ahead_s = 3660u * 86400u; /* timestamps from the fuzzer land anywhere */
    fc_engine *e = NULL;
    if (fc_engine_create(&cfg, &e) || fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)))
        abort();
    return e;
}

static void put_value(char **p, const char *key, unsigned q, double scale)
{
    if (q == 0xFFFFu) *p += sprintf(*p, ",\"%s\":null", key);
    else if (scale == 1) *p += sprintf(*p, ",\"%s\":%u", key, q);
    else if (scale == 100) *p += sprintf(*p, ",\"%s\":%u.%02u", key, q / 100, q % 100);
    else *p += sprintf(*p, ",\"%s\":%u.%04u", key, q / 10000, q % 10000);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    enum { N = 4, LEN = 96 + 7 * N };
    unsigned char buf[LEN + 64];
    size_t len = size < sizeof buf ? size : sizeof buf;
    memcpy(buf, data, len);
    if (size && (data[0] & 1)) {
        if (len < LEN) {
            memset(buf + len, 0, LEN - len);
            len = LEN;
        }
        memcpy(buf, "FCSNAP1", 8);
        uint32_t v = 1, h = 96, n = N;
        memcpy(buf + 8, &v, 4);
        memcpy(buf + 12, &h, 4);
        memcpy(buf + 24, &n, 4);
        memset(buf + 28, 0, 68); /* interval 0, id NUL-padded */
        const char *id = "test-net";
        memcpy(buf + 32, id, strlen(id));
        int64_t ts = FUZZ_T0_MS + (int64_t)(buf[16] % 200) * 60000; /* mostly plausible times */
        memcpy(buf + 16, &ts, 8);
    }
    static fc_engine *b, *j;
    if (!b) b = engine();
    if (!j) j = engine();
    uint64_t before = fc_engine_digest(b);
    fc_ingest_result rb;
    fc_status sb = fc_ingest_binary(b, buf, len, &rb);
    if (sb != FC_OK) {
        if (fc_engine_message(b)[0] == '\0' || fc_engine_digest(b) != before) abort();
        return 0;
    }
    if (strcmp(fc_engine_network_id(b), "test-net") != 0) abort();
    /* the JSON form of what was accepted */
    int64_t ts;
    memcpy(&ts, buf + 16, 8);
    char json[2048], *p = json;
    p += sprintf(p, "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"test-net\",\"ts\":\"");
    {
        /* ISO 8601 UTC with milliseconds from Unix ms */
        int64_t ms = ts, days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
        int64_t rem = ms - days * 86400000;
        int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2;
        if (y < 0 || y > 9999) abort(); /* the engine refuses what JSON cannot name */
        p += sprintf(p, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64 "Z\"",
                     y, m, d, rem / 3600000, rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
    }
    p += sprintf(p, ",\"readings\":[");
    for (int s = 0; s < N; s++) {
        uint16_t sp, vo, oc;
        memcpy(&sp, buf + 96 + 2 * s, 2);
        memcpy(&vo, buf + 96 + 2 * N + 2 * s, 2);
        memcpy(&oc, buf + 96 + 4 * N + 2 * s, 2);
        p += sprintf(p, "%s{\"id\":\"%s\"", s ? "," : "", fc_engine_sensor_id(b, (size_t)s));
        put_value(&p, "speed_mph", sp, 100);
        put_value(&p, "volume_vph", vo, 1);
        put_value(&p, "occupancy", oc, 10000);
        p += sprintf(p, ",\"quality\":%u}", buf[96 + 6 * N + s]);
    }
    p += sprintf(p, "]}");
    fc_ingest_result rj;
    fc_status sj = fc_ingest_json(j, json, (size_t)(p - json), &rj);
    if (sj != FC_OK || memcmp(&rb, &rj, sizeof rb) != 0 || fc_engine_digest(b) != fc_engine_digest(j)) {
        fprintf(stderr, "binary and JSON differ: %s \"%s\"\n%s\n", fc_status_name(sj), fc_engine_message(j), json);
        abort();
    }
    fc_engine_destroy(b);
    fc_engine_destroy(j);
    b = j = NULL;
    return 0;
}
