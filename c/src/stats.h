/* stats.h — built-in instrumentation: per-stage timings over a sliding window (median, p95),
 * call counters, and an optional trace of spans that JavaScript exports in the Chrome
 * trace-event format (Perfetto, chrome://tracing, DevTools). Cheap enough to stay on: one clock
 * read at each stage boundary and a store into a fixed ring; no allocation after creation. */
#ifndef FC_STATS_H
#define FC_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "flowcast.h"

#define FC_STATS_WINDOW 256   /* durations kept per stage for the median and p95 */
#define FC_TRACE_CAP 8192     /* spans kept while tracing (the oldest are overwritten) */

typedef struct fc_span {
    double start_us, dur_us;
    uint32_t stage;
    uint32_t arg;             /* stage-specific: readings, sensors, horizon count */
} fc_span;

typedef struct fc_stats {
    float window_us[FC_STAGE_COUNT][FC_STATS_WINDOW];
    uint32_t n_window[FC_STAGE_COUNT], next[FC_STAGE_COUNT];
    uint64_t calls[FC_STAGE_COUNT];
    double total_us[FC_STAGE_COUNT];
    int tracing;
    fc_span *trace;           /* FC_TRACE_CAP spans, allocated on first use of tracing */
    uint32_t trace_len, trace_next;
} fc_stats;

/* Microseconds from a monotonic clock (performance.now() in wasm, CLOCK_MONOTONIC natively). */
double fc_clock_us(void);

/* An fc_stats is ready when zeroed (it lives inside the calloc'd engine). */

void fc_stats_free(fc_stats *s);
/* Records one stage run that started at start_us (fc_clock_us()) and ends now. */
void fc_stats_record(fc_stats *s, fc_stage_id stage, double start_us, uint32_t arg);
/* Median and p95 of the window, in microseconds (0 when the stage never ran). */
void fc_stats_summary(const fc_stats *s, fc_stage_id stage, float *median_us, float *p95_us);
/* Starts (clearing) or stops recording spans. Returns 0, or -1 when out of memory. */
int fc_stats_trace(fc_stats *s, int on);

#endif
