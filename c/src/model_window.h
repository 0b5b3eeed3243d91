/* model_window.h — the profile cells a forecast reads: what a window file keeps
 * (model_pack.c writes it) and what a window model must hold for a forecast (engine_model.c). */
#ifndef FC_MODEL_WINDOW_H
#define FC_MODEL_WINDOW_H
#include <stdint.h>
#include "model.h"

/* The profile cells a forecast from origin slot `head` reads: sets map[daytype * q + tod] for
 * each (model_forecast.c: the profile at every slot head-FC_RECENT+1 .. head+horizons, each a
 * window of ±smooth_slots around its time of day, within its day type). */
void fc_model_window_mark(const fc_model *m, const fc_network *net, int64_t head, uint8_t *map);
/* Whether a window model holds every profile cell a forecast from `head` reads (1 for a model
 * with all its profiles). */
int fc_model_window_covers(const fc_model *m, const fc_network *net, int64_t head);

#endif
