/* model_io.h — saving and loading trained models (format described in model_io.c). */
#ifndef FC_MODEL_IO_H
#define FC_MODEL_IO_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "model.h"

size_t fc_model_file_size(const fc_model *m);
/* Writes fc_model_file_size(m) bytes to buf. */
void fc_model_write(const fc_model *m, uint8_t *buf);
/* Validates and loads a model file for this network; *out is a new model on success. */
fc_status fc_model_read(const uint8_t *buf, size_t len, const fc_network *net, uint64_t net_hash,
                        fc_model **out, char *msg, size_t msg_cap);

#endif
