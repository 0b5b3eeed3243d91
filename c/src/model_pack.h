/* model_pack.h — model file format 3: the model packed to what a forecast needs to the
 * precision it needs (weights and intervals as fixed-point integers, profiles as 0.1 mph means
 * and whole counts), delta-coded so that a general compressor (brotli, gzip on the wire) finds
 * the repetition, and optionally cut to a window of the profiles (the hour after a time).
 * Byte layout in model_pack.c and docs/FORMATS.md. model_io.c dispatches on the version. */
#ifndef FC_MODEL_PACK_H
#define FC_MODEL_PACK_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "model.h"

/* 6: format 5 with the shared network's 24 inputs; 5: format 4 with the shared network
 * (model_mlp.h, 19 inputs) after the pooled correction; 4: format 3 with the pooled correction
 * (model_resid.h) after the intervals. Format 5 files still load (their network as one of 24
 * inputs whose last five weigh 0), format 4 files without the network, format 3 files without
 * either. */
#define FC_PACK_VERSION 6u

/* What a format-3 file holds of the profiles. */
typedef enum fc_pack_profiles {
    FC_PACK_NO_PROFILES = 0, /* weights and intervals only (tile mode) */
    FC_PACK_ALL = 1,         /* every profile cell */
    FC_PACK_WINDOW = 2       /* the cells forecasts from origins first..first+origins-1 read */
} fc_pack_profiles;

/* Rounds m in place to what its format-3 file holds (weights, intervals, profile cells), so a
 * freshly trained model forecasts exactly as the file it saves, and fc_model_id (a hash of the
 * weights and intervals) is the same before and after a save and a load. Idempotent. */
void fc_model_pack_round(fc_model *m);

/* Encodes m's format-3 file into buf (cap bytes; buf may be NULL to ask the size) and returns
 * its size: the encoding is variable-length, so one pass both sizes and writes, and the file is
 * complete in buf only when the size returned is <= cap. 0 when out of memory. For
 * FC_PACK_WINDOW, first is the first origin slot (slots since the epoch, as the history's) and
 * origins how many (>= 1). */
size_t fc_model_pack_write(const fc_model *m, const fc_network *net, fc_pack_profiles what, int64_t first,
                           uint32_t origins, uint8_t *buf, size_t cap);
/* Reads a format-3, 4, 5 or 6 file (model_io.c has checked the magic and version); the same
 * checks and errors as fc_model_read. */
fc_status fc_model_pack_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                             fc_model **out, char *msg, size_t cap);

#endif
