/* test.h — a minimal unit-test harness for the C core. Each test is a function registered in
 * main.c; CHECK records a failure with file and line and lets the test continue, so one run
 * reports every broken expectation. Output is one "ok"/"not ok" line per test, read by
 * tests/native.test.mjs. */
#ifndef FC_TEST_H
#define FC_TEST_H
#include <stdio.h>
#include <string.h>
#include "flowcast.h"

extern int fc_test_failures;

#define CHECK(cond) do { if (!(cond)) { fc_test_failures++; \
    printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long va_ = (long long)(a), vb_ = (long long)(b); if (va_ != vb_) { \
    fc_test_failures++; printf("#   %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, va_, vb_); } } while (0)
#define CHECK_STATUS(expr, want) do { fc_status s_ = (expr); if (s_ != (want)) { fc_test_failures++; \
    printf("#   %s:%d: %s gave %s, expected %s\n", __FILE__, __LINE__, #expr, fc_status_name(s_), \
           fc_status_name(want)); } } while (0)
#define CHECK_CONTAINS(hay, needle) do { const char *h_ = (hay); if (!h_ || !strstr(h_, (needle))) { \
    fc_test_failures++; printf("#   %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
    h_ ? h_ : "(null)", (needle)); } } while (0)

/* Helpers shared by the test files (fixtures.c). */
extern const char *const fc_test_network_json;      /* 4 sensors, 1 corridor, America/New_York */
fc_engine *fc_test_engine(void);                    /* engine with that network, small history */
fc_status fc_test_ingest(fc_engine *e, const char *json, fc_ingest_result *res);
/* That engine with a day of 5-minute data from FC_TEST_T0 (speeds around 40-60 mph plus
 * offset_mph) and a small trained model (6 horizons); NULL when the fixture fails. */
#define FC_TEST_T0 1764000000000LL
fc_engine *fc_test_trained_engine(float offset_mph);

/* Every test, in run order; main.c builds its table from this list. */
#define FC_TESTS(X) \
    X(test_iso8601_valid) X(test_iso8601_invalid) X(test_civil_roundtrip) X(test_local_time_dst) \
    X(test_tz_rules) X(test_utf8) X(test_network_load) X(test_network_invalid) X(test_network_places) \
    X(test_incidents_valid) X(test_incidents_invalid) \
    X(test_engine_config) X(test_ingest_basic) X(test_ingest_slot_mean) X(test_ingest_dropped) \
    X(test_ingest_rejects_leave_state) X(test_ingest_limits) \
    X(test_fast_numbers) X(test_fastpath_differential) \
    X(test_lru_basics) X(test_lru_model_random) X(test_lru_collisions) X(test_route_constant_speed) \
    X(test_route_time_dependent) X(test_route_choice_and_errors) X(test_route_loop) \
    X(test_route_engine) X(test_tile_roundtrip_and_values) X(test_graph_dense_two_hops) \
    X(test_matrix_parse) X(test_matrix_invalid) X(test_matrix_limits) X(test_matrix_format) \
    X(test_model_file_profiles) X(test_profile_empty_window) X(test_model_format_version) \
    X(test_model_load_failure_keeps_model) X(test_model_clamp) \
    X(test_pack_roundtrip) X(test_pack_v2_still_loads) X(test_pack_v5_still_loads) X(test_pack_corrupt_sections) X(test_pack_window) \
    X(test_pack_window_cells) X(test_mlp_learns_interaction) X(test_mlp_too_few_samples) X(test_mlp_input_slots)

#define FC_TEST_DECLARE(name) void name(void);
FC_TESTS(FC_TEST_DECLARE)

#endif
