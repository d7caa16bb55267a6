/* test_isotime.c - ISO-8601 parsing and formatting, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "isotime.h"

typedef struct {
    const char *in;
    int64_t ms;
    int date_only;
} good_case_t;

/* Expected values computed independently (date -u -d ... +%s%3N). */
static const good_case_t good[] = {
    {"1970-01-01", 0, 1},
    {"1970-01-01T00:00:00Z", 0, 0},
    {"2026-11-25", 1795564800000LL, 1},
    {"2026-11-25T12:00:00Z", 1795608000000LL, 0},
    {"2026-11-25t12:00:00z", 1795608000000LL, 0},
    {"2026-11-25 12:00:00", 1795608000000LL, 0}, /* no offset = UTC */
    {"2026-11-25T12:00Z", 1795608000000LL, 0},   /* no seconds */
    {"2026-11-25T12:00:00.5+02:00", 1795600800500LL, 0},
    {"2026-11-25T12:00:00.12Z", 1795608000120LL, 0},
    {"2026-11-25T12:00:00.123Z", 1795608000123LL, 0},
    {"2026-11-25T12:00:00,123Z", 1795608000123LL, 0},
    {"2026-11-25T12:00:00.1239Z", 1795608000123LL, 0}, /* truncated */
    /* a leap second: the last millisecond of its minute, never the next's */
    {"2016-12-31T23:59:60Z", 1483228799999LL, 0},
    {"2016-12-31T23:59:60.500Z", 1483228799999LL, 0},
    {"2016-12-31T23:59:59.998Z", 1483228799998LL, 0},
    {"2026-11-25T12:00:00.999999999Z", 1795608000999LL, 0},
    {"2026-11-25 12:00:00.123456-0130", 1795613400123LL, 0},
    {"2026-11-25T12:00:00+05", 1795590000000LL, 0},
    {"2026-11-25T00:30:00+01:00", 1795563000000LL, 0}, /* previous UTC day */
    {"2024-02-29T00:00:00Z", 1709164800000LL, 0},      /* leap year */
    {"2000-02-29", 951782400000LL, 1},                 /* 400-year leap */
    {"2000-03-01", 951868800000LL, 1},
    {"1969-12-31T23:59:59.999Z", -1LL, 0},
    {"1969-12-31", -86400000LL, 1},
    {"1900-01-01T00:00:00Z", -2208988800000LL, 0},
    {"0001-01-01", -62135596800000LL, 1},
    {"9999-12-31T23:59:59.999Z", 253402300799999LL, 0},
    {"9999-12-31T23:59:60Z", 253402300799999LL, 0}, /* its leap second: still in range */
    /* Ruby's Time#to_s, Go's Time.String(): a space before the zone */
    {"2026-11-25 12:00:00 +0000", 1795608000000LL, 0},
    {"2026-11-25 07:00:00 -0500 EST", 1795608000000LL, 0},
    {"2026-11-25 12:00:00.5 +0000 UTC", 1795608000500LL, 0},
    {"2026-11-25T12:00:00 UTC", 1795608000000LL, 0},
    {"2026-11-25 12:00:00 GMT", 1795608000000LL, 0},
};

static void test_parse_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t ms = 42;
        int d = -1;
        char err[128] = "";
        int rc = isotime_parse(good[i].in, &ms, &d, err, sizeof(err));
        if (rc != 0 || ms != good[i].ms || d != good[i].date_only)
            fail_msg("%s: rc=%d ms=%lld date_only=%d err=%s (want %lld)", good[i].in, rc,
                     (long long)ms, d, err, (long long)good[i].ms);
    }
}

typedef struct {
    const char *in;
    const char *err;
} bad_case_t;

static const bad_case_t bad[] = {
    {"", "bad timestamp '': expected YYYY-MM-DD"},
    {"2026-11", "bad timestamp '2026-11': expected YYYY-MM-DD"},
    {"26-11-25", "bad timestamp '26-11-25': expected YYYY-MM-DD"},
    {"2026/11/25", "bad timestamp '2026/11/25': expected YYYY-MM-DD"},
    {"2026-13-01", "bad timestamp '2026-13-01': month out of range"},
    {"2026-00-01", "bad timestamp '2026-00-01': month out of range"},
    {"2026-02-29", "bad timestamp '2026-02-29': day out of range"}, /* not leap */
    {"1900-02-29", "bad timestamp '1900-02-29': day out of range"}, /* century */
    {"2026-04-31", "bad timestamp '2026-04-31': day out of range"},
    {"2026-11-25X12:00:00",
     "bad timestamp '2026-11-25X12:00:00': expected 'T' or ' ' after the date"},
    {"2026-11-25T", "bad timestamp '2026-11-25T': bad time (expected HH:MM:SS)"},
    {"2026-11-25T1:00:00Z", "bad timestamp '2026-11-25T1:00:00Z': bad time (expected HH:MM:SS)"},
    {"2026-11-25T24:00:00Z", "bad timestamp '2026-11-25T24:00:00Z': time out of range"},
    {"2026-11-25T12:60:00Z", "bad timestamp '2026-11-25T12:60:00Z': time out of range"},
    {"2026-11-25T12:00:0Z", "bad timestamp '2026-11-25T12:00:0Z': bad seconds"},
    {"2026-11-25T12:00:00.Z", "bad timestamp '2026-11-25T12:00:00.Z': bad fraction of a second"},
    {"2026-11-25T12:00:00+2", "bad timestamp '2026-11-25T12:00:00+2': bad UTC offset"},
    {"2026-11-25T12:00:00+24:00",
     "bad timestamp '2026-11-25T12:00:00+24:00': UTC offset out of range"},
    {"2026-11-25T12:00:00+02:0", "bad timestamp '2026-11-25T12:00:00+02:0': bad UTC offset"},
    {"2026-11-25T12:00:00+02:00x",
     "bad timestamp '2026-11-25T12:00:00+02:00x': unexpected text after the "
     "UTC offset"},
    /* a zone's name alone says no offset (CST is three zones) */
    {"2026-11-25T12:00:00 EST",
     "bad timestamp '2026-11-25T12:00:00 EST': unexpected text after the time"},
    {"2026-11-25 12:00:00  +0000",
     "bad timestamp '2026-11-25 12:00:00  +0000': unexpected text after the time"},
    {"2026-11-25 12:00:00 ",
     "bad timestamp '2026-11-25 12:00:00 ': unexpected text after the time"},
    {"2026-11-25 12:00:00 +0000 E5T",
     "bad timestamp '2026-11-25 12:00:00 +0000 E5T': unexpected text after the UTC offset"},
    {"2026-11-25 12:00:00 +0000 EASTERN",
     "bad timestamp '2026-11-25 12:00:00 +0000 EASTERN': unexpected text after the UTC offset"},
    {"2026-11-25T12:00:00Zx",
     "bad timestamp '2026-11-25T12:00:00Zx': unexpected text after the time"},
    /* fuzz_isotime: these parsed, to instants isotime_format writes as
     * "-001-12-31T23:00:00.000Z" or "10000-01-01...", which no parser reads
     * back (nor PostgreSQL, for year 0); and a dangling ':' was taken */
    {"0000-01-01T00:00+01:", "bad timestamp '0000-01-01T00:00+01:': bad UTC offset"},
    {"0000-01-01T00:00+01:00",
     "bad timestamp '0000-01-01T00:00+01:00': out of range (0001-01-01 to 9999-12-31 in "
     "UTC)"},
    {"0000-12-31", "bad timestamp '0000-12-31': out of range (0001-01-01 to 9999-12-31 in UTC)"},
    {"0001-01-01T00:30:00+01:00",
     "bad timestamp '0001-01-01T00:30:00+01:00': out of range (0001-01-01 to 9999-12-31 in "
     "UTC)"},
    {"9999-12-31T23:00:00-01:00",
     "bad timestamp '9999-12-31T23:00:00-01:00': out of range (0001-01-01 to 9999-12-31 in "
     "UTC)"},
};

static void test_parse_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 42;
        char err[160] = "";
        int rc = isotime_parse(bad[i].in, &ms, NULL, err, sizeof(err));
        if (rc != -1 || strcmp(err, bad[i].err) != 0)
            fail_msg("'%s': rc=%d err='%s' (want '%s')", bad[i].in, rc, err, bad[i].err);
    }
}

/* A long text (a free text where a timestamp belongs, a cursor with 300
 * bytes after it) is quoted cut to 64 bytes, "..." after it and no
 * character cut in two, so that the reason's cause after it is always
 * there: once it was "bad timestamp 'xxxx..." and nothing more. */
static void test_parse_bad_long(void **state)
{
    (void)state;
    static const struct {
        const char *head, *fill;
        const char *shown; /* the head and fill as quoted, before "..." */
        const char *why;
    } cases[] = {
        {"", "x", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "expected YYYY-MM-DD"},
        {"2026-11-25T12:00:05.000Z", "x",
         "2026-11-25T12:00:05.000Zxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "unexpected text after the time"},
        {"2026-11-25", "x", "2026-11-25xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "expected 'T' or ' ' after the date"},
        /* 63 bytes, not half of the 'é' that straddles the 64th */
        {"x", "\xc3\xa9",
         "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9"
         "\xc3\xa9\xc3\xa9\xc3\xa9",
         "expected YYYY-MM-DD"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char in[700], err[200] = "", want[200];
        size_t n = strlen(cases[i].head);
        memcpy(in, cases[i].head, n);
        while (n + strlen(cases[i].fill) < 600) {
            memcpy(in + n, cases[i].fill, strlen(cases[i].fill));
            n += strlen(cases[i].fill);
        }
        in[n] = '\0';
        int64_t ms = 42;
        assert_int_equal(isotime_parse(in, &ms, NULL, err, sizeof(err)), -1);
        snprintf(want, sizeof(want), "bad timestamp '%s...': ", cases[i].shown);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("case %zu: err '%s'\n want '%s'", i, err, want);
        /* the cause is there whole: the reason was not cut */
        if (cases[i].why && strcmp(err + strlen(want), cases[i].why) != 0)
            fail_msg("case %zu: err '%s', want the cause '%s'", i, err, cases[i].why);
        assert_true(strlen(err) > strlen(want));
        assert_true(strlen(err) < sizeof(err) - 1);
    }
}

typedef struct {
    int64_t ms;
    const char *iso;
    const char *date;
    int32_t days;
} fmt_case_t;

static const fmt_case_t fmts[] = {
    {0, "1970-01-01T00:00:00.000Z", "1970-01-01", 0},
    {1795608000123LL, "2026-11-25T12:00:00.123Z", "2026-11-25", 20782},
    {-1, "1969-12-31T23:59:59.999Z", "1969-12-31", -1},
    {-86400000LL, "1969-12-31T00:00:00.000Z", "1969-12-31", -1},
    {-86400001LL, "1969-12-30T23:59:59.999Z", "1969-12-30", -2},
    {951868799999LL, "2000-02-29T23:59:59.999Z", "2000-02-29", 11016},
    {-2208988800000LL, "1900-01-01T00:00:00.000Z", "1900-01-01", -25567},
    {253402300799999LL, "9999-12-31T23:59:59.999Z", "9999-12-31", 2932896},
};

static void test_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        char buf[ISOTIME_BUFSIZE], date[ISOTIME_BUFSIZE];
        int64_t back = 0;
        isotime_format(fmts[i].ms, buf, sizeof(buf));
        isotime_format_date(fmts[i].ms, date, sizeof(date));
        assert_string_equal(buf, fmts[i].iso);
        assert_string_equal(date, fmts[i].date);
        assert_int_equal(isotime_ms_to_days(fmts[i].ms), fmts[i].days);
        assert_int_equal(isotime_days_to_ms(fmts[i].days), isotime_day_start(fmts[i].ms));
        /* parse(format(x)) == x */
        assert_int_equal(isotime_parse(buf, &back, NULL, NULL, 0), 0);
        assert_int_equal(back, fmts[i].ms);
    }
}

static void test_format_truncates(void **state)
{
    char small[11];
    (void)state;
    isotime_format(0, small, sizeof(small));
    assert_string_equal(small, "1970-01-01");
}

/* Every day over 800 years: days -> civil -> days is the identity, and
 * the civil date parses back to the same day. */
/* fuzz_decode: a timestamp-millis (or -micros) of an event may be any
 * long; formatting one near INT64_MIN overflowed (UBSan). The text is
 * PostgreSQL's business (it refuses such years); no undefined behaviour
 * here. */
static void test_format_extremes(void **state)
{
    static const struct {
        int64_t ms;
        const char *iso;
        int64_t day_start;
    } cases[] = {
        {INT64_MAX, "292278994-08-17T07:12:55.807Z", INT64_MAX - 25975807},
        {INT64_MIN, "-292275055-05-16T16:47:04.192Z", INT64_MIN},
        {INT64_MIN + 86400000, "-292275055-05-17T16:47:04.192Z", INT64_MIN + 86400000 - 60424192},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        isotime_format(cases[i].ms, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].iso);
        assert_int_equal(isotime_day_start(cases[i].ms), cases[i].day_start);
    }
}

/* The digit-by-digit path against libc's own calendar (gmtime_r), over
 * years -1 to 10000: the years it writes, and either side of them. */
static void test_format_matches_gmtime(void **state)
{
    (void)state;
    for (int64_t ms = -62198668800000LL; ms < 253433923200000LL; ms += 7919LL * 3600000 + 4243) {
        char got[64], want[64];
        int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
        time_t t = (time_t)secs;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        snprintf(want, sizeof(want), "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                 tm.tm_sec, (int)(ms - secs * 1000));
        isotime_format(ms, got, sizeof(got));
        if (strcmp(got, want) != 0)
            fail_msg("%lld: %s, gmtime_r says %s", (long long)ms, got, want);
    }
}

/* The cursor parameter in an API's own spelling (cursor.param.format):
 * what the pattern writes, and which patterns the configuration takes. */
static void test_format_pattern(void **state)
{
    static const struct {
        const char *pattern;
        int64_t ms;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"%Y-%m-%d %H:%M:%S.%f", 1795608000123LL, "2026-11-25 12:00:00.123000"},
        {"%FT%T%z", 1795608000123LL, "2026-11-25T12:00:00+0000"},
        {"%F %T %Z", 0, "1970-01-01 00:00:00 UTC"},
        {"%Y-%m-%dT%H:%M:%S.%fZ", -1, "1969-12-31T23:59:59.999000Z"},
        {"100%% %Y", 1795608000123LL, "100% 2026"},
        {"%Y-%m-%d %H:%M:%S %q", 0, NULL}, /* a conversion of strftime's only */
        {"%Y-%m-%d %", 0, NULL},           /* a '%' at the end */
        {"", 0, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[ISOTIME_PATTERN_BUFSIZE];
        int rc = isotime_format_pattern(cases[i].pattern, cases[i].ms, buf, sizeof(buf));
        if (!cases[i].want) {
            assert_int_equal(rc, -1);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(buf, cases[i].want);
    }
    char small[8];
    assert_int_equal(isotime_format_pattern("%F", 0, small, sizeof(small)), -1);

    static const struct {
        const char *pattern;
        int ok;
    } checks[] = {
        {"%Y-%m-%d %H:%M:%S.%f", 1},
        {"%FT%T%z", 1},
        {"%F %T", 1},
        {"%Y-%m-%dT%H:%M:%S.%fZ", 1},
        {"%F %H:%M", 0}, /* minutes: not the second */
        {"%d.%m.%Y %T", 0},
        {"%F", 0},
        {"2026-11-25 %T", 0}, /* one day */
        {"%F %T %q", 0},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        char why[256] = "";
        int rc = isotime_pattern_check(checks[i].pattern, why, sizeof(why));
        if ((rc == 0) != checks[i].ok)
            fail_msg("check %zu '%s': rc %d (%s)", i, checks[i].pattern, rc, why);
    }
}

static void test_day_round_trip(void **state)
{
    (void)state;
    for (int32_t d = -146097; d <= 146097; d += 1) {
        char buf[ISOTIME_BUFSIZE];
        int64_t ms = 0;
        int date_only = 0;
        isotime_format_date(isotime_days_to_ms(d), buf, sizeof(buf));
        if (isotime_parse(buf, &ms, &date_only, NULL, 0) != 0 || ms != isotime_days_to_ms(d) ||
            !date_only)
            fail_msg("day %d -> %s -> %lld", d, buf, (long long)ms);
    }
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t now = isotime_now_ms();
    assert_true(now > 1700000000000LL); /* after 2023: the clock is ms, not s */
    int64_t a = isotime_monotonic_ms(), b = isotime_monotonic_ms();
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),      cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_format),          cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_format_extremes), cmocka_unit_test(test_format_matches_gmtime),
        cmocka_unit_test(test_day_round_trip),  cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_format_pattern),  cmocka_unit_test(test_parse_bad_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
