/*
 * http_date.c - Retry-After and Date header values (see http_date.h).
 */
#include "http_date.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define DATE_MAX 64 /* an HTTP-date is about 29 characters */

static int is_ows(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* value without surrounding white space: [*s, *e). */
static void trim(const char *value, const char **s, const char **e)
{
    *s = value;
    *e = value + strlen(value);
    while (*s < *e && is_ows((unsigned char)**s))
        (*s)++;
    while (*e > *s && is_ows((unsigned char)(*e)[-1]))
        (*e)--;
}

/* [s, e) as an HTTP-date: it starts with a day name and holds a digit
 * (curl_getdate() would make something of much less). 0 with *t, or -1. */
static int parse_date(const char *s, const char *e, time_t *t)
{
    char date[DATE_MAX];
    if (s == e || !isalpha((unsigned char)*s) || (size_t)(e - s) >= sizeof(date))
        return -1;
    memcpy(date, s, (size_t)(e - s));
    date[e - s] = '\0';
    if (!strpbrk(date, "0123456789"))
        return -1;
    *t = curl_getdate(date, NULL);
    return *t == (time_t)-1 ? -1 : 0;
}

int http_retry_after_ms(const char *value, int64_t now_ms, int64_t cap_ms, int64_t *wait_ms)
{
    if (!value)
        return -1;
    if (cap_ms < 0)
        cap_ms = 0;
    const char *s, *e;
    trim(value, &s, &e);
    if (s == e)
        return -1;
    if (isdigit((unsigned char)*s)) {
        /* delta-seconds = 1*DIGIT; saturates instead of overflowing */
        int64_t secs = 0;
        for (const char *p = s; p < e; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            if (secs < INT64_MAX / 10000)
                secs = secs * 10 + (*p - '0');
        }
        int64_t ms = secs < INT64_MAX / 1000 ? secs * 1000 : INT64_MAX;
        *wait_ms = ms < cap_ms ? ms : cap_ms;
        return 0;
    }
    time_t t;
    if (parse_date(s, e, &t) != 0)
        return -1;
    /* curl_getdate reads years that milliseconds in int64 cannot hold */
    int64_t at = (int64_t)t > INT64_MAX / 1000   ? INT64_MAX
                 : (int64_t)t < INT64_MIN / 1000 ? INT64_MIN
                                                 : (int64_t)t * 1000;
    int64_t ms = at > now_ms ? at - now_ms : 0;
    *wait_ms = ms < cap_ms ? ms : cap_ms;
    return 0;
}

int http_date_ms(const char *value, int64_t *ms)
{
    if (!value)
        return -1;
    const char *s, *e;
    trim(value, &s, &e);
    time_t t;
    /* a year past what milliseconds in int64 hold is not a date either */
    if (parse_date(s, e, &t) != 0 || t <= 0 || (int64_t)t > INT64_MAX / 1000)
        return -1;
    *ms = (int64_t)t * 1000;
    return 0;
}
