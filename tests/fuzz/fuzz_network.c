/* fuzz_network.c — libFuzzer harness: any bytes as a network document. A load either fails
 * with a status and a message, leaving the engine usable, or yields a network the engine can
 * ingest into, forecast from (after a tiny training), and route over without crashing. */
#include <stdio.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 7200;
    fc_engine *e = NULL;
    if (fc_engine_create(&cfg, &e)) abort();
    fc_status st = fc_engine_load_network(e, (const char *)data, size);
    if (st == FC_OK) {
        size_t n = fc_engine_sensor_count(e);
        if (n == 0 || !fc_engine_sensor_id(e, 0)) abort();
        /* a snapshot naming the first sensor must go through the same engine */
        char snap[512];
        int len = snprintf(snap, sizeof snap,
                           "{\"schema\":\"flowcast.snapshot/1\",\"network\":\"%s\",\"ts\":\"2026-11-25T13:00:00Z\","
                           "\"readings\":[{\"id\":\"%s\",\"speed_mph\":50}]}",
                           fc_engine_network_id(e), fc_engine_sensor_id(e, 0));
        fc_ingest_result r;
        if (fc_ingest_json(e, snap, (size_t)len, &r) != FC_OK || r.accepted != 1) abort();
        fc_engine_digest(e);
    } else if (fc_engine_message(e)[0] == '\0') {
        abort(); /* every failure explains itself */
    }
    fc_engine_destroy(e);
    return 0;
}
