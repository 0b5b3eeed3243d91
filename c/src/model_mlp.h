/* model_mlp.h — the model's third stage: a small network, the same for every sensor, from the
 * sensor's last hour and its profile ahead to a correction of every horizon's forecast.
 *
 * Why: the linear models (model.h) see 15 minutes of a sensor's own past, and the pooled tables
 * (model_resid.h) see pairs of binned inputs. What neither sees is the shape of the last hour
 * together with the profile ahead and the time of day — a queue that has been building for
 * 40 minutes, a recovery halfway done — which STID-like models learn from all sensors at once.
 * A network of one hidden layer (16 units) over 24 inputs, fitted to the linear models'
 * residuals pooled over the sensors, lowered the inner split's MAE by 1.3-2.4% at 15-45 min
 * (PERFORMANCE.md §34, with the first 19 inputs; the last five, §35); the tables are then
 * fitted to what it leaves.
 *
 * Inputs (fc_mlp_inputs, the one place training and forecasting fill them): the sensor's speed
 * 1, 2, 3, 4, 6, 8 and 11 slots before the origin minus the origin speed x0; the downstream and
 * upstream neighbours' means minus x0; the profile at the origin and at four points up to the
 * last horizon minus x0; the time of day as four triangle waves (periods of 24 and 12 hours, a
 * quarter period apart: like sine and cosine, without a libm call whose last bit differs
 * between C libraries); the day type; the profile 3, 6 and 11 slots before the origin minus x0
 * (how far from its usual the sensor has been over the hour: with the lags, the anomaly's
 * trajectory); the downstream mean 1 and 3 slots before minus x0 (whether the congestion ahead
 * is coming or going). Outputs: one value per horizon (mph), added to the forecast.
 *
 * Parameters, one float array (the model's m->mlp), each layer input-major so the forward pass
 * is vector updates of whole rows (24 of the 16 hidden units, then 16 of the horizons' outputs)
 * rather than dot products, whose sums compilers may not reorder into SIMD:
 * W1[FC_MLP_IN][FC_MLP_HID], b1[FC_MLP_HID], W2[FC_MLP_HID][horizons], b2[horizons]. All zeros
 * is no correction (a format-4 file's model). */
#ifndef FC_MODEL_MLP_H
#define FC_MODEL_MLP_H
#include <stddef.h>
#include <stdint.h>
#include "model_features.h"

#define FC_MLP_IN 24
/* Format 5 files' networks had the first 19 inputs: as a network of 24 whose last five inputs
 * weigh nothing they forecast the same (model_mlp_pack.c reads them so). */
#define FC_MLP_IN_V5 19
#define FC_MLP_HID 16
/* Slots before the origin the lag inputs read (the deepest must be <= FC_LAG_MAX, model.h). */
#define FC_MLP_LAGS 7
static const int fc_mlp_lag_back[FC_MLP_LAGS] = {1, 2, 3, 4, 6, 8, 11};
#define FC_MLP_BACK 11
/* Slots before the origin of the profile inputs (<= FC_MLP_BACK) and of the downstream ones
 * (among fc_down_back's, which the forecast fills). */
#define FC_MLP_PROF_BACK 3
static const int fc_mlp_prof_back[FC_MLP_PROF_BACK] = {3, 6, 11};
#define FC_MLP_DOWN_BACK 2
static const int fc_mlp_down_back[FC_MLP_DOWN_BACK] = {1, 3};

static inline size_t fc_mlp_params(uint32_t horizons)
{
    return (size_t)FC_MLP_IN * FC_MLP_HID + FC_MLP_HID + (size_t)horizons * (FC_MLP_HID + 1);
}

/* The profile points ahead the inputs read: k * horizons / 4 slots after the origin, k = 1..4
 * (3, 6, 9, 12 for an hour of 5-minute steps). */
static inline uint32_t fc_mlp_ahead(uint32_t horizons, int k)
{
    uint32_t a = (uint32_t)k * horizons / 4;
    return a ? a : 1;
}

/* Minutes into the local day of a slot `tod` slots of interval_s seconds after midnight: the
 * time of day fc_mlp_inputs takes, the same in training and forecasting. */
static inline uint32_t fc_mlp_minute(uint32_t tod, uint32_t interval_s) { return (uint32_t)((uint64_t)tod * interval_s / 60u); }

/* The inputs of origin o of a sensor's series: s->speed back FC_MLP_BACK slots, s->down at o
 * and fc_mlp_down_back slots before, s->up at o, s->profile at o, at the fc_mlp_ahead points
 * and fc_mlp_prof_back slots before. minute: minutes into the local
 * day of the origin (0..1439); daytype as the profile's. */
void fc_mlp_inputs(const fc_feature_series *s, size_t o, uint32_t horizons, uint32_t minute, int daytype,
                   float x[FC_MLP_IN]);

/* out[k] for k < horizons: the correction of horizon k + 1 (mph). */
void fc_mlp_forward(const float *params, uint32_t horizons, const float x[FC_MLP_IN], float *out);

/* ---- training (model_train.c drives it) ----
 * Samples (an origin of a sensor: its inputs and the residual of every horizon's linear
 * forecast, NaN where there is no target) are kept as 16-bit fixed point (1/128 mph) to bound
 * the memory: at most cap samples. Training is minibatch Adam on a Huber loss, in a fixed
 * order from a fixed seed: deterministic for the same samples. */
typedef struct fc_mlp_trainer fc_mlp_trainer;

fc_mlp_trainer *fc_mlp_trainer_new(uint32_t horizons, uint32_t cap);
void fc_mlp_trainer_free(fc_mlp_trainer *t);
/* Adds a sample with the given inputs and no targets yet; its index, or -1 when full. */
int32_t fc_mlp_add(fc_mlp_trainer *t, const float x[FC_MLP_IN]);
/* Sets the residual of horizon h (0-based) of sample i. */
void fc_mlp_target(fc_mlp_trainer *t, int32_t i, uint32_t h, float r);
/* Runs a bounded part of the training; returns 1 once every epoch is done, when params
 * (fc_mlp_params(horizons) floats) hold the network and each sample's targets have become
 * what the network leaves of them (fc_mlp_left). With too few samples to learn from, params
 * stay zero (no correction). progress, when not NULL, gets the share done (0..1). */
int fc_mlp_train_step(fc_mlp_trainer *t, float *params, double *progress);
/* After training: the residual of sample i at horizon h that the network leaves. */
float fc_mlp_left(const fc_mlp_trainer *t, int32_t i, uint32_t h);
/* Samples held. */
uint32_t fc_mlp_count(const fc_mlp_trainer *t);

#endif
