/* fixtures.c — a tiny network shared by the C tests. */
#include "test.h"
#include <stdlib.h>

const char *const fc_test_network_json =
    "{\"schema\":\"flowcast.network/1\",\"id\":\"test-net\",\"name\":\"Test\","
    "\"timezone\":\"America/New_York\",\"interval_s\":300,"
    "\"sensors\":["
    "{\"id\":\"A\",\"lat\":33.6,\"lon\":-84.4,\"road\":\"I-285\",\"direction\":\"CW\",\"milepost\":1.0,\"lanes\":4,\"speed_limit_mph\":65,\"twin\":\"D\"},"
    "{\"id\":\"B\",\"lat\":33.61,\"lon\":-84.41,\"road\":\"I-285\",\"direction\":\"CW\",\"milepost\":1.5,\"lanes\":4,\"speed_limit_mph\":65},"
    "{\"id\":\"C\",\"lat\":33.62,\"lon\":-84.42,\"road\":\"I-285\",\"direction\":\"CW\",\"milepost\":2.0,\"lanes\":3,\"speed_limit_mph\":55},"
    "{\"id\":\"D\",\"lat\":33.6,\"lon\":-84.4,\"road\":\"I-285\",\"direction\":\"CCW\",\"milepost\":1.0,\"lanes\":4,\"speed_limit_mph\":65,\"twin\":\"A\"}],"
    "\"corridors\":[{\"id\":\"I285-CW\",\"road\":\"I-285\",\"direction\":\"CW\",\"sensors\":[\"A\",\"B\",\"C\"],"
    "\"geometry\":[[33.6,-84.4],[33.62,-84.42]]},"
    "{\"id\":\"I285-CCW\",\"road\":\"I-285\",\"direction\":\"CCW\",\"sensors\":[\"D\"]}],"
    "\"connections\":[{\"from\":\"C\",\"to\":\"D\",\"length_mi\":0.5,\"name\":\"ramp\"}]}";

fc_engine *fc_test_engine(void)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 86400; /* one day: 288 slots */
    fc_engine *e = NULL;
    if (fc_engine_create(&cfg, &e) != FC_OK) return NULL;
    if (fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)) != FC_OK) {
        printf("#   fixture network failed: %s\n", fc_engine_message(e));
        fc_engine_destroy(e);
        return NULL;
    }
    return e;
}

fc_status fc_test_ingest(fc_engine *e, const char *json, fc_ingest_result *res)
{
    return fc_ingest_json(e, json, strlen(json), res);
}

fc_engine *fc_test_trained_engine(float offset_mph)
{
    fc_engine *e = fc_test_engine();
    if (!e) return NULL;
    int64_t ts = FC_TEST_T0;
    for (int k = 0; k < 288; k++) {
        float speed[4] = {50 + k % 7 + offset_mph, 55 + offset_mph, 40 + k % 11 + offset_mph, 60 + offset_mph};
        if (fc_ingest_values(e, ts += 300000, speed, NULL, NULL, 4, NULL) != FC_OK) break;
    }
    fc_train_options opt;
    fc_train_options_default(&opt);
    opt.horizons = 6;
    opt.max_samples = 100;
    /* no CHECK here: the fuzz harnesses link this file without the test runner */
    if (fc_engine_train(e, &opt, NULL, NULL) != FC_OK) {
        printf("#   fixture training failed: %s\n", fc_engine_message(e));
        fc_engine_destroy(e);
        return NULL;
    }
    return e;
}
