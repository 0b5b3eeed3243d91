/* lru_native.c — the LRU benchmark of bench/lru.js as a native program, for callgrind and
 * cachegrind (PERFORMANCE.md, "LRU cache and route queries"): the same Zipf(0.9) stream over
 * 1,000,000 keys (same seed and generator as zipfStream in bench/lru.js), the same access
 * "get; on a miss, put an 8-byte value", 100,000 entries in 8-byte chunks, each run on a fresh
 * cache. Prints the median ns per access and the hit count (the same as bench/lru.js's).
 *
 *   gcc -O2 -g -std=c11 -Ic/include -Ic/src bench/lru_native.c c/src/lru.c c/src/status.c -lm \
 *       -o build/lru-native
 *   build/lru-native [accesses=3000000] [runs=3] [path: access | get-put]
 *   valgrind --tool=callgrind build/lru-native 3000000 1
 *
 * "access" (default) uses fc_lru_access, the one-probe path of fcw_lru_access_batch; "get-put"
 * the separate fc_lru_get and fc_lru_put calls. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "lru.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAPACITY 100000
#define UNIVERSE 1000000
#define ZIPF_S 0.9

static uint32_t *zipf_stream(uint32_t length, uint32_t seed)
{
    double *cdf = malloc(UNIVERSE * sizeof *cdf);
    uint32_t *keys = malloc((size_t)length * sizeof *keys);
    if (!cdf || !keys) exit(2);
    double sum = 0;
    for (uint32_t r = 0; r < UNIVERSE; r++) cdf[r] = sum += 1 / pow(r + 1, ZIPF_S);
    uint32_t x = seed;
    for (uint32_t i = 0; i < length; i++) {
        x += 0x6d2b79f5u; /* mulberry32, as in bench/lru.js */
        uint32_t t = (x ^ (x >> 15)) * (1 | x);
        t = (t + ((t ^ (t >> 7)) * (61 | t))) ^ t;
        double u = (double)(t ^ (t >> 14)) / 4294967296.0 * sum;
        uint32_t lo = 0, hi = UNIVERSE - 1;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (cdf[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        keys[i] = (lo + 1) * 0x9e3779b1u;
    }
    free(cdf);
    return keys;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    uint32_t length = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 3000000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    int split = argc > 3 && !strcmp(argv[3], "get-put");
    if (!length || runs < 1 || runs > 99) return 2;
    uint32_t *keys = zipf_stream(length, 12345);
    double ns[99];
    uint32_t hits = 0;
    const unsigned char value[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    for (int r = 0; r < runs; r++) {
        fc_lru *c;
        if (fc_lru_create(CAPACITY, CAPACITY * 8, 8, &c) != FC_OK) return 2;
        unsigned char buf[64];
        uint32_t h = 0;
        double t0 = now_ns();
        for (uint32_t i = 0; i < length; i++) {
            size_t len;
            if (split) {
                if (fc_lru_get(c, keys[i], buf, sizeof buf, &len) == FC_OK) h++;
                else fc_lru_put(c, keys[i], value, sizeof value);
            } else if (fc_lru_access(c, keys[i], buf, sizeof buf, &len, value, sizeof value) == FC_OK) {
                h++;
            }
        }
        ns[r] = (now_ns() - t0) / length;
        if (r && h != hits) return 3;
        hits = h;
        fc_lru_destroy(c);
    }
    qsort(ns, (size_t)runs, sizeof ns[0], cmp_double);
    printf("%s: %.1f ns/access median of %d (min %.1f, max %.1f), hits %u of %u (%.6f)\n", split ? "get-put" : "access",
           ns[runs / 2], runs, ns[0], ns[runs - 1], hits, length, (double)hits / length);
    free(keys);
    return 0;
}
