/* model_header.h — the first 96 bytes every model file format shares (magic, version, header
 * size, network hash, sizes, training rows and options, flags; layout in model_io.c): written
 * and read in one place for formats 2 (model_io.c) and 3-4 (model_pack.c), which both depend on
 * this module and not on each other for it. */
#ifndef FC_MODEL_HEADER_H
#define FC_MODEL_HEADER_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"
#include "model.h"

/* Does buf (at least 8 bytes) start with the model files' magic "FCMODEL1"? */
int fc_model_has_magic(const uint8_t *buf);
/* Writes the shared header into head (96 bytes). */
void fc_model_put_header(uint8_t *head, const fc_model *m, uint32_t version, uint32_t header_bytes, uint32_t flags);
/* Reads the training options of the shared header and checks them against the file's horizons
 * (FC_E_FIELD with a message when out of range). */
fc_status fc_model_get_options(const uint8_t *head, uint32_t horizons, fc_train_options *o, char *msg, size_t cap);
/* "model file: <what>" into msg; returns st. */
fc_status fc_model_fail(char *msg, size_t cap, fc_status st, const char *what);
/* The checks of the shared header that do not depend on the format: its size (header_bytes),
 * the network it was trained for (hash, sensors, interval: FC_E_NETWORK_ID), and the
 * dimensions (horizons, profile slots, features, day types, the regimes in the flags' low bits
 * with no flag outside `flags_allowed`: FC_E_FIELD). */
fc_status fc_model_check_header(const uint8_t *buf, uint32_t header_bytes, uint32_t flags_allowed,
                                const fc_network *net, uint64_t net_hash, char *msg, size_t cap);

#endif
