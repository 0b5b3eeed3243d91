/* model_resid.h — the model's second stage: a pooled correction of the linear forecast
 * (model.h), a sum of small tables per horizon, the same for every sensor.
 *
 * Why: each sensor's linear model is linear in its features and fit to a few days of that
 * sensor alone. What they all miss alike — that the change to come depends on the time of day
 * together with where the speed stands, on whether the last minutes fell or rose and by how
 * much (a queue forming does not continue linearly), on the profile's pull as a function of
 * the distance to it — shows in every sensor's residuals. Tables over binned inputs, single
 * and in pairs, fitted to the residuals of all sensors at once learn that nonlinear part from
 * ~200x more samples than one sensor has; a forecast reads eight cells per horizon and the
 * file holds 432 numbers per horizon. Chosen on the inner split (PERFORMANCE.md §32).
 *
 * The inputs are binned by fixed rules here, so a bin means the same in training and
 * forecasting: the origin's part once per sensor (fc_rc_origin), the target's per horizon
 * (fc_rc_cells). The tables are fitted by backfitting with a Huber loss (fc_rc_fit). */
#ifndef FC_MODEL_RESID_H
#define FC_MODEL_RESID_H
#include <stddef.h>
#include <stdint.h>
#include "model_features.h"

/* Each input is cut into FC_RC_FINE bins (clamped at both ends); a pair table crosses two
 * inputs at FC_RC_FINE / FC_RC_PAIR_DIV bins each (24 x 24 cells would be mostly empty). */
#define FC_RC_FINE 24
#define FC_RC_PAIR_DIV 3
#define FC_RC_COARSE (FC_RC_FINE / FC_RC_PAIR_DIV)
#define FC_RC_PAIR (FC_RC_COARSE * FC_RC_COARSE)

/* The tables, in the order of the model's array and its file. Inputs: TREND1 = speed 1 slot
 * before the origin minus the origin speed x0 (bins of 1 mph over -12..12), TREND3 = 3 slots
 * before minus x0 (2 mph, -24..24), DOWN = downstream mean minus x0 (2.5 mph, -30..30),
 * SPEED = x0 (3 mph, 0..72), TO_PROFILE = profile at the target minus x0 (2.5 mph, -30..30),
 * CHANGE = profile at the target minus at the origin (1.5 mph, -18..18), HOUR = the target's
 * hour of the local day. */
enum fc_rc_table {
    FC_RC_T_TREND1,                /* 24 */
    FC_RC_T_TREND3,                /* 24 */
    FC_RC_T_TO_PROFILE_X_DOWN,     /* 8 x 8 */
    FC_RC_T_HOUR_X_TO_PROFILE,
    FC_RC_T_TREND1_X_TO_PROFILE,
    FC_RC_T_HOUR_X_SPEED,
    FC_RC_T_CHANGE_X_HOUR,
    FC_RC_T_TREND3_X_HOUR,
    FC_RC_TABLES
};
/* Cells of one horizon: two single tables, six pair tables. */
#define FC_RC_CELLS (2 * FC_RC_FINE + 6 * FC_RC_PAIR)
_Static_assert(FC_RC_CELLS == 432, "a table added or resized: bump the model file's version (model_pack.c)");

/* The bins an origin fixes for every horizon (fine bins, 0..FC_RC_FINE-1). */
typedef struct fc_rc_origin {
    uint8_t trend1, trend3, down, speed;
} fc_rc_origin;

static inline uint8_t fc_rc_bin(float v, float lo, float step)
{
    float b = (v - lo) / step;
    /* truncation is floor for b >= 0 (no libm call on the forecast's path); NaN lands in bin 0
     * (no input is NaN today: imputed speeds and profiles are finite) */
    return b >= 0 ? (b < FC_RC_FINE - 1 ? (uint8_t)b : FC_RC_FINE - 1) : 0;
}

static inline void fc_rc_origin_bins(const fc_feat_in *in, fc_rc_origin *o)
{
    float x0 = in->x0, nd0 = fc_neighbour_now(in->down[0], x0);
    o->trend1 = fc_rc_bin(in->lag[0] - x0, -12, 1);
    o->trend3 = fc_rc_bin(in->lag[2] - x0, -24, 2);
    o->down = fc_rc_bin(nd0 - x0, -30, 2.5f);
    o->speed = fc_rc_bin(x0, 0, 3);
}

/* The cell of each table (its index within the table) for the target of `in` at local hour
 * `hour` (0..23). */
static inline void fc_rc_cells(const fc_rc_origin *o, const fc_feat_in *in, int hour, uint8_t cell[FC_RC_TABLES])
{
    const int D = FC_RC_PAIR_DIV, C = FC_RC_COARSE;
    int to_prof = fc_rc_bin(in->pr - in->x0, -30, 2.5f), change = fc_rc_bin(in->pr - in->p0, -18, 1.5f);
    int hr = hour >= 0 && hour < FC_RC_FINE ? hour : 0;
    cell[FC_RC_T_TREND1] = o->trend1;
    cell[FC_RC_T_TREND3] = o->trend3;
    cell[FC_RC_T_TO_PROFILE_X_DOWN] = (uint8_t)(to_prof / D * C + o->down / D);
    cell[FC_RC_T_HOUR_X_TO_PROFILE] = (uint8_t)(hr / D * C + to_prof / D);
    cell[FC_RC_T_TREND1_X_TO_PROFILE] = (uint8_t)(o->trend1 / D * C + to_prof / D);
    cell[FC_RC_T_HOUR_X_SPEED] = (uint8_t)(hr / D * C + o->speed / D);
    cell[FC_RC_T_CHANGE_X_HOUR] = (uint8_t)(change / D * C + hr / D);
    cell[FC_RC_T_TREND3_X_HOUR] = (uint8_t)(o->trend3 / D * C + hr / D);
}

/* The hour of the local day (0..23) of a slot tod slots into it (a 25-hour DST day's last
 * hour counts as hour 0). */
static inline int fc_rc_hour(uint32_t interval_s, uint32_t tod)
{
    return (int)((uint64_t)tod * interval_s / 3600u % 24u);
}

/* Where table k starts within a horizon's FC_RC_CELLS, and its size. */
static inline int fc_rc_table_start(int k) { return k < 2 ? k * FC_RC_FINE : 2 * FC_RC_FINE + (k - 2) * FC_RC_PAIR; }
static inline int fc_rc_table_size(int k) { return k < 2 ? FC_RC_FINE : FC_RC_PAIR; }

/* The correction at one horizon: rc points at that horizon's FC_RC_CELLS. Written out table by
 * table: the loop over fc_rc_table_start was 11% of a forecast's instructions natively; the sum
 * is the same, in the same order. */
#define FC_RC_AT(k) (rc + ((k) < 2 ? (k) * FC_RC_FINE : 2 * FC_RC_FINE + ((k) - 2) * FC_RC_PAIR))
static inline float fc_rc_value(const float *rc, const uint8_t cell[FC_RC_TABLES])
{
    _Static_assert(FC_RC_TABLES == 8, "fc_rc_value sums eight tables");
    return FC_RC_AT(0)[cell[0]] + FC_RC_AT(1)[cell[1]] + FC_RC_AT(2)[cell[2]] + FC_RC_AT(3)[cell[3]] +
           FC_RC_AT(4)[cell[4]] + FC_RC_AT(5)[cell[5]] + FC_RC_AT(6)[cell[6]] + FC_RC_AT(7)[cell[7]];
}
#undef FC_RC_AT

/* Fits one horizon's FC_RC_CELLS (rc) to n samples (cells[n][FC_RC_TABLES] as fc_rc_cells
 * gives them, residual r[n]) by backfitting: each table in turn takes, cell by cell, the Huber
 * (knee huber_mph) weighted mean of what the other tables leave, shrunk toward 0 by prior
 * samples' worth. e[n] is scratch. Deterministic: a fixed order of fixed-size sums. */
void fc_rc_fit(const uint8_t *cells, const float *r, uint32_t n, float huber_mph, float prior, float *e, float *rc);

#endif
