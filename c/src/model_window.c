/* model_window.c — the profile cells a forecast reads (model_window.h). */
#include "model_window.h"
#include "once_loop.h"

/* The cell of time of day tod + d within its day type (the profile's window wraps there). */
static size_t window_cell(const fc_model *m, const fc_slot_cal *c, int d)
{
    return (size_t)c->daytype * m->q + (uint32_t)(((int64_t)c->tod + d + 4 * (int64_t)m->q) % m->q);
}

/* The cells the forecasts from slot `head` read: each slot from the recent ones to the last
 * horizon, with the smoothing around it. One walk for both uses: marked in `mark` when it is
 * given, else checked against `have` (0 at the first cell missing). */
static int window_walk(const fc_model *m, const fc_network *net, int64_t head, uint8_t *mark, const uint8_t *have)
{
    int sm = (int)m->params.smooth_slots;
    FC_ONCE_LOOP
    for (int64_t u = head - (FC_RECENT - 1); u <= head + (int64_t)m->horizons; u++) {
        fc_slot_cal c;
        fc_slot_calendar(net, u, &c);
        FC_ONCE_LOOP
        for (int d = -sm; d <= sm; d++) {
            size_t cell = window_cell(m, &c, d);
            if (mark) mark[cell] = 1;
            else if (!have[cell]) return 0;
        }
    }
    return 1;
}

void fc_model_window_mark(const fc_model *m, const fc_network *net, int64_t head, uint8_t *map)
{
    window_walk(m, net, head, map, NULL);
}

int fc_model_window_covers(const fc_model *m, const fc_network *net, int64_t head)
{
    return !m->window || window_walk(m, net, head, NULL, m->window);
}
