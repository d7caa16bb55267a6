/*
 * isotime.c - ISO-8601 timestamps <-> milliseconds since the epoch (UTC).
 *
 * Pure calendar arithmetic (Howard Hinnant's days_from_civil and
 * civil_from_days) so that nothing depends on the process's time zone,
 * on timegm() or on the range of time_t.
 */
#include "isotime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "errstr.h"
#include "utf8.h"

#define MS_PER_DAY 86400000LL

/* Floor division: the calendar of negative (pre-1970) times must not round
 * toward zero. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n digits at *p; advances *p. -1 if they are not there. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int fail(char *errstr, size_t errstr_size, const char *s, const char *why)
{
    errstr_set(errstr, errstr_size, "bad timestamp '%.*s%s': %s", UTF8_SHOWN(s), why);
    return -1;
}

/* "Z", "+HH:MM", "+HHMM", "+HH" or "" at p -> offset in minutes. */
/* Whether p is a time zone's abbreviation after a numeric offset, as Go's
 * Time.String() writes it ("-0500 EST"): 1 to 6 ASCII letters. The offset
 * before it says all; the name, ambiguous (CST), is only skipped. */
static int zone_name(const char *p)
{
    size_t n = 0;
    while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z'))
        n++;
    return n >= 1 && n <= 6 && p[n] == '\0';
}

static int parse_offset(const char *p, int *minutes, const char **why)
{
    int mm = 0;

    *minutes = 0;
    if (*p == '\0')
        return 0;
    /* Ruby's Time#to_s and Go's Time.String() put a space before the zone
     * ("2026-11-30 10:00:00 +0000", "... UTC"): one is taken */
    if (*p == ' ' && p[1] != '\0' && p[1] != ' ')
        p++;
    if (((*p == 'Z' || *p == 'z') && p[1] == '\0') || !strcmp(p, "UTC") || !strcmp(p, "GMT"))
        return 0;
    if (*p != '+' && *p != '-') {
        *why = "unexpected text after the time";
        return -1;
    }
    int sign = *p == '-' ? -1 : 1;
    p++;
    int hh;
    if (digits(&p, 2, &hh) < 0) {
        *why = "bad UTC offset";
        return -1;
    }
    if (*p == ':' && p[1] == '\0') { /* "+01:" */
        *why = "bad UTC offset";
        return -1;
    }
    if (*p == ':')
        p++;
    if (*p != '\0' && *p != ' ' && digits(&p, 2, &mm) < 0) {
        *why = "bad UTC offset";
        return -1;
    }
    if (*p == ' ' && zone_name(p + 1))
        p += strlen(p);
    if (*p != '\0') {
        *why = "unexpected text after the UTC offset";
        return -1;
    }
    if (hh > 23 || mm > 59) {
        *why = "UTC offset out of range";
        return -1;
    }
    *minutes = sign * (hh * 60 + mm);
    return 0;
}

/* "HH:MM[:SS[.fff...]]" at *p -> milliseconds into the day. */
static int parse_time(const char **p, int64_t *ms, const char **why)
{
    int hh, mi, ss = 0, frac = 0;

    if (digits(p, 2, &hh) < 0 || **p != ':') {
        *why = "bad time (expected HH:MM:SS)";
        return -1;
    }
    (*p)++;
    if (digits(p, 2, &mi) < 0) {
        *why = "bad time (expected HH:MM:SS)";
        return -1;
    }
    if (**p == ':') {
        (*p)++;
        if (digits(p, 2, &ss) < 0) {
            *why = "bad seconds";
            return -1;
        }
        if (**p == '.' || **p == ',') {
            (*p)++;
            if (!isdigit((unsigned char)**p)) {
                *why = "bad fraction of a second";
                return -1;
            }
            /* ".5" is 500 ms: digit i weighs 100, 10, 1; the fourth and
             * later digits are truncated, never rounded (a cursor must
             * not move past a value the source served). */
            static const int weight[3] = {100, 10, 1};
            for (int i = 0; isdigit((unsigned char)**p); i++, (*p)++)
                if (i < 3)
                    frac += (**p - '0') * weight[i];
        }
    }
    if (hh > 23 || mi > 59 || ss > 60) { /* 60: a leap second */
        *why = "time out of range";
        return -1;
    }
    /* A leap second taken as a whole second would be the next minute's
     * first: 23:59:60.5 after 00:00:00.2, and a walk seeking from it would
     * skip what came in that next second. It is the last millisecond of
     * its minute instead, after all of :59 and before the next minute. */
    if (ss == 60)
        ss = 59, frac = 999;
    *ms = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
    return 0;
}

int isotime_parse(const char *s, int64_t *ms_out, int *date_only, char *errstr, size_t errstr_size)
{
    const char *p = s;
    const char *why = NULL;
    int64_t tod = 0;

    if (!s)
        return fail(errstr, errstr_size, "(null)", "no value");
    int y, m, d;
    if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &m) < 0 || *p++ != '-' ||
        digits(&p, 2, &d) < 0)
        return fail(errstr, errstr_size, s, "expected YYYY-MM-DD");
    if (m < 1 || m > 12)
        return fail(errstr, errstr_size, s, "month out of range");
    if (d < 1 || d > days_in_month(y, m))
        return fail(errstr, errstr_size, s, "day out of range");
    int64_t ms = days_from_civil(y, m, d) * MS_PER_DAY;
    int only = *p == '\0';
    if (!only) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return fail(errstr, errstr_size, s, "expected 'T' or ' ' after the date");
        p++;
        int off_min;
        if (parse_time(&p, &tod, &why) < 0 || parse_offset(p, &off_min, &why) < 0)
            return fail(errstr, errstr_size, s, why);
        ms += tod - (int64_t)off_min * 60000;
    }
    /* What isotime_format writes back (four-digit years) and PostgreSQL
     * takes: year 0000, or an offset or leap second that moves the
     * instant out of 0001..9999 in UTC, is not a timestamp here. */
    if (ms < ISOTIME_MIN_MS || ms > ISOTIME_MAX_MS)
        return fail(errstr, errstr_size, s, "out of range (0001-01-01 to 9999-12-31 in UTC)");
    if (date_only)
        *date_only = only;
    *ms_out = ms;
    return 0;
}

/* Writes v (0 <= v < 10^width) as exactly width digits at p. */
static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

void isotime_format(int64_t ms, char *buf, size_t size)
{
    int64_t days = floor_div(ms, MS_PER_DAY);
    /* not ms - days * MS_PER_DAY: that overflows near INT64_MIN */
    int64_t rem = ms % MS_PER_DAY;

    if (rem < 0)
        rem += MS_PER_DAY;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), ss = (int)(rem / 1000 % 60),
        mss = (int)(rem % 1000);
    /* The worker formats two of these per row (the bench's profile had
     * snprintf at 8% of its CPU): the years ISOTIME_* bound are written
     * digit by digit, byte for byte what snprintf writes. */
    if (y >= 0 && y <= 9999 && size >= sizeof("0000-00-00T00:00:00.000Z")) {
        char *p = put_digits(buf, (int)y, 4);
        *p++ = '-';
        p = put_digits(p, m, 2);
        *p++ = '-';
        p = put_digits(p, d, 2);
        *p++ = 'T';
        p = put_digits(p, hh, 2);
        *p++ = ':';
        p = put_digits(p, mi, 2);
        *p++ = ':';
        p = put_digits(p, ss, 2);
        *p++ = '.';
        p = put_digits(p, mss, 3);
        *p++ = 'Z';
        *p = '\0';
        return;
    }
    snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, hh, mi, ss,
             mss);
}

void isotime_format_date(int64_t ms, char *buf, size_t size)
{
    int64_t y;
    int m, d;

    civil_from_days(floor_div(ms, MS_PER_DAY), &y, &m, &d);
    snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
}

int64_t isotime_day_start(int64_t ms)
{
    int64_t rem = ms % MS_PER_DAY;

    if (rem < 0)
        rem += MS_PER_DAY;
    /* the first day of int64 starts before INT64_MIN: clamp */
    return ms >= INT64_MIN + rem ? ms - rem : INT64_MIN;
}

int32_t isotime_ms_to_days(int64_t ms)
{
    return (int32_t)floor_div(ms, MS_PER_DAY);
}

int64_t isotime_days_to_ms(int32_t days)
{
    return (int64_t)days * MS_PER_DAY;
}

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t isotime_now_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

int64_t isotime_monotonic_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* One conversion of isotime_format_pattern() into out (at least 16
 * bytes); its length, or -1 for a conversion it does not know. */
static int pattern_conversion(char c, int64_t y, int m, int d, int64_t rem, char *out)
{
    int hh = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), ss = (int)(rem / 1000 % 60);
    switch (c) {
    case 'Y':
        return snprintf(out, 16, "%04lld", (long long)y);
    case 'm':
        return snprintf(out, 16, "%02d", m);
    case 'd':
        return snprintf(out, 16, "%02d", d);
    case 'H':
        return snprintf(out, 16, "%02d", hh);
    case 'M':
        return snprintf(out, 16, "%02d", mi);
    case 'S':
        return snprintf(out, 16, "%02d", ss);
    case 'f':
        return snprintf(out, 16, "%03d000", (int)(rem % 1000));
    case 'F':
        return snprintf(out, 16, "%04lld-%02d-%02d", (long long)y, m, d);
    case 'T':
        return snprintf(out, 16, "%02d:%02d:%02d", hh, mi, ss);
    case 'z':
        return snprintf(out, 16, "+0000");
    case 'Z':
        return snprintf(out, 16, "UTC");
    case '%':
        return snprintf(out, 16, "%%");
    default:
        return -1;
    }
}

int isotime_format_pattern(const char *pattern, int64_t ms, char *buf, size_t size)
{
    int64_t days = floor_div(ms, MS_PER_DAY), rem = ms % MS_PER_DAY, y;
    int m, d;
    size_t n = 0;

    if (rem < 0)
        rem += MS_PER_DAY;
    civil_from_days(days, &y, &m, &d);
    for (const char *p = pattern; *p; p++) {
        char one[16];
        int len = 1;
        if (*p != '%')
            one[0] = *p;
        else if ((len = pattern_conversion(*++p, y, m, d, rem, one)) < 0)
            return -1; /* an unknown conversion, or a '%' at the end */
        if (n + (size_t)len >= size)
            return -1;
        memcpy(buf + n, one, (size_t)len);
        n += (size_t)len;
    }
    if (n == 0 || size == 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

int isotime_pattern_check(const char *pattern, char *errstr, size_t errstr_size)
{
    /* 2026-11-25T12:34:56.789Z and 1999-01-02T03:04:05.006Z */
    static const int64_t samples[] = {1795610096789LL, 915246245006LL};
    char text[ISOTIME_PATTERN_BUFSIZE], err[128];

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        int64_t back;
        if (isotime_format_pattern(pattern, samples[i], text, sizeof(text)) != 0) {
            errstr_set(errstr, errstr_size,
                       "writes nothing or more than %d bytes, or has a conversion other than "
                       "%%Y %%m %%d %%H %%M %%S %%f %%F %%T %%z %%Z %%%%",
                       ISOTIME_PATTERN_BUFSIZE - 1);
            return -1;
        }
        if (isotime_parse(text, &back, NULL, err, sizeof(err)) != 0 || back > samples[i] ||
            samples[i] - back >= 1000) {
            char want[ISOTIME_BUFSIZE];
            isotime_format(samples[i], want, sizeof(want));
            errstr_set(errstr, errstr_size,
                       "writes %s as '%s', which does not read back as that time (to the "
                       "second at least)",
                       want, text);
            return -1;
        }
    }
    return 0;
}
