/* model_io.h — saving and loading trained models (format described in model_io.c). */
#ifndef FC_MODEL_IO_H
#define FC_MODEL_IO_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "model.h"

/* Bytes of m's file, with or without the time-of-day profiles (a file without them is for
 * engines that read profiles from tiles: tile.h). */
size_t fc_model_file_size(const fc_model *m, int with_profiles);
/* Writes fc_model_file_size(m, with_profiles) bytes to buf; m must have its profiles when
 * with_profiles is set. */
void fc_model_write(const fc_model *m, uint8_t *buf, int with_profiles);
/* Validates and loads a model file for this network; *out is a new model on success. A file
 * without profiles gives a model without profile arrays (fc_model.prof.tiled set, no view):
 * usable only through tile mode. */
fc_status fc_model_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                        fc_model **out, char *msg, size_t msg_cap);

#endif
