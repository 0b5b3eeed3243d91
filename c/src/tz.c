/* tz.c — POSIX TZ rules, enough for every zone with a fixed yearly daylight-saving rule. */
#include "tz.h"
#include "timeutil.h"
#include <string.h>

static const struct { const char *name, *rule; } k_zones[] = {
    {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
    {"America/Detroit", "EST5EDT,M3.2.0,M11.1.0"},
    {"America/Chicago", "CST6CDT,M3.2.0,M11.1.0"},
    {"America/Denver", "MST7MDT,M3.2.0,M11.1.0"},
    {"America/Phoenix", "MST7"},
    {"America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0"},
    {"America/Anchorage", "AKST9AKDT,M3.2.0,M11.1.0"},
    {"Pacific/Honolulu", "HST10"},
    {"UTC", "UTC0"},
    {"Etc/UTC", "UTC0"},
};

typedef struct cursor { const char *p, *end; } cursor;

static int peek(const cursor *c) { return c->p < c->end ? (unsigned char)*c->p : -1; }

static int parse_name(cursor *c)
{
    if (peek(c) == '<') {
        c->p++;
        const char *start = c->p;
        while (peek(c) != '>' && peek(c) != -1) c->p++;
        if (peek(c) != '>' || c->p - start < 3) return -1;
        c->p++;
        return 0;
    }
    const char *start = c->p;
    while ((peek(c) >= 'A' && peek(c) <= 'Z') || (peek(c) >= 'a' && peek(c) <= 'z')) c->p++;
    return c->p - start >= 3 ? 0 : -1;
}

static int parse_uint(cursor *c, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (peek(c) >= '0' && peek(c) <= '9' && n < max_digits) {
        v = v * 10 + (*c->p++ - '0');
        n++;
    }
    if (n == 0) return -1;
    *out = v;
    return 0;
}

/* [+-]hh[:mm[:ss]] -> seconds */
static int parse_hms(cursor *c, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (peek(c) == '+' || peek(c) == '-') sign = *c->p++ == '-' ? -1 : 1;
    if (parse_uint(c, 3, &h) || h > 167) return -1;
    if (peek(c) == ':') {
        c->p++;
        if (parse_uint(c, 2, &m) || m > 59) return -1;
        if (peek(c) == ':') {
            c->p++;
            if (parse_uint(c, 2, &s) || s > 59) return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

static int parse_rule(cursor *c, fc_tz_rule *r)
{
    if (peek(c) != 'M') return -1; /* Jn and n forms are not used by any supported zone */
    c->p++;
    if (parse_uint(c, 2, &r->month) || r->month < 1 || r->month > 12 || peek(c) != '.') return -1;
    c->p++;
    if (parse_uint(c, 1, &r->week) || r->week < 1 || r->week > 5 || peek(c) != '.') return -1;
    c->p++;
    if (parse_uint(c, 1, &r->wday) || r->wday > 6) return -1;
    r->time_s = 2 * 3600;
    if (peek(c) == '/') {
        c->p++;
        if (parse_hms(c, &r->time_s)) return -1;
    }
    return 0;
}

int fc_tz_parse(const char *s, size_t len, fc_tz *out)
{
    for (size_t i = 0; i < sizeof k_zones / sizeof k_zones[0]; i++) {
        if (strlen(k_zones[i].name) == len && memcmp(k_zones[i].name, s, len) == 0) {
            s = k_zones[i].rule;
            len = strlen(s);
            break;
        }
    }
    cursor c = {s, s + len};
    fc_tz tz;
    memset(&tz, 0, sizeof tz);
    int32_t off;
    if (parse_name(&c) || parse_hms(&c, &off)) return -1;
    tz.std_offset_s = -off; /* POSIX offsets are west-positive */
    tz.dst_offset_s = tz.std_offset_s;
    if (peek(&c) != -1) {
        if (parse_name(&c)) return -1;
        tz.has_dst = 1;
        tz.dst_offset_s = tz.std_offset_s + 3600;
        if (peek(&c) != ',' && peek(&c) != -1) {
            if (parse_hms(&c, &off)) return -1;
            tz.dst_offset_s = -off;
        }
        if (peek(&c) != ',') return -1; /* a zone with DST must say when */
        c.p++;
        if (parse_rule(&c, &tz.start) || peek(&c) != ',') return -1;
        c.p++;
        if (parse_rule(&c, &tz.end) || peek(&c) != -1) return -1;
    }
    *out = tz;
    return 0;
}

/* Local wall-clock seconds (since the epoch, as if local were UTC) of a rule in year y. */
static int64_t rule_local_s(const fc_tz_rule *r, int64_t y)
{
    int64_t first = fc_days_from_civil(y, r->month, 1);
    int first_wday = (fc_weekday_from_days(first) + 1) % 7; /* to 0 = Sunday */
    int64_t day = first + (r->wday - first_wday + 7) % 7 + 7 * (r->week - 1);
    int next_y_m = r->month == 12 ? 1 : r->month + 1;
    int64_t month_end = fc_days_from_civil(r->month == 12 ? y + 1 : y, next_y_m, 1);
    while (day >= month_end) day -= 7; /* week 5 means the last such weekday */
    return day * 86400 + r->time_s;
}

int32_t fc_tz_offset_at(const fc_tz *tz, int64_t utc_s, int *is_dst)
{
    int dst = 0;
    if (tz->has_dst) {
        int64_t y;
        int m, d;
        fc_civil_from_days(fc_floor_div(utc_s + tz->std_offset_s, 86400), &y, &m, &d);
        /* start is stated in standard time, end in daylight time (POSIX) */
        int64_t start = rule_local_s(&tz->start, y) - tz->std_offset_s;
        int64_t end = rule_local_s(&tz->end, y) - tz->dst_offset_s;
        dst = start < end ? (utc_s >= start && utc_s < end) : !(utc_s >= end && utc_s < start);
    }
    if (is_dst) *is_dst = dst;
    return dst ? tz->dst_offset_s : tz->std_offset_s;
}
