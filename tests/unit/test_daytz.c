/* test_daytz.c - local days in IANA time zones (cursor.timezone), table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "daytz.h"
#include "isotime.h"

typedef struct {
    const char *tz;
    const char *instant;   /* ISO-8601, UTC */
    const char *day_start; /* the local day's start, as a UTC instant */
    const char *date;      /* the local date */
} day_case_t;

/* Expected values from `TZ=zone date -d @secs`. */
static const day_case_t days[] = {
    {"UTC", "2026-06-30T22:30:00Z", "2026-06-30T00:00:00Z", "2026-06-30"},
    {NULL, "2026-06-30T22:30:00Z", "2026-06-30T00:00:00Z", "2026-06-30"},
    /* summer, UTC+2: 00:30 local on 1 July */
    {"Europe/Berlin", "2026-06-30T22:30:00Z", "2026-06-30T22:00:00Z", "2026-07-01"},
    /* winter, UTC+1: local midnight exactly, and one ms before it */
    {"Europe/Berlin", "2026-01-15T23:00:00Z", "2026-01-15T23:00:00Z", "2026-01-16"},
    {"Europe/Berlin", "2026-01-15T22:59:59.999Z", "2026-01-14T23:00:00Z", "2026-01-15"},
    /* the 23-hour day DST starts on: it begins at +1 and ends at +2 */
    {"Europe/Berlin", "2026-03-29T21:59:59.999Z", "2026-03-28T23:00:00Z", "2026-03-29"},
    {"Europe/Berlin", "2026-03-29T22:00:00Z", "2026-03-29T22:00:00Z", "2026-03-30"},
    /* west of UTC the local day is still the previous one */
    {"America/Los_Angeles", "2026-01-01T07:59:00Z", "2025-12-31T08:00:00Z", "2025-12-31"},
    {"Asia/Kolkata", "2026-05-10T18:29:59Z", "2026-05-09T18:30:00Z", "2026-05-10"},
    /* before 1970 */
    {"Europe/Berlin", "1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z", "1970-01-01"},
};

static int64_t ms_of(const char *iso)
{
    int64_t ms = 0;
    char err[128];
    if (isotime_parse(iso, &ms, NULL, err, sizeof(err)) != 0)
        fail_msg("%s: %s", iso, err);
    return ms;
}

static void check_days(void)
{
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        const day_case_t *c = &days[i];
        int64_t got = daytz_day_start(c->tz, ms_of(c->instant));
        char date[16];
        daytz_format_date(c->tz, ms_of(c->instant), date, sizeof(date));
        if (got != ms_of(c->day_start) || strcmp(date, c->date) != 0) {
            char iso[40];
            isotime_format(got, iso, sizeof(iso));
            fail_msg("%s in %s: day start %s, date %s (want %s, %s)", c->instant,
                     c->tz ? c->tz : "(null)", iso, date, c->day_start, c->date);
        }
    }
}

static void test_day_start_and_date(void **state)
{
    (void)state;
    check_days();
    /* Twice: the second pass meets each zone's cached last day, hit or
     * missed from either side. */
    check_days();
}

/* TZ set by someone else between two conversions: the zone is loaded
 * again, not taken as still held. */
static void test_tz_changed_elsewhere(void **state)
{
    (void)state;
    daytz_cleanup();
    check_days();
    setenv("TZ", "America/New_York", 1);
    tzset();
    daytz_cleanup();
    check_days();
    unsetenv("TZ");
    tzset();
    daytz_cleanup();
    check_days();
}

/* A zone whose file glibc cannot read when it is needed (out of file
 * descriptors, tzdata being upgraded; here one that is not there): glibc
 * converts as UTC without a word, and the producer sent a UTC date and
 * moved its HWM past changes it never asked for. The failure is kept for
 * daytz_take_failure(), once, naming the zone; its day is not cached. */
static void test_zone_not_loaded(void **state)
{
    (void)state;
    char err[256] = "";
    daytz_cleanup();
    assert_int_equal(daytz_take_failure(err, sizeof(err)), 0);
    (void)daytz_day_start("Nowhere/Gone", ms_of("2026-01-15T12:00:00Z"));
    assert_int_equal(daytz_take_failure(err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the time zone file of 'Nowhere/Gone' could not be read"));
    assert_int_equal(daytz_take_failure(err, sizeof(err)), 0); /* reported once */
    char date[16];
    daytz_format_date("Nowhere/Gone", ms_of("2026-01-15T12:00:00Z"), date, sizeof(date));
    assert_int_equal(daytz_take_failure(err, sizeof(err)), -1); /* tried again, failed again */
    check_days(); /* and the zones that load are right after it */
    assert_int_equal(daytz_take_failure(err, sizeof(err)), 0);
}

/* TZDIR (glibc's zone directory; some images set it to their own) without
 * the zone: the zone checked in /usr/share/zoneinfo was looked up there,
 * not found, and taken for UTC, and a New York evening's changes were
 * asked for with the next day's date. */
static void test_tzdir_elsewhere(void **state)
{
    (void)state;
    daytz_cleanup(); /* no cached day: every zone is loaded again */
    setenv("TZDIR", "/nonexistent", 1);
    check_days();
    unsetenv("TZDIR");
}

typedef struct {
    const char *tz;
    const char *err; /* NULL: valid */
} check_case_t;

static const check_case_t checks[] = {
    {"UTC", NULL},
    {"Europe/Berlin", NULL},
    {"America/Argentina/Buenos_Aires", NULL},
    {"Etc/GMT+5", NULL},
    {"Mars/Base", "unknown time zone 'Mars/Base' (not in /usr/share/zoneinfo)"},
    {"../../etc/passwd", "'../../etc/passwd' is not an IANA time zone name"},
    {"/etc/localtime", "'/etc/localtime' is not an IANA time zone name"},
    {"Europe/Berlin;rm", "'Europe/Berlin;rm' is not an IANA time zone name"},
    {"Europe", "unknown time zone 'Europe' (not in /usr/share/zoneinfo)"}, /* a directory */
};

static void test_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        char err[256] = "";
        int rc = daytz_check(checks[i].tz, err, sizeof(err));
        if (checks[i].err ? (rc != -1 || strcmp(err, checks[i].err) != 0) : rc != 0)
            fail_msg("%s: rc=%d err='%s' (want %s)", checks[i].tz, rc, err,
                     checks[i].err ? checks[i].err : "valid");
    }
}

static int teardown(void **state)
{
    (void)state;
    daytz_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_start_and_date),
        cmocka_unit_test(test_tz_changed_elsewhere),
        cmocka_unit_test(test_zone_not_loaded),
        cmocka_unit_test(test_tzdir_elsewhere),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
