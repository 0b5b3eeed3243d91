/* fuzz_route.c — libFuzzer harness: the route query interface with arbitrary stations,
 * departure times, windows and flags. Each 8-byte record of the input is one query. A query
 * either fails with a status and message or returns finite, ordered, consistent figures; cached
 * and uncached answers agree. */
#include <stdint.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static fc_engine *g_engine;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!g_engine) g_engine = fuzz_engine(600, 1);
    int64_t now = FUZZ_T0_MS + 600LL * 300000;
    for (size_t at = 0; at + 8 <= size; at += 8) {
        const unsigned char *q = data + at;
        size_t from = q[0] % 6, to = q[1] % 6; /* indices 4 and 5 do not exist */
        int16_t off_min;
        memcpy(&off_min, q + 2, 2);
        int64_t depart = now + (int64_t)off_min * 60000;
        fc_travel_segment seg[8];
        fc_travel_time a, b;
        fc_status s1 = fc_engine_travel_time(g_engine, from, to, depart, 0, &a, seg, q[4] % 9);
        fc_status s2 = fc_engine_travel_time(g_engine, from, to, depart, FC_ROUTE_NO_CACHE, &b, seg, 8);
        if (s1 != s2) abort();
        if (s1 == FC_OK) {
            if (!(a.minutes >= 0) || !isfinite(a.minutes) || a.minutes != b.minutes || a.distance_mi != b.distance_mi) abort();
        } else if (fc_engine_message(g_engine)[0] == '\0') {
            abort();
        }
        fc_departure dep[16];
        size_t n_dep = 0, best = 0;
        int64_t step = ((int64_t)(q[5] % 31) - 1) * 60000; /* includes 0 and negative steps */
        fc_status s3 = fc_engine_best_departure(g_engine, from, to, depart, depart + (int64_t)q[6] * 60000, step, dep,
                                                q[7] % 17, &n_dep, &best);
        if (s3 == FC_OK && (n_dep > 16 || (n_dep && best >= n_dep))) abort();
    }
    return 0;
}
