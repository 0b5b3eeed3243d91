/* test_time.c — ISO 8601 parsing, calendar arithmetic and local time across US DST changes. */
#include "test.h"
#include "timeutil.h"
#include "tz.h"

static int64_t ts(const char *s)
{
    int64_t ms = -1;
    if (fc_iso8601_parse(s, strlen(s), &ms)) return -1;
    return ms;
}

void test_iso8601_valid(void)
{
    CHECK_EQ_INT(ts("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ_INT(ts("2026-11-25T08:15:00-05:00"), 1795612500000LL);
    CHECK_EQ_INT(ts("2026-11-25T13:15:00Z"), 1795612500000LL);
    CHECK_EQ_INT(ts("2026-11-25T13:15:00+0000"), 1795612500000LL);
    CHECK_EQ_INT(ts("2026-11-25T13:15:00.5Z"), 1795612500500LL);
    CHECK_EQ_INT(ts("2026-11-25T13:15:00.123456789Z"), 1795612500123LL);
    CHECK_EQ_INT(ts("2024-02-29T00:00:00Z"), 1709164800000LL);
    CHECK_EQ_INT(ts("2012-03-01T00:00:00-08:00"), 1330588800000LL);
}

void test_iso8601_invalid(void)
{
    const char *bad[] = {"", "2026-11-25", "2026-11-25T08:15:00", "2026-11-25 08:15:00Z",
                         "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
                         "2026-11-25T24:00:00Z", "2026-11-25T08:60:00Z", "2026-11-25T08:15:60Z",
                         "2026-11-25T08:15:00+5", "2026-11-25T08:15:00+19:00", "1969-12-31T23:59:59Z",
                         "2026-11-25T08:15:00.Z", "2026-11-25T08:15:00Zjunk", "+2026-11-25T08:15:00Z",
                         "2026-11-25T08:15:00.1234567890Z", "2026-1l-25T08:15:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        if (fc_iso8601_parse(bad[i], strlen(bad[i]), &ms) == 0) {
            fc_test_failures++;
            printf("#   accepted invalid timestamp \"%s\"\n", bad[i]);
        }
    }
}

void test_civil_roundtrip(void)
{
    for (int64_t d = -800000; d <= 800000; d += 7) {
        int64_t y;
        int m, dd;
        fc_civil_from_days(d, &y, &m, &dd);
        if (fc_days_from_civil(y, m, dd) != d) {
            fc_test_failures++;
            printf("#   civil roundtrip failed at day %lld\n", (long long)d);
            return;
        }
    }
    CHECK_EQ_INT(fc_weekday_from_days(fc_days_from_civil(2026, 11, 25)), 2); /* Wednesday */
    CHECK_EQ_INT(fc_weekday_from_days(fc_days_from_civil(2012, 3, 1)), 3);   /* Thursday */
}

static void local(fc_engine *e, const char *s, int want_min, int want_dow, int want_off, int want_dst)
{
    fc_local_time lt;
    CHECK_STATUS(fc_engine_local_time(e, ts(s), &lt), FC_OK);
    if (lt.minute_of_day != want_min || lt.day_of_week != want_dow || lt.utc_offset_min != want_off ||
        lt.is_dst != want_dst) {
        fc_test_failures++;
        printf("#   %s: got min %d dow %d off %d dst %d, expected %d %d %d %d\n", s, lt.minute_of_day,
               lt.day_of_week, lt.utc_offset_min, lt.is_dst, want_min, want_dow, want_off, want_dst);
    }
}

void test_local_time_dst(void)
{
    fc_engine *e = fc_test_engine();
    CHECK(e != NULL);
    if (!e) return;
    /* 2026: DST starts Sunday 8 March at 02:00 EST (07:00Z), ends Sunday 1 November at 02:00 EDT (06:00Z) */
    local(e, "2026-03-08T06:59:59Z", 1 * 60 + 59, 6, -300, 0);
    local(e, "2026-03-08T07:00:00Z", 3 * 60, 6, -240, 1);
    local(e, "2026-07-01T12:00:00Z", 8 * 60, 2, -240, 1);
    local(e, "2026-11-01T05:59:59Z", 1 * 60 + 59, 6, -240, 1);
    local(e, "2026-11-01T06:00:00Z", 1 * 60, 6, -300, 0); /* 01:00 again, now EST */
    local(e, "2026-11-25T13:15:00Z", 8 * 60 + 15, 2, -300, 0);
    /* a local timestamp written with its own offset reads back as that wall-clock time */
    local(e, "2026-03-09T08:15:00-04:00", 8 * 60 + 15, 0, -240, 1);
    /* 2012 rules are the same since 2007: DST began 11 March 2012 */
    local(e, "2012-03-11T06:59:00Z", 60 + 59, 6, -300, 0);
    local(e, "2012-03-11T07:00:00Z", 3 * 60, 6, -240, 1);
    fc_engine_destroy(e);
}

void test_tz_rules(void)
{
    fc_tz tz;
    CHECK_EQ_INT(fc_tz_parse("America/Los_Angeles", 19, &tz), 0);
    CHECK_EQ_INT(tz.std_offset_s, -8 * 3600);
    CHECK_EQ_INT(tz.dst_offset_s, -7 * 3600);
    CHECK_EQ_INT(fc_tz_parse("America/Phoenix", 15, &tz), 0);
    CHECK_EQ_INT(tz.has_dst, 0);
    const char *posix = "<+10>-10<+11>,M10.1.0,M4.1.0/3"; /* southern hemisphere: Sydney */
    CHECK_EQ_INT(fc_tz_parse(posix, strlen(posix), &tz), 0);
    int dst;
    CHECK_EQ_INT(fc_tz_offset_at(&tz, ts("2026-01-15T00:00:00Z") / 1000, &dst), 11 * 3600);
    CHECK_EQ_INT(dst, 1);
    CHECK_EQ_INT(fc_tz_offset_at(&tz, ts("2026-07-15T00:00:00Z") / 1000, &dst), 10 * 3600);
    CHECK_EQ_INT(dst, 0);
    const char *bad[] = {"Mars/Olympus", "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
                         "EST5EDT,J60,J300", "E5", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (fc_tz_parse(bad[i], strlen(bad[i]), &tz) == 0) {
            fc_test_failures++;
            printf("#   accepted invalid zone \"%s\"\n", bad[i]);
        }
    }
}
