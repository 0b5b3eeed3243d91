/* model_mlp_pack.h — the shared network (model_mlp.h) as model file formats 6 and 5 store it,
 * in one place for the rounding training applies, the writer and the reader (model_pack.c holds
 * the file around it; the layout is in its header comment and docs/FORMATS.md).
 *
 * Bytes: u8 inputs (FC_MLP_IN in format 6, FC_MLP_IN_V5 in format 5), u8 hidden units
 * (FC_MLP_HID), u8 x4 the steps 2^-shift of the four parts (W1, b1, W2, b2), then every
 * parameter as i16 in its part's step.
 * A part's step is the finest at which its largest |w| fits an i16, so each weight keeps 15
 * bits of its part's range (f32 weights were 2 KB and compressed to 2.2). */
#ifndef FC_MODEL_MLP_PACK_H
#define FC_MODEL_MLP_PACK_H
#include <stddef.h>
#include <stdint.h>
#include "model_mlp.h"

/* Bytes of the section's content for a network of `horizons` outputs. */
static inline size_t fc_mlp_pack_size(uint32_t horizons) { return 6 + 2 * fc_mlp_params(horizons); }
/* The largest of them (24 horizons, model.h's FC_MAX_H): a writer's buffer. */
#define FC_MLP_PACK_MAX (6 + 2 * (FC_MLP_IN * FC_MLP_HID + FC_MLP_HID + 24 * (FC_MLP_HID + 1)))

/* Rounds p in place to what the file holds. Idempotent: a part's largest weight rounds to at
 * least 16,384 steps, which at the next finer step would be 32,768, beyond an i16, so a second
 * rounding finds the same step. */
void fc_mlp_pack_round(float *p, uint32_t horizons);
/* Writes fc_mlp_pack_size(horizons) bytes to out. */
void fc_mlp_pack_write(const float *p, uint32_t horizons, uint8_t *out);
/* Reads len bytes of a network of `inputs` inputs (FC_MLP_IN, or FC_MLP_IN_V5 for a format-5
 * file, whose missing inputs' weights are 0) into p: NULL, or why they are not (dimensions,
 * length, a step finer than 2^-30, a weight beyond 1e4); p may be partly written then. */
const char *fc_mlp_pack_read(const uint8_t *in, size_t len, uint32_t horizons, int inputs, float *p);

#endif
