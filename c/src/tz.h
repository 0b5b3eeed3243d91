/* tz.h — local time from a POSIX TZ rule ("EST5EDT,M3.2.0,M11.1.0"), with a small table of IANA
 * names for the zones flowcast networks use. The wasm build has no tz database, and a freeway
 * network needs only its own zone's current rule; history before the zone's last rule change
 * (2007 for the US) is computed with today's rule. */
#ifndef FC_TZ_H
#define FC_TZ_H
#include <stdint.h>
#include <stddef.h>

typedef struct fc_tz_rule {
    int month, week, wday; /* Mm.w.d: month 1..12, week 1..5 (5 = last), weekday 0 = Sunday */
    int32_t time_s;        /* local wall-clock time of the change, seconds (default 02:00) */
} fc_tz_rule;

typedef struct fc_tz {
    int32_t std_offset_s;  /* local standard time - UTC, seconds (-18000 for EST) */
    int32_t dst_offset_s;  /* local daylight time - UTC */
    int has_dst;
    fc_tz_rule start, end; /* daylight time begins at start (in standard time), ends at end */
} fc_tz;

/* Parses an IANA name from the table or a POSIX TZ string (Mm.w.d rules only).
 * Returns 0 on success, -1 on an unknown name or malformed rule. */
int fc_tz_parse(const char *s, size_t len, fc_tz *out);

/* UTC offset (seconds) in effect at the instant utc_s, and whether it is daylight time. */
int32_t fc_tz_offset_at(const fc_tz *tz, int64_t utc_s, int *is_dst);

#endif
