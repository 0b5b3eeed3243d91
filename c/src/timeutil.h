/* timeutil.h — calendar arithmetic and ISO 8601 parsing, with no dependence on the C library's
 * time functions (they are absent or UTC-only in a standalone wasm build). */
#ifndef FC_TIMEUTIL_H
#define FC_TIMEUTIL_H
#include <stdint.h>
#include <stddef.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t fc_days_from_civil(int64_t y, int m, int d);
/* Inverse of fc_days_from_civil. */
void fc_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 0 = Monday .. 6 = Sunday. */
int fc_weekday_from_days(int64_t days);
/* Floor division for possibly negative numerators (slot numbers before 1970). */
int64_t fc_floor_div(int64_t a, int64_t b);

/* Strict ISO 8601: YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM|+HHMM|-HHMM), year 1970..9999.
 * Returns 0 and stores Unix milliseconds (fraction truncated to ms), or -1. */
int fc_iso8601_parse(const char *s, size_t len, int64_t *out_ms);

#endif
