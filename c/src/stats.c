/* stats.c — see stats.h. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, whatever flags the build passes */
#include "stats.h"
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
/* Imported from the embedder: web/flowcast.js provides performance.now() in microseconds
 * (declared for the linker in c/wasm/imports.js). */
extern double fc_js_now_us(void);
double fc_clock_us(void) { return fc_js_now_us(); }
#else
#include <time.h>
double fc_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}
#endif

void fc_stats_free(fc_stats *s)
{
    free(s->trace);
    memset(s, 0, sizeof *s);
}

void fc_stats_record(fc_stats *s, fc_stage_id stage, double start_us, uint32_t arg)
{
    double now = fc_clock_us(), d = now - start_us;
    s->window_us[stage][s->next[stage]] = (float)d;
    s->next[stage] = (s->next[stage] + 1) % FC_STATS_WINDOW;
    if (s->n_window[stage] < FC_STATS_WINDOW) s->n_window[stage]++;
    s->calls[stage]++;
    s->total_us[stage] += d;
    if (s->tracing && s->trace) {
        fc_span *sp = &s->trace[s->trace_next];
        sp->start_us = start_us;
        sp->dur_us = d;
        sp->stage = (uint32_t)stage;
        sp->arg = arg;
        s->trace_next = (s->trace_next + 1) % FC_TRACE_CAP;
        if (s->trace_len < FC_TRACE_CAP) s->trace_len++;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

void fc_stats_summary(const fc_stats *s, fc_stage_id stage, float *median_us, float *p95_us)
{
    uint32_t n = s->n_window[stage];
    if (n == 0) {
        *median_us = *p95_us = 0;
        return;
    }
    float sorted[FC_STATS_WINDOW];
    memcpy(sorted, s->window_us[stage], n * sizeof(float));
    qsort(sorted, n, sizeof(float), cmp_float);
    *median_us = sorted[n / 2];
    *p95_us = sorted[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1];
}

int fc_stats_trace(fc_stats *s, int on)
{
    if (on) {
        if (!s->trace && !(s->trace = malloc(FC_TRACE_CAP * sizeof(fc_span)))) return -1;
        s->trace_len = s->trace_next = 0;
    }
    s->tracing = on;
    return 0;
}
