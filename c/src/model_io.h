/* model_io.h — saving and loading trained models (format 2 in model_io.c, 3 and 4 in
 * model_pack.c, the header they share in model_header.c). */
#ifndef FC_MODEL_IO_H
#define FC_MODEL_IO_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "model.h"

/* Writes m's file (format 3, model_pack.c), with or without the time-of-day profiles (a file
 * without them is for engines that read profiles from tiles: tile.h), into buf of cap bytes
 * (NULL, 0: only the size) and returns its size; complete only when that is <= cap. 0 when
 * out of memory. m must have all its profiles when with_profiles is set. */
size_t fc_model_write(const fc_model *m, uint8_t *buf, size_t cap, int with_profiles);
/* The same model as a format-2 file (raw floats): what engines before format 3 wrote; kept so
 * tests and fuzz seeds can prove such files still load. */
size_t fc_model_file_size_v2(const fc_model *m, int with_profiles);
void fc_model_write_v2(const fc_model *m, uint8_t *buf, int with_profiles);
/* Validates and loads a model file for this network; *out is a new model on success. A file
 * without profiles gives a model without profile arrays (fc_model.prof.tiled set, no view):
 * usable only through tile mode. */
fc_status fc_model_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                        fc_model **out, char *msg, size_t msg_cap);

#endif
