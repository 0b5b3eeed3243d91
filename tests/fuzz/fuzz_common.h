/* fuzz_common.h — shared set-up for the libFuzzer harnesses: an engine on the 4-sensor test
 * network (tests/c/fixtures.c) with synthetic history and, optionally, a trained model. */
#ifndef FC_FUZZ_COMMON_H
#define FC_FUZZ_COMMON_H
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "flowcast.h"
#include "hash.h"

extern const char *const fc_test_network_json;

#define FUZZ_T0_MS 1788753600000LL /* Monday 2026-09-07 00:00 in New York */

/* A new engine with configuration cfg and the test network, no data yet. */
static inline fc_engine *fuzz_engine_with(const fc_config *cfg)
{
    fc_engine *e = NULL;
    if (fc_engine_create(cfg, &e) || fc_engine_load_network(e, fc_test_network_json, strlen(fc_test_network_json)))
        abort();
    return e;
}

/* An engine with `rows` 5-minute rows of deterministic speeds, trained when `train`. */
static inline fc_engine *fuzz_engine(int rows, int train)
{
    fc_config cfg;
    fc_config_default(&cfg);
    cfg.history_s = 3 * 86400;
    fc_engine *e = fuzz_engine_with(&cfg);
    for (int t = 0; t < rows; t++) {
        float row[4];
        for (int s = 0; s < 4; s++) row[s] = (float)(55 + 10 * sin((t + 7 * s) / 30.0) - (t % 288 > 200 ? 20 : 0));
        if (fc_ingest_values(e, FUZZ_T0_MS + (int64_t)(t + 1) * 300000, row, NULL, NULL, 4, NULL)) abort();
    }
    if (train) {
        fc_train_options o;
        fc_train_options_default(&o);
        o.horizons = 6;
        o.max_samples = 200;
        if (fc_engine_train(e, &o, NULL, NULL)) abort();
    }
    return e;
}

/* The forecast of the 4-sensor engine (h horizons) and whether it keeps the contract: every
 * value finite with lo <= mid <= hi, except a sensor without evidence, which is NaN throughout
 * (flowcast.h, fc_evidence). */
static inline int fuzz_forecast_ok(fc_engine *e, uint32_t h, float *mid, float *lo, float *hi)
{
    uint8_t ev[4];
    if (fc_engine_forecast_evidence(e, mid, lo, hi, 4 * (size_t)h, ev)) return 0;
    for (size_t i = 0; i < 4 * (size_t)h; i++) {
        if (ev[i / h] >= FC_EVIDENCE_COUNT) return 0;
        if (ev[i / h] == FC_EVIDENCE_NONE) {
            if (!isnan(mid[i]) || !isnan(lo[i]) || !isnan(hi[i])) return 0;
        } else if (!isfinite(mid[i]) || !isfinite(lo[i]) || !isfinite(hi[i]) || lo[i] > mid[i] || mid[i] > hi[i]) {
            return 0;
        }
    }
    return 1;
}

/* A private copy of a fuzz input for a format with a trailing checksum of everything between a
 * `header`-byte header and itself: when the input's last byte is odd the checksum is rewritten
 * to match, so mutations reach the checks behind it (for even inputs it stays as mutated). The
 * caller frees it. */
static inline unsigned char *fuzz_resealed_copy(const unsigned char *data, size_t size, size_t header)
{
    unsigned char *input = malloc(size ? size : 1);
    if (!input) abort();
    memcpy(input, data, size);
    if (size >= header + 8 && (data[size - 1] & 1)) {
        uint64_t h = fc_hash_bytes(FC_HASH_SEED, input + header, size - header - 8);
        memcpy(input + size - 8, &h, 8);
    }
    return input;
}

#endif
