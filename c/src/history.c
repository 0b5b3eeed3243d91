/* history.c — see history.h. */
#include "history.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int fc_history_init(fc_history *h, uint32_t n_sensors, uint32_t cap_slots)
{
    memset(h, 0, sizeof *h);
    h->head = h->first = INT64_MIN;
    /* in wasm32 size_t is 32 bits: a large network with long history must fail cleanly */
    if ((uint64_t)n_sensors * cap_slots * sizeof(uint16_t) > (uint64_t)SIZE_MAX / 2) return -1;
    size_t n = (size_t)n_sensors * cap_slots;
    h->n_sensors = n_sensors;
    h->cap = cap_slots;
    h->speed = malloc(n * sizeof(uint16_t));
    h->volume = malloc(n * sizeof(uint16_t));
    h->occupancy = malloc(n * sizeof(uint16_t));
    h->quality = malloc(n);
    if (!h->speed || !h->volume || !h->occupancy || !h->quality) {
        fc_history_free(h);
        return -1;
    }
    /* 0xFF bytes make every 16-bit value FC_Q_MISSING */
    memset(h->speed, 0xFF, n * sizeof(uint16_t));
    memset(h->volume, 0xFF, n * sizeof(uint16_t));
    memset(h->occupancy, 0xFF, n * sizeof(uint16_t));
    memset(h->quality, 0, n);
    return 0;
}

void fc_history_free(fc_history *h)
{
    free(h->speed);
    free(h->volume);
    free(h->occupancy);
    free(h->quality);
    memset(h, 0, sizeof *h);
    h->head = h->first = INT64_MIN;
}

static void clear_slot(fc_history *h, int64_t slot)
{
    for (uint32_t s = 0; s < h->n_sensors; s++) {
        size_t i = fc_history_index(h, s, slot);
        h->speed[i] = h->volume[i] = h->occupancy[i] = FC_Q_MISSING;
        h->quality[i] = 0;
    }
}

uint32_t fc_history_advance(fc_history *h, int64_t slot)
{
    if (h->head == INT64_MIN) {
        /* the buffer is still all-missing from init */
        h->head = h->first = slot;
        return 1;
    }
    if (slot <= h->head) return 0;
    int64_t gap = slot - h->head;
    /* beyond one full turn every slot is cleared once */
    int64_t n = gap < (int64_t)h->cap ? gap : (int64_t)h->cap;
    for (int64_t k = 0; k < n; k++) clear_slot(h, slot - k);
    h->head = slot;
    return gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
}

#ifdef FC_SLOW_FOR_TEST
/* Deliberate extra work, compiled in only by the performance gate's own test
 * (tests/gate.test.mjs) to prove that the instruction budgets catch a regression. */
static double slow_for_test(double v)
{
    volatile double x = v;
    for (int i = 0; i < 200; i++) x = x * 1.0000001;
    return v + 0 * x;
}
#define SLOW(v) slow_for_test(v)
#else
#define SLOW(v) (v)
#endif

uint16_t fc_q_speed(double mph) { return (uint16_t)lrint(SLOW(mph) * FC_SPEED_SCALE); }
uint16_t fc_q_volume(double vph) { return (uint16_t)lrint(vph); }
uint16_t fc_q_occupancy(double occ) { return (uint16_t)lrint(occ * FC_OCC_SCALE); }
float fc_dq_speed(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q / FC_SPEED_SCALE; }
float fc_dq_volume(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q; }
float fc_dq_occupancy(uint16_t q) { return q == FC_Q_MISSING ? NAN : (float)q / FC_OCC_SCALE; }
