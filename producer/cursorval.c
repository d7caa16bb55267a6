/*
 * cursorval.c - see cursorval.h.
 */
#include "cursorval.h"

#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "isotime.h"
#include "jsonnum.h"

/* 0001-01-01 .. 9999-12-31 in epoch ms: what isotime can write back */
#define EPOCH_MS_MIN (-62135596800000LL)
#define EPOCH_MS_MAX 253402300799999LL

/* The decimal text of an epoch number: digits, a '.' and digits at most
 * (a sign too for a kept-as-text number). NULL when v is none. */
static const char *epoch_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_integer(v)) {
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    const char *t = jsonnum_is(v)          ? jsonnum_text(v)
                    : jsonnum_is_string(v) ? json_string_value(v)
                                           : NULL;
    if (!t)
        return NULL;
    if (jsonnum_is(v)) /* 1.7e9: a JSON number's grammar, written plainly */
        return jsonnum_to_plain(t, buf, size) == 0 ? buf : NULL;
    return jsonnum_is_plain_unsigned(t) ? t : NULL;
}

static int read_epoch(const cursor_clock_t *clock, const json_t *v, int64_t *ms, char *why,
                      size_t why_size)
{
    char buf[64];
    const char *t = epoch_text(v, buf, sizeof(buf));
    if (!t) {
        errstr_set(why, why_size, "not a number of %s since 1970",
                   clock->format == CURSOR_FORMAT_UNIX ? "seconds" : "milliseconds");
        return -1;
    }
    /* a fraction of a millisecond is cut, as isotime cuts it */
    int scale = clock->format == CURSOR_FORMAT_UNIX ? 3 : 0;
    if (jsonnum_scaled_floor(t, scale, EPOCH_MS_MIN, EPOCH_MS_MAX, ms) != 0) {
        errstr_set(why, why_size, "%.40s is out of range (years 1 to 9999)", t);
        return -1;
    }
    return 0;
}

int cursorval_read(const cursor_clock_t *clock, const json_t *v, int64_t *ms, char *why,
                   size_t why_size)
{
    if (jsonnum_is_string(v) &&
        (clock->format == CURSOR_FORMAT_ISO8601 || strpbrk(json_string_value(v), "-:T")))
        return isotime_parse(json_string_value(v), ms, NULL, why, why_size);
    if (clock->format == CURSOR_FORMAT_ISO8601) {
        errstr_set(why, why_size, "missing or not a string");
        return -1;
    }
    return read_epoch(clock, v, ms, why, why_size);
}

int64_t cursorval_since_below(const stream_conf_t *sc, int64_t since_ms)
{
    cursor_clock_t clock = hwm_clock(sc);
    int64_t b = hwm_bucket(&clock, since_ms);
    if (clock.format == CURSOR_FORMAT_UNIX && clock.precision != CURSOR_PRECISION_DATE)
        b = b >= 0 ? b / 1000 * 1000 : -((-b + 999) / 1000) * 1000;
    return b - 1;
}

int cursorval_of_record(const stream_conf_t *sc, const json_t *rec, int64_t *ms)
{
    json_t *c = json_is_object(rec) ? json_object_get(rec, sc->cursor_field) : NULL;
    char why[200];
    cursor_clock_t clock = hwm_clock(sc);
    return cursorval_read(&clock, c, ms, why, sizeof(why)) == 0;
}
