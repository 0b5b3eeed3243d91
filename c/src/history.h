/* history.h — per-sensor ring buffers of observations at the network's interval.
 *
 * Layout: one array per field, sensor-major (all slots of sensor 0, then sensor 1, ...), so a
 * sensor's time series is contiguous for the model and training; a snapshot commit writes one
 * element per sensor. Values are quantised to 16 bits (0.01 mph, 1 veh/h, 0.0001 occupancy):
 * 7 bytes per sensor-slot instead of 13 for floats, which keeps 4 weeks of the ~450-sensor
 * Atlanta network at 25 MB, small enough for a phone's browser.
 *
 * All storage is allocated by fc_history_init(); nothing allocates afterwards. */
#ifndef FC_HISTORY_H
#define FC_HISTORY_H
#include <stddef.h>
#include <stdint.h>

#define FC_Q_MISSING 0xFFFFu   /* quantised "no value" */
#define FC_SPEED_SCALE 100.0f  /* stored units per mph */
#define FC_OCC_SCALE 10000.0f  /* stored units per unit occupancy */

typedef struct fc_history {
    uint32_t n_sensors;
    uint32_t cap;          /* slots per sensor */
    int64_t head;          /* absolute slot number of the newest slot; INT64_MIN when empty */
    int64_t first;         /* slot of the first snapshot ever committed (INT64_MIN when empty) */
    uint16_t *speed;       /* [n_sensors * cap], index sensor * cap + slot % cap */
    uint16_t *volume;
    uint16_t *occupancy;
    uint8_t *quality;      /* OR of the quality flags of the readings in the slot */
} fc_history;

/* Returns 0, or -1 when out of memory (h is then empty and safe to free). */
int fc_history_init(fc_history *h, uint32_t n_sensors, uint32_t cap_slots);
void fc_history_free(fc_history *h);

/* Makes `slot` the newest slot, marking every slot after the old head as missing.
 * slot must be >= head. Returns the number of slots opened. */
uint32_t fc_history_advance(fc_history *h, int64_t slot);

static inline size_t fc_history_index(const fc_history *h, uint32_t sensor, int64_t slot)
{
    int64_t r = slot % (int64_t)h->cap;
    if (r < 0) r += h->cap;
    return (size_t)sensor * h->cap + (size_t)r;
}

/* Quantisation, shared by every writer and reader so they agree to the bit. */
uint16_t fc_q_speed(double mph);
uint16_t fc_q_volume(double vph);
uint16_t fc_q_occupancy(double occ);
float fc_dq_speed(uint16_t q);
float fc_dq_volume(uint16_t q);
float fc_dq_occupancy(uint16_t q);

#endif
