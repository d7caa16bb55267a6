/*
 * convert_logical.c - the date and time logical types and uuid from source
 * JSON to Avro binary (timestamp-millis/micros, local-timestamp-millis/
 * micros with their "no UTC offset" rule, date, time-millis/micros, uuid),
 * and the row form of uuid and time-millis/micros (timestamps' is in
 * convert_row.c).
 *
 * The accepted forms are convert.h's; every refusal says why, for the DLQ.
 * Stateless; safe from any thread on distinct values.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "convert_priv.h"
#include "isotime.h"
#include "jsonnum.h"
#include "uuidtext.h"
#include "utf8.h"

#define MS_PER_DAY  86400000LL
#define TIME_MAX_IN 64 /* a time string longer than this is refused */

/* Microseconds past the millisecond: fraction digits 4..6 of an ISO time
 * (isotime truncates to milliseconds; later digits are truncated too). */
static int64_t extra_micros(const char *s)
{
    const char *dot = strpbrk(s, ".,");
    int64_t us = 0;

    if (!dot)
        return 0;
    const char *d = dot + 1;
    for (int i = 0; i < 6; i++) {
        int digit = isdigit((unsigned char)*d) ? *d++ - '0' : 0;
        if (i >= 3)
            us = us * 10 + digit;
    }
    return us;
}

/* 0001-01-01 .. 9999-12-31 in epoch seconds (the end exclusive): what
 * isotime can write */
#define EPOCH_S_MIN (-62135596800LL)
#define EPOCH_S_END 253402300800LL

/*
 * A number of seconds or milliseconds since 1970 (unit; an integer, a
 * fraction, or digits in a string, as cursor.format = unix or unix_ms
 * reads the cursor) into *val in milliseconds or microseconds, a fraction
 * below that cut (exactly: jsonnum_scaled_floor). 1 when v is such a
 * number (0 when it is not: an ISO-8601 string, say), -1 when it is out
 * of range.
 */
static int epoch_number(const conv_ctx_t *c, const json_t *v, int micros, epoch_unit_t unit,
                        int64_t *val)
{
    const char *unit_name = unit == EPOCH_CURSOR_MS ? "ms" : "s";
    char buf[JSONNUM_REAL_TEXT_SIZE];
    const char *t;

    if (json_is_integer(v)) {
        jsonnum_int_text(json_integer_value(v), buf);
        t = buf;
    } else if (jsonnum_is(v)) {
        t = jsonnum_text(v);
    } else if (jsonnum_is_string(v) && jsonnum_is_plain_unsigned(json_string_value(v))) {
        t = json_string_value(v);
    } else if (json_is_real(v)) { /* from jansson's own parser: its shortest text */
        if (!isfinite(json_real_value(v)))
            return conv_fail(c, "%g %s is out of range (years 1 to 9999)", json_real_value(v),
                             unit_name);
        jsonnum_real_text(json_real_value(v), 0, buf);
        t = buf;
    } else {
        return 0;
    }
    int64_t per_s = micros ? 1000000 : 1000;
    int shift = (micros ? 6 : 3) - (unit == EPOCH_CURSOR_MS ? 3 : 0);
    if (jsonnum_scaled_floor(t, shift, EPOCH_S_MIN * per_s, EPOCH_S_END * per_s - 1, val) != 0)
        return conv_fail(c, "%.40s %s is out of range (years 1 to 9999)", t, unit_name);
    return 1;
}

int conv_set_timestamp(const conv_ctx_t *c, const json_t *v, int micros, epoch_unit_t unit)
{
    int64_t ms, val = 0;
    char err[256];

    if (unit != EPOCH_PLAIN_MS) {
        int rc = epoch_number(c, v, micros, unit, &val);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            avroenc_long(c->w, val);
            return 0;
        }
    }
    if (json_is_integer(v)) {
        ms = json_integer_value(v);
        if (micros && (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000))
            return conv_fail(c, "%" PRId64 " ms is out of range", ms);
        val = micros ? ms * 1000 : ms;
    } else if (jsonnum_is_integer(v)) {
        return conv_fail(c, "%.*s%s ms is out of range", UTF8_SHOWN(jsonnum_text(v)));
    } else if (jsonnum_is_string(v)) {
        const char *s = json_string_value(v);
        if (isotime_parse(s, &ms, NULL, err, sizeof(err)) != 0)
            return conv_fail(c, "'%.*s%s': %s", UTF8_SHOWN(s), err);
        val = micros ? ms * 1000 + extra_micros(s) : ms;
    } else {
        return conv_expected(c, "an ISO-8601 string or epoch milliseconds", v);
    }
    avroenc_long(c->w, val);
    return 0;
}

int conv_set_date(const conv_ctx_t *c, const json_t *v)
{
    int64_t ms;
    int date_only = 0;
    char err[256];

    if (!jsonnum_is_string(v))
        return conv_expected(c, "a date string (YYYY-MM-DD)", v);
    const char *s = json_string_value(v);
    if (isotime_parse(s, &ms, &date_only, err, sizeof(err)) != 0)
        return conv_fail(c, "'%.*s%s': %s", UTF8_SHOWN(s), err);
    if (!date_only)
        return conv_fail(c, "'%.*s%s' is not a date (YYYY-MM-DD)", UTF8_SHOWN(s));
    avroenc_long(c->w, isotime_ms_to_days(ms));
    return 0;
}

static int not_a_uuid(const conv_ctx_t *c, const char *s, size_t len)
{
    return conv_fail(c, "'%.*s%s' is not a UUID (8-4-4-4-12 hex digits)", utf8_cut(s, 48), s,
                     len > 48 ? "..." : "");
}

int conv_set_uuid(const conv_ctx_t *c, const json_t *v)
{
    char text[UUIDTEXT_LEN + 1];

    if (!jsonnum_is_string(v))
        return conv_expected(c, "a UUID string", v);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (uuidtext_canonical(s, len, text) != 0)
        return not_a_uuid(c, s, len);
    avroenc_bytes(c->w, text, UUIDTEXT_LEN);
    return 0;
}

json_t *conv_uuid_json(const conv_ctx_t *c, const char *s, size_t len)
{
    char text[UUIDTEXT_LEN + 1];

    if (uuidtext_canonical(s, len, text) != 0) {
        not_a_uuid(c, s, len);
        return NULL;
    }
    return json_string(text);
}

/* "HH:MM:SS" with an optional fraction ([.,] and digits), nothing else. */
static int time_shape(const char *s, size_t len)
{
    static const char pattern[] = "dd:dd:dd";

    if (len < 8 || len > TIME_MAX_IN)
        return -1;
    for (size_t i = 0; i < 8; i++)
        if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pattern[i])
            return -1;
    if (len == 8)
        return 0;
    if ((s[8] != '.' && s[8] != ',') || len == 9)
        return -1;
    for (size_t i = 9; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return -1;
    return 0;
}

/* Microseconds after midnight of a time string; -1 with the reason. */
static int time_from_text(const conv_ctx_t *c, const char *s, size_t len, int64_t *us)
{
    char iso[16 + TIME_MAX_IN], err[256];
    int64_t ms;

    if (time_shape(s, len) != 0)
        return conv_fail(c, "'%.*s%s' is not a time of day (HH:MM:SS[.ffffff], no UTC offset)",
                         utf8_cut(s, 48), s, len > 48 ? "..." : "");
    if (s[0] > '2' || (s[0] == '2' && s[1] > '3'))
        return conv_fail(c, "'%s': hour out of range (00-23; 24:00:00 is not taken)", s);
    if (s[6] == '6' && s[7] == '0')
        return conv_fail(c, "'%s': a leap second (:60) is not a time of day", s);
    snprintf(iso, sizeof(iso), "1970-01-01T%s", s);
    if (isotime_parse(iso, &ms, NULL, err, sizeof(err)) != 0)
        return conv_fail(c, "'%s': time out of range", s);
    *us = ms * 1000 + extra_micros(s);
    return 0;
}

int conv_set_time(const conv_ctx_t *c, const json_t *v, int micros)
{
    int64_t us;

    if (json_is_integer(v)) {
        int64_t ms = json_integer_value(v);
        if (ms < 0 || ms >= MS_PER_DAY)
            return conv_fail(c, "%" PRId64 " ms is not a time of day (0..86399999)", ms);
        us = ms * 1000;
    } else if (jsonnum_is(v)) {
        return conv_fail(c, "%.40s ms is not a time of day (0..86399999)", jsonnum_text(v));
    } else if (jsonnum_is_string(v)) {
        if (time_from_text(c, json_string_value(v), json_string_length(v), &us) != 0)
            return -1;
    } else {
        return conv_expected(c, "a time string (HH:MM:SS[.ffffff]) or milliseconds after midnight",
                             v);
    }
    avroenc_long(c->w, micros ? us : us / 1000); /* time-millis: an int */
    return 0;
}

json_t *conv_time_json(const conv_ctx_t *c, int64_t val, int micros)
{
    int64_t per_day = micros ? MS_PER_DAY * 1000 : MS_PER_DAY;
    char buf[32];

    if (val < 0 || val >= per_day) {
        conv_fail(c, "%" PRId64 " %s is not a time of day", val, micros ? "us" : "ms");
        return NULL;
    }
    int64_t secs = micros ? val / 1000000 : val / 1000;
    int frac = (int)(micros ? val % 1000000 : val % 1000);
    snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%0*d", (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), micros ? 6 : 3, frac);
    return json_string(buf);
}

int conv_check_no_offset(const conv_ctx_t *c, const json_t *v)
{
    if (!jsonnum_is_string(v) || json_string_length(v) <= 10)
        return 0;
    const char *s = json_string_value(v);
    /* the date is YYYY-MM-DD: a sign or Z after it starts an offset, and
     * so does a zone's name (isotime.h takes "... UTC") */
    if (strpbrk(s + 10, "Zz+-") || strstr(s + 10, "UTC") || strstr(s + 10, "GMT"))
        return conv_fail(c, "'%.*s' has a UTC offset: a local timestamp takes none",
                         utf8_cut(s, 48), s);
    return 0;
}
