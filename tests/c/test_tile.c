/* test_tile.c — profile tiles (c/src/tile.c) and the profile's tile view (c/src/profile.c):
 * a tile read through the view gives exactly the local profile's values, and a tile whose
 * checksum is right but whose numbers would poison forecasts (NaN, infinities, negative counts)
 * is still refused. */
#include <math.h>
#include <stdlib.h>
#include "test.h"
#include "hash.h"
#include "profile.h"
#include "tile.h"

enum { N = 5, Q = 7 };

static void fill(fc_profile *p)
{
    for (uint32_t s = 0; s < N; s++)
        for (int d = 0; d < FC_DAYTYPES; d++)
            for (uint32_t t = 0; t < Q; t++)
                for (uint32_t k = 0; k < (s + t + (uint32_t)d) % 3; k++) fc_profile_add(p, s, d, t, 30.0f + (float)(s * 7 + t * 3 + k) + 0.25f * (float)d);
}

/* Rewrites the checksum after a deliberate change, so only the value checks can catch it. */
static void reseal(uint8_t *buf, uint32_t m)
{
    size_t pb = fc_tile_payload_bytes(m, Q);
    uint64_t h = fc_hash_bytes(FC_HASH_SEED, buf + FC_TILE_HEADER, pb);
    memcpy(buf + FC_TILE_HEADER + pb, &h, 8);
}

void test_tile_roundtrip_and_values(void)
{
    fc_profile local;
    CHECK_EQ_INT(fc_profile_init(&local, N, Q), 0);
    fill(&local);
    const uint32_t group[3] = {4, 1, 2}; /* any order: a corridor's downstream order */
    const uint32_t sizes[2] = {2, 3};
    size_t bytes = fc_tile_file_bytes(3, Q);
    uint8_t *buf[FC_DAYTYPES];
    const uint8_t *payload[FC_DAYTYPES];
    char msg[160];
    for (int d = 0; d < FC_DAYTYPES; d++) {
        buf[d] = malloc(bytes);
        fc_tile_write(&local, 0xabcdefull, 42, 1, d, group, 3, buf[d]);
        uint32_t g = 9;
        int dt = 9;
        CHECK_STATUS(fc_tile_check(buf[d], bytes, 0xabcdefull, 42, Q, sizes, 2, &g, &dt, &payload[d], msg, sizeof msg), FC_OK);
        CHECK_EQ_INT(g, 1);
        CHECK_EQ_INT(dt, d);
    }
    /* the view: exactly the local values, for every sensor of the group, slot and smoothing */
    fc_profile view;
    CHECK_EQ_INT(fc_profile_init(&view, N, Q), 0);
    uint32_t pos[N] = {0};
    for (uint32_t i = 0; i < 3; i++) pos[group[i]] = i;
    fc_profile_use_tiles(&view, pos);
    /* the payload is used in place: copy it to aligned memory as the engine's scratch is */
    uint8_t *aligned[FC_DAYTYPES];
    for (int d = 0; d < FC_DAYTYPES; d++) {
        aligned[d] = malloc(fc_tile_payload_bytes(3, Q));
        memcpy(aligned[d], payload[d], fc_tile_payload_bytes(3, Q));
    }
    fc_profile_show_tiles(&view, (const uint8_t *const *)aligned, 3);
    int same = 1;
    for (uint32_t i = 0; i < 3; i++)
        for (int d = 0; d < FC_DAYTYPES; d++)
            for (uint32_t t = 0; t < Q; t++)
                for (int sm = 0; sm <= 3; sm++) {
                    float a = fc_profile_get(&local, group[i], d, t, sm, 2.0f, 0, 0);
                    float b = fc_profile_get(&view, group[i], d, t, sm, 2.0f, 0, 0);
                    same &= memcmp(&a, &b, sizeof a) == 0;
                }
    CHECK(same);
    /* adds are ignored in tile mode: the server's tiles are the profiles */
    fc_profile_add(&view, group[0], 0, 0, 99.0f);
    float a = fc_profile_get(&local, group[0], 0, 0, 1, 2.0f, 0, 0), b = fc_profile_get(&view, group[0], 0, 0, 1, 2.0f, 0, 0);
    CHECK(a == b);

    /* values that would poison forecasts, behind a valid checksum */
    uint8_t *bad = malloc(bytes);
    uint32_t g;
    int dt;
    const uint8_t *pl;
    const float nan = NAN, neg = -1.0f, half = 0.5f, huge = 1e30f;
    const double dinf = INFINITY;
    struct { size_t at; const void *v; size_t len; } cases[] = {
        {FC_TILE_HEADER + 4 * 5, &nan, 4},                                   /* a sum */
        {FC_TILE_HEADER + (size_t)3 * Q * 4 + 4 * 2, &neg, 4},              /* a count */
        {FC_TILE_HEADER + (size_t)3 * Q * 8 + 8, &dinf, 8},                 /* a sensor sum */
        {FC_TILE_HEADER + (size_t)3 * Q * 4 + 4 * 3, &half, 4},             /* a count that counts nothing */
        {FC_TILE_HEADER + 4 * 3, &huge, 4},                                  /* a sum no speeds add up to */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(bad, buf[0], bytes);
        memcpy(bad + cases[k].at, cases[k].v, cases[k].len);
        reseal(bad, 3);
        CHECK_STATUS(fc_tile_check(bad, bytes, 0xabcdefull, 42, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_RANGE);
    }
    /* another model, another network, a short or long buffer, a group out of range */
    CHECK_STATUS(fc_tile_check(buf[0], bytes, 0xabcdefull, 43, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_NETWORK_ID);
    CHECK_CONTAINS(msg, "another model");
    CHECK_STATUS(fc_tile_check(buf[0], bytes, 0xabcdeeull, 42, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_NETWORK_ID);
    CHECK_STATUS(fc_tile_check(buf[0], bytes - 1, 0xabcdefull, 42, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_FIELD);
    CHECK_STATUS(fc_tile_check(buf[0], 10, 0xabcdefull, 42, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_FIELD);
    CHECK_STATUS(fc_tile_check(NULL, 0, 0xabcdefull, 42, Q, sizes, 2, &g, &dt, &pl, msg, sizeof msg), FC_E_FIELD);
    CHECK_STATUS(fc_tile_check(buf[0], bytes, 0xabcdefull, 42, Q, sizes, 1, &g, &dt, &pl, msg, sizeof msg), FC_E_FIELD);
    CHECK_CONTAINS(msg, "group 1, the network has 1");
    free(bad);
    for (int d = 0; d < FC_DAYTYPES; d++) {
        free(buf[d]);
        free(aligned[d]);
    }
    fc_profile_free(&view);
    fc_profile_free(&local);
}
