/* dataset.h — writing a dataset folder of recorded data (docs/FORMATS.md, "Dataset folder"),
 * shared by flowcast-replayset and flowcast-pems: meta.json, network.json and the three matrix
 * CSVs, written to DIR.tmp and renamed into place, so a failed run leaves nothing that looks like
 * a dataset. Tools only: errors end the process through fc_tool_die. */
#ifndef FC_TOOL_DATASET_H
#define FC_TOOL_DATASET_H
#include <stddef.h>
#include "cJSON.h"
#include "matrix.h"
#include "network.h"

#define FC_WEEK_S (7 * 86400)

/* The rows a recording of `rows` rows needs to fill whole weeks of the network's interval: the
 * replay maps dataset weeks onto the wall clock by local time of week. */
size_t fc_dataset_whole_weeks(size_t rows, unsigned interval_s);

/* meta.json's fields of a recorded dataset: schema, network, start (ISO 8601 with offset),
 * interval_s, rows, timezone, generator, simulated false, recorded_rows, padded_rows. The
 * caller may add fields (source, an import summary) before writing; it owns the object. */
cJSON *fc_dataset_meta(const fc_network *net, const char *start, size_t rows, size_t recorded_rows, const char *generator);

/* Writes the folder `out` (an older one made by these tools is replaced). The three matrices
 * have one column per sensor of the network, headed by its id; meta is printed as it is. */
void fc_dataset_write(const char *out, const cJSON *meta, const char *net_text, size_t net_len,
                      const fc_matrix *speed, const fc_matrix *volume, const fc_matrix *occupancy);

#endif
