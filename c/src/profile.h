/* profile.h — time-of-day speed profiles per sensor and day type (weekday, weekend): running
 * sums and counts per slot of the local day, so they update online as slots close, without
 * retraining. Lookups average a window of ±smooth slots and shrink toward the sensor's overall
 * mean with `prior` pseudo-observations, which keeps a profile built from a few days sane.
 *
 * A lookup can leave out given sums (the caller's own day): the model's training features must
 * not see the value they predict, and forecasts use the same rule so features mean the same. */
#ifndef FC_PROFILE_H
#define FC_PROFILE_H
#include <stdint.h>

#define FC_DAYTYPES 2  /* 0 = Monday..Friday, 1 = Saturday, Sunday */

typedef struct fc_profile {
    uint32_t n;        /* sensors */
    uint32_t q;        /* slots per local day */
    float *sum, *cnt;  /* [n][FC_DAYTYPES][q] */
    double *all_sum, *all_cnt; /* [n] every observation, for the prior mean */
    /* Tile mode (tile_mode.c, tile.h): the arrays above are freed and lookups read the payloads
     * of the current sensor group's tiles instead; adds are ignored (the server's tiles are the
     * profiles) and nothing is left out (tiles hold other days only). Set only through
     * fc_profile_use_tiles and fc_profile_show_tiles. */
    int tiled;
    const uint32_t *pos;                 /* [n] sensor -> position in its group (the tile state's) */
    const uint8_t *view[FC_DAYTYPES];    /* current group's tile payload per day type, or NULL */
    uint32_t view_m;                     /* sensors in the current group */
} fc_profile;

int fc_profile_init(fc_profile *p, uint32_t n, uint32_t slots_per_day);
void fc_profile_free(fc_profile *p);
void fc_profile_clear(fc_profile *p);
/* Switches to tile mode: frees the arrays; pos must outlive the profile. */
void fc_profile_use_tiles(fc_profile *p, const uint32_t *pos);
/* Tile mode: lookups from now on read the tile payloads of one sensor group of m sensors
 * (payload[d] for day type d, NULL for a day type the caller will not look up; tile.h layout,
 * 8-byte aligned); they must outlive the lookups. */
void fc_profile_show_tiles(fc_profile *p, const uint8_t *const payload[FC_DAYTYPES], uint32_t m);
void fc_profile_add(fc_profile *p, uint32_t sensor, int daytype, uint32_t tod, float value);

/* Smoothed, shrunk profile value; ex_sum/ex_cnt are subtracted from the window's totals. In
 * tile mode the view for the sensor's group and this day type must be set. */
float fc_profile_get(const fc_profile *p, uint32_t sensor, int daytype, uint32_t tod, int smooth,
                     float prior, float ex_sum, float ex_cnt);

/* fc_profile_get in parts, for a caller that looks up a run of consecutive slots (a forecast's
 * horizons) and slides the window instead of summing it again: a sensor's row for a day type,
 * the window's totals at a time of day, and the value from totals. The totals are sums of floats
 * in double, exact for profile values (whole counts, speed sums spanning far fewer than 29
 * binary orders of magnitude), so a slid window gives bit-identical values. */
typedef struct fc_profile_row {
    const float *sums, *cnts; /* [q] */
    double all_sum, all_cnt;  /* the sensor's totals (the prior mean) */
    uint32_t q;
} fc_profile_row;
void fc_profile_row_of(const fc_profile *p, uint32_t sensor, int daytype, fc_profile_row *r);
void fc_profile_window(const fc_profile_row *r, uint32_t tod, int smooth, double *sum, double *cnt);
/* ex_sum/ex_cnt are left out of the totals, as fc_profile_get's. */
float fc_profile_value(const fc_profile_row *r, double sum, double cnt, float prior, float ex_sum, float ex_cnt);

/* How many readings of the sensor the profile holds (all day types; in tile mode from the
 * current group's tile of day type `daytype`, which must be set). */
double fc_profile_count(const fc_profile *p, uint32_t sensor, int daytype);

#endif
