/* history.h — a ring buffer of observations at the network's interval, one row per slot.
 *
 * Layout: one array per field, slot-major (row = all sensors of one slot): a snapshot commit
 * writes whole rows, contiguous, so ingest runs at memory speed instead of touching four
 * scattered cache lines per sensor (PERFORMANCE.md §14); the model's readers take a few recent
 * rows (forecast) or walk a sensor's column once (training), which the cache handles. Values
 * are quantised to 16 bits (0.01 mph, 1 veh/h, 0.0001 occupancy):
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
/* Readings of one sensor and field averaged into one slot; later ones are ignored. The bound
 * keeps the running sums below 2^24, where float arithmetic on them is exact (history.c). */
#define FC_SLOT_MAX_READINGS 255
enum { FC_F_SPEED, FC_F_VOLUME, FC_F_OCC, FC_F_N };

typedef struct fc_history {
    uint32_t n_sensors;
    uint32_t cap;          /* slots per sensor */
    int64_t head;          /* absolute slot number of the newest slot; INT64_MIN when empty */
    int64_t first;         /* slot of the first snapshot ever committed (INT64_MIN when empty) */
    uint16_t *speed;       /* [cap * n_sensors], index (slot % cap) * n_sensors + sensor */
    uint16_t *volume;
    uint16_t *occupancy;
    uint8_t *quality;      /* OR of the quality flags of the readings in the slot */
    /* The newest slot's running sums (stored units) and counts per sensor and field, so that
     * several snapshots in one slot average. They are live only from the slot's second commit
     * on: a slot with one snapshot holds it as it came, so that commit is a row copy (the
     * normal case for a feed at the network's interval). */
    uint32_t *sum[FC_F_N];
    uint16_t *count[FC_F_N];
    uint32_t open_commits; /* snapshots in the newest slot: 0, 1, or 2 meaning "2 or more" */
    /* 1 while the newest row's cells lag its running sums: a slot's later snapshots only add to
     * the sums, and the means are computed when the row is next read (fc_history_settle). */
    uint32_t pending;
} fc_history;

/* Returns 0, or -1 when out of memory (h is then empty and safe to free). */
int fc_history_init(fc_history *h, uint32_t n_sensors, uint32_t cap_slots);
void fc_history_free(fc_history *h);

/* Makes `slot` the newest slot, marking every slot after the old head as missing, except the
 * new newest slot's own row, which the fc_history_commit() that must follow writes whole.
 * slot must be >= head. Returns the number of slots opened. */
uint32_t fc_history_advance(fc_history *h, int64_t slot);

/* The first index of a slot's row. */
static inline size_t fc_history_row(const fc_history *h, int64_t slot)
{
    int64_t r = slot % (int64_t)h->cap;
    if (r < 0) r += h->cap;
    return (size_t)r * h->n_sensors;
}

/* Folds one snapshot's readings (quantised; FC_Q_MISSING = no value) into the newest slot: a
 * slot's first snapshot is copied into its row; later ones add to the running sums, and each
 * cell becomes the mean of the slot's readings so far, rounded half to even, when the row is
 * next settled (fc_history_settle). Quality flags are OR-ed at once. The columns must not alias
 * anything the history owns. */
void fc_history_commit(fc_history *h, const uint16_t *speed, const uint16_t *volume,
                       const uint16_t *occupancy, const uint8_t *quality);

/* Brings the newest row's cells up to date with its running sums (nothing to do unless a slot
 * had several snapshots since the last read). Every reader of the history calls it first: the
 * engine through fc_engine_history() (engine.h); fc_history_index() checks it in debug builds. */
void fc_history_settle(fc_history *h);

/* A check for debug builds (ASan, wasm debug) that needs no import: assert() would bring in the
 * C library's abort path, which the standalone wasm does not have; a trap is wasm's
 * `unreachable` (a RuntimeError in JS) and SIGILL natively. */
#ifdef NDEBUG
#define FC_DEBUG_CHECK(cond) ((void)0)
#else
#define FC_DEBUG_CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)
#endif

static inline size_t fc_history_index(const fc_history *h, uint32_t sensor, int64_t slot)
{
    FC_DEBUG_CHECK(!h->pending || slot != h->head); /* a reader of the newest slot did not settle it */
    return fc_history_row(h, slot) + sensor;
}

/* Quantisation, shared by every writer and reader so they agree to the bit. */
uint16_t fc_q_speed(double mph);
uint16_t fc_q_volume(double vph);
uint16_t fc_q_occupancy(double occ);
float fc_dq_speed(uint16_t q);
float fc_dq_volume(uint16_t q);
float fc_dq_occupancy(uint16_t q);

#endif
