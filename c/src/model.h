/* model.h — the forecasting model: for every sensor and every horizon 1..H steps, a linear
 * model of the speed change from the origin, on features from the sensor's recent speeds, its
 * downstream/upstream neighbours, and its time-of-day profile; fitted with a Huber loss (close
 * to the median, which is what MAE rewards) by iteratively reweighted least squares, first
 * pooled over sensors (the "global" model), then per sensor with a ridge penalty that pulls
 * each sensor's weights toward the global ones (a hierarchical prior: sensors with little or
 * odd data stay near the pooled fit). Each (sensor, horizon) has two weight sets, one per
 * regime: whether the time-of-day profile drops markedly between the origin and the target
 * (a queue is due to form) or not; a forecast uses the set of its regime. Two later stages,
 * the same for every sensor, correct the linear forecast: a small network over the last hour
 * and the profile ahead (model_mlp.h), then tables over binned inputs fitted to what it leaves
 * (model_resid.h). Prediction intervals are the 10% and 90% quantiles of each sensor's training
 * residuals per horizon.
 *
 * Training is a sequence of bounded steps (fc_trainer_step) so a caller can report progress and
 * stay responsive; it is deterministic for the same data.
 *
 * Files: model.c (memory, calendar, cleaning, online profile update), model_features.h/.c (the
 * feature table and the one place that fills it), model_train.c, model_forecast.c,
 * model_mlp.c (the network), model_resid.c (the tables), model_solve.c (dense algebra),
 * model_io.c and model_pack.c (the file formats). */
#ifndef FC_MODEL_H
#define FC_MODEL_H
#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "history.h"
#include "network.h"
#include "profile.h"
#include "flowcast.h"
#include "model_features.h" /* FC_NF, the feature table */
#include "model_resid.h"    /* the pooled residual correction */
#include "model_mlp.h"      /* the shared network */

#define FC_REGIMES 2      /* weight sets per (sensor, horizon): profile steady, profile dropping */
#define FC_MAX_H 24       /* longest horizon in steps (2 h at 5-minute data) */
#define FC_LAG_MAX 11     /* history before the first training origin (slots); sizes the recent window */
#define FC_STUCK_RUN 12   /* this many identical readings in a row is a stuck sensor */
#define FC_CARRY_MAX 6    /* a missing reading is replaced by the last one for at most 6 slots */
#define FC_RECENT (FC_LAG_MAX + FC_STUCK_RUN + 2) /* slots read back for one forecast */

/* Calendar of a history slot in the network's time zone. */
typedef struct fc_slot_cal {
    int32_t local_day;   /* days since 1970-01-01, local */
    uint16_t tod;        /* slot of the local day */
    uint8_t daytype;     /* 0 weekday, 1 weekend */
} fc_slot_cal;

/* The default clamp of speeds (mph): fc_config_default's max_speed_mph, and a new model's until
 * the engine installs it with its own config (a constant here, so the model layer does not call
 * up into the engine for it). */
#define FC_DEFAULT_MAX_SPEED_MPH 120.0f

typedef struct fc_model {
    uint32_t n, horizons, q;   /* sensors, horizons, profile slots per day */
    uint32_t interval_s;
    fc_train_options params;
    float max_speed_mph;       /* forecasts and their bounds are clamped to [0, max_speed_mph]:
                                * the engine's fc_config.max_speed_mph, which it sets when it
                                * installs a model (fc_model_alloc starts from the default) */
    float *w;                  /* [FC_REGIMES][n][horizons][FC_NF]: regime-major, so the common
                                * regime's weights are contiguous for a forecast */
    float *lo, *hi;            /* [n][horizons] residual quantiles (10%, 90%) */
    float *rc;                 /* [horizons][FC_RC_CELLS]: the pooled correction (model_resid.h)
                                * added to every sensor's linear forecast */
    float *mlp;                /* [fc_mlp_params(horizons)]: the shared network (model_mlp.h),
                                * whose outputs are added too; all zeros without one */
    int has_mlp;               /* mlp is not all zeros (a forecast skips it otherwise) */
    fc_profile prof;
    uint64_t train_rows;       /* history slots the model was trained on */
    uint64_t network_hash;     /* ties a model file to its network */
    float *recent;             /* [n][FC_RECENT] forecast scratch, allocated with the model */
    uint8_t *evidence;         /* [n] fc_evidence of the last forecast (scratch, as recent) */
    fc_slot_cal *cal;         /* calendar of the slots one forecast looks at (scratch) */
    /* A window model (loaded from a window file, model_pack.h): only the profile cells with
     * window[daytype * q + tod] set came with the file, the others are empty, so a forecast
     * whose lookups leave them is refused (fc_model_window_covers) rather than made from zeros.
     * NULL for a model with all its profiles. window_first / window_origins: the origin slots
     * the file was cut for (messages). */
    uint8_t *window;
    int64_t window_first;
    uint32_t window_origins;
} fc_model;

/* Slots whose calendar one forecast needs (m->cal): the recent window and the horizons, each
 * widened by the profile window; m->cal[k] is slot fc_model_cal_first(m, head) + k. */
static inline size_t fc_model_cal_span(const fc_train_options *p)
{
    return (size_t)FC_RECENT + 2 * p->smooth_slots + p->horizons + 1;
}
static inline int64_t fc_model_cal_first(const fc_model *m, int64_t head)
{
    return head - FC_RECENT - (int64_t)m->params.smooth_slots + 1;
}

/* Allocates a model's arrays (weights zero, empty profiles unless with_profiles is 0). Returns
 * NULL when out of memory. */
fc_model *fc_model_alloc(uint32_t n, uint32_t horizons, uint32_t slots_per_day, uint32_t interval_s,
                         const fc_train_options *p, int with_profiles);
/* Whether the model holds its own profile arrays (not so for a file without profiles, nor in
 * tile mode, where the profiles come from tiles). */
static inline int fc_model_has_profiles(const fc_model *m) { return !m->prof.tiled; }
/* Whether it holds every profile cell (not a window model): what saving a full file and
 * exporting tiles need. */
static inline int fc_model_has_all_profiles(const fc_model *m) { return !m->prof.tiled && !m->window; }

void fc_model_free(fc_model *m);
/* Whether m's shared network has a weight that is not 0 (m->has_mlp). */
int fc_model_mlp_nonzero(const fc_model *m);
void fc_train_options_default_impl(fc_train_options *p);

void fc_slot_calendar(const fc_network *net, int64_t slot, fc_slot_cal *out);

/* The cleaning rule shared by training and forecasting: q is the quantised reading at a slot,
 * prev[0..FC_STUCK_RUN-2] the ones before it (newest first). Returns mph or NaN. */
float fc_clean_value(uint16_t q, const uint16_t *prev, int n_prev);

/* The imputation rule shared by training and forecasting, over a cleaned series x[0..n-1]
 * (NaN missing): out[k] is the reading (level FC_EVIDENCE_OBSERVED), else the last reading for
 * at most FC_CARRY_MAX slots (FC_EVIDENCE_CARRIED), else NaN (FC_EVIDENCE_PROFILE): the caller
 * fills those from the profile it uses. level may be NULL. */
void fc_carry_forward(const float *x, size_t n, float *out, uint8_t *level);

/* ---- training ---- */
typedef struct fc_trainer fc_trainer;

/* Prepares training on the whole history (cleaning, calendar, profiles); FC_E_STATE without
 * history, FC_E_RANGE for options or data that cannot train, FC_E_NOMEM; message in msg. */
fc_status fc_trainer_create(const fc_network *net, const fc_graph *g, const fc_history *h,
                      const fc_train_options *p, uint64_t network_hash, fc_trainer **out,
                      char *msg, size_t msg_cap);
/* Does a bounded amount of work; returns progress in [0, 1] (1 = done), or < 0 on failure. */
double fc_trainer_step(fc_trainer *t);
/* Hands over the finished model (caller frees with fc_model_free) and frees the trainer. */
fc_model *fc_trainer_finish(fc_trainer *t);
void fc_trainer_free(fc_trainer *t);

/* ---- forecasting ---- */

/* Forecasts every sensor at horizons 1..m->horizons from the newest history slot. Outputs are
 * sensor-major [n][horizons]; any may be NULL. evidence[n] (optional) gets each sensor's
 * fc_evidence (flowcast.h): the interval is widened when the origin reading was imputed, and a
 * sensor with neither recent readings nor a trusted profile is estimated from its neighbours
 * or, without reporting neighbours, left NaN. */
int fc_model_forecast(fc_model *m, const fc_network *net, const fc_graph *g,
                      const fc_history *h, float *mid, float *lo, float *hi, uint8_t *evidence);

/* fc_model_forecast in three parts, for forecasting sensor groups one at a time (tile mode):
 * prepare computes the calendar and every sensor's cleaned recent window (neighbour features
 * read the others'), -1 without data; then forecast_sensors forecasts `count` sensors (indices
 * in `sensors`, or 0..count-1 when NULL) into the [n][horizons] outputs and m->evidence, NaN
 * (FC_EVIDENCE_NONE) for the sensors without evidence of their own; once every sensor is done,
 * forecast_neighbours estimates those from their neighbours. The profile lookups of a sensor
 * happen only inside forecast_sensors, for the day types fc_model_window_daytypes names (bit d
 * set = day type d). */
int fc_model_forecast_prepare(fc_model *m, const fc_network *net, const fc_history *h);
unsigned fc_model_window_daytypes(const fc_model *m);
void fc_model_forecast_sensors(fc_model *m, const fc_graph *g, const fc_history *h, const uint32_t *sensors,
                               uint32_t count, float *mid, float *lo, float *hi);
void fc_model_forecast_neighbours(fc_model *m, const fc_graph *g, float *mid, float *lo, float *hi);

/* Adds a closed slot to the profiles (online update without retraining). */
void fc_model_observe_slot(fc_model *m, const fc_network *net, const fc_history *h, int64_t slot);

/* ---- the model's side of profile tiles (model_tiles.c; tile_mode.h drives them) ---- */

/* The model's identity for tiles: a hash of its weights, intervals and pooled correction, so that tiles cut from
 * another model are refused. */
uint64_t fc_model_id(const fc_model *m);
/* The model's profiles, read-only (tile export). */
const fc_profile *fc_model_profile(const fc_model *m);
/* Switches m's profiles to tile mode (frees the arrays); pos[n] must outlive m's lookups. */
void fc_model_use_tiles(fc_model *m, const uint32_t *pos);
/* Points m's profile lookups at one sensor group's tile payloads (fc_profile_show_tiles). */
void fc_model_show_tiles(fc_model *m, const uint8_t *const payload[FC_DAYTYPES], uint32_t group_sensors);

#endif
