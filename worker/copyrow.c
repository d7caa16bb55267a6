/*
 * copyrow.c - see copyrow.h.
 */
#include "copyrow.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "isotime.h"
#include "jsonnum.h"

/* Appends s[0..n) escaped for COPY text format. */
static void put_text(strbuf_t *sb, const char *s, size_t n)
{
    char *out = strbuf_reserve(sb, 2 * n);

    if (!out)
        return;
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        switch (c) {
        case '\\':
            *o++ = '\\';
            *o++ = '\\';
            break;
        case '\n':
            *o++ = '\\';
            *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\';
            *o++ = 'r';
            break;
        case '\t':
            *o++ = '\\';
            *o++ = 't';
            break;
        default:
            *o++ = c;
        }
    }
    sb->len += (size_t)(o - out);
    sb->buf[sb->len] = '\0';
}

static void put_raw(strbuf_t *sb, const char *s)
{
    strbuf_append_len(sb, s, strlen(s));
}

/* Decimal digits, without snprintf: two per row and more per column of
 * every row of a batch. */
static void put_int(strbuf_t *sb, int64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    strbuf_append_len(sb, p, (size_t)(buf + sizeof(buf) - p));
}

static void put_time(strbuf_t *sb, int64_t ms)
{
    char ts[ISOTIME_BUFSIZE];

    isotime_format(ms, ts, sizeof(ts));
    put_raw(sb, ts);
}

static int dump_escaped(const char *buf, size_t size, void *data)
{
    strbuf_t *sb = data;

    put_text(sb, buf, size);
    return sb->failed ? -1 : 0;
}

/* A value as its JSON text: for an object, an array, or a jsonb column.
 * A number kept as text (a float or double inside a record, array or map:
 * convert_row.c) is written as that text. */
static void put_json(strbuf_t *sb, const json_t *v)
{
    if (jsonnum_dump_callback(v, dump_escaped, sb, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        sb->failed = 1;
}

/* One column's value (v NULL: missing). COPYROW_OK or COPYROW_NUL. */
static int put_value(strbuf_t *sb, const json_t *v, int is_json)
{
    char buf[32];

    if (!v || json_is_null(v)) {
        put_raw(sb, "\\N");
        return COPYROW_OK;
    }
    if (is_json) {
        put_json(sb, v);
        return COPYROW_OK;
    }
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);

        if (memchr(s, '\0', n))
            return COPYROW_NUL;
        put_text(sb, s, n);
        break;
    }
    case JSON_INTEGER:
        put_int(sb, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        /* every digit of the double; -0 as 0, as jsonb's numeric made it */
        snprintf(buf, sizeof(buf), "%.17g", json_real_value(v) == 0 ? 0.0 : json_real_value(v));
        put_raw(sb, buf);
        break;
    case JSON_TRUE:
        put_raw(sb, "t");
        break;
    case JSON_FALSE:
        put_raw(sb, "f");
        break;
    default:
        put_json(sb, v);
    }
    return COPYROW_OK;
}

/* The four columns every line ends with, and the end of the line. */
static void put_meta(strbuf_t *sb, const int64_t *source_ts_ms, int32_t partition, int64_t offset,
                     int64_t produced_at_ms)
{
    strbuf_append_len(sb, "\t", 1);
    if (source_ts_ms)
        put_time(sb, *source_ts_ms);
    else
        put_raw(sb, "\\N");
    strbuf_append_len(sb, "\t", 1);
    put_int(sb, partition);
    strbuf_append_len(sb, "\t", 1);
    put_int(sb, offset);
    strbuf_append_len(sb, "\t", 1);
    put_time(sb, produced_at_ms);
    strbuf_append_len(sb, "\n", 1);
}

int copyrow_event(strbuf_t *sb, const stream_sql_t *ss, const change_event_t *ev, int32_t partition,
                  int64_t offset)
{
    size_t start = sb->len;

    if (ev->op != CHANGE_OP_UPSERT) {
        put_text(sb, ev->id, strlen(ev->id));
    } else {
        for (size_t i = 0; i < ss->n_columns; i++) {
            const sql_column_t *c = &ss->columns[i];
            const json_t *v = ev->after ? json_object_get(ev->after, c->column) : NULL;

            if (i)
                strbuf_append_len(sb, "\t", 1);
            if (c->is_id && (!v || json_is_null(v))) {
                put_text(sb, ev->id, strlen(ev->id));
            } else if (put_value(sb, v, c->is_json) == COPYROW_NUL) {
                strbuf_truncate(sb, start);
                return COPYROW_NUL;
            }
        }
    }
    put_meta(sb, &ev->source_ts_ms, partition, offset, ev->produced_at_ms);
    return sb->failed ? -1 : COPYROW_OK;
}

int copyrow_tombstone(strbuf_t *sb, const char *id, int32_t partition, int64_t offset,
                      int64_t timestamp_ms)
{
    put_text(sb, id, strlen(id));
    /* no timestamp: produced at the epoch, before anything of another
     * partition (its own partition orders it by offset) */
    put_meta(sb, NULL, partition, offset, timestamp_ms >= 0 ? timestamp_ms : 0);
    return sb->failed ? -1 : COPYROW_OK;
}
