/*
 * render.c - JSON bodies of the demo API. See render.h.
 */
#include "render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

void jbuf_init(jbuf_t *b)
{
    memset(b, 0, sizeof(*b));
}

void jbuf_free(jbuf_t *b)
{
    free(b->data);
    jbuf_init(b);
}

static int reserve(jbuf_t *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->len + more + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + more + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->oom = 1;
            return -1;
        }
        b->data = d;
        b->cap = cap;
    }
    return 0;
}

static void append(jbuf_t *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void jbuf_raw(jbuf_t *b, const char *s)
{
    append(b, s, strlen(s));
}

void jbuf_printf(jbuf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* UTF-8 passes through as is; only what JSON forbids is escaped. */
void jbuf_string(jbuf_t *b, const char *s)
{
    append(b, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        append(b, run, (size_t)(s - run));
        if (!ch)
            break;
        switch (ch) {
        case '"':
            append(b, "\\\"", 2);
            break;
        case '\\':
            append(b, "\\\\", 2);
            break;
        case '\n':
            append(b, "\\n", 2);
            break;
        case '\t':
            append(b, "\\t", 2);
            break;
        case '\r':
            append(b, "\\r", 2);
            break;
        default:
            jbuf_printf(b, "\\u%04x", ch);
            break;
        }
        run = s + 1;
    }
    append(b, "\"", 1);
}

char *jbuf_take(jbuf_t *b, size_t *len)
{
    char *d;

    if (b->oom || reserve(b, 0)) {
        jbuf_free(b);
        return NULL;
    }
    d = b->data;
    *len = b->len;
    jbuf_init(b);
    return d;
}

/* Writes each segment of a dotted path as "seg":{ , the last as "seg":[ */
void render_open(jbuf_t *b, const char *records_path)
{
    b->items = 0;
    if (!*records_path) {
        jbuf_raw(b, "[");
        return;
    }
    jbuf_raw(b, "{");
    for (const char *seg = records_path;;) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        char key[256];
        snprintf(key, sizeof(key), "%.*s", (int)(n < sizeof(key) ? n : sizeof(key) - 1), seg);
        jbuf_string(b, key);
        jbuf_raw(b, dot ? ":{" : ":[");
        if (!dot)
            break;
        seg = dot + 1;
    }
}

void render_close(jbuf_t *b, const char *records_path, const char *extra)
{
    if (!*records_path) {
        jbuf_raw(b, "]");
        return;
    }
    jbuf_raw(b, "]");
    for (const char *p = records_path; (p = strchr(p, '.')); p++)
        jbuf_raw(b, "}");
    if (extra && *extra) {
        jbuf_raw(b, ",");
        jbuf_raw(b, extra);
    }
    jbuf_raw(b, "}");
}

void render_id(jbuf_t *b, int string_ids, int64_t id)
{
    char buf[32];
    customer_format_id(id, string_ids, buf, sizeof(buf));
    if (string_ids)
        jbuf_string(b, buf);
    else
        jbuf_raw(b, buf);
}

static void item_sep(jbuf_t *b)
{
    if (b->items++)
        jbuf_raw(b, ",");
}

/* ,"key":value  (value NULL = null; quote = a JSON string) */
static void member(jbuf_t *b, const char *key, const char *value, int quote)
{
    jbuf_raw(b, ",");
    jbuf_string(b, key);
    jbuf_raw(b, ":");
    if (!value)
        jbuf_raw(b, "null");
    else if (quote)
        jbuf_string(b, value);
    else
        jbuf_raw(b, value);
}

void render_customer(jbuf_t *b, const render_conf_t *rc, const customer_t *c)
{
    customer_fields_t f;
    char ts[ISOTIME_BUFSIZE];

    customer_fields(c, rc->seed, &f);
    isotime_format(c->cursor_ms, ts, sizeof(ts));
    item_sep(b);
    jbuf_raw(b, "{");
    jbuf_string(b, rc->id_field);
    jbuf_raw(b, ":");
    render_id(b, rc->string_ids, c->id);
    member(b, "name", f.name, 1);
    member(b, "email", f.email, 1);
    member(b, "country", f.country, 1);
    member(b, "balance", f.balance, 1);
    member(b, "tier", f.tier, 1);
    member(b, "phone", f.phone[0] ? f.phone : NULL, 1);
    member(b, "signup_date", f.signup_date[0] ? f.signup_date : NULL, 1);
    member(b, "is_deleted", c->is_deleted ? "true" : "false", 0);
    member(b, rc->cursor_field, ts, 1);
    jbuf_raw(b, "}");
}

void render_deleted(jbuf_t *b, const render_conf_t *rc, const dataset_deleted_t *d)
{
    char ts[ISOTIME_BUFSIZE];

    isotime_format(d->deleted_at_ms, ts, sizeof(ts));
    item_sep(b);
    jbuf_raw(b, "{");
    jbuf_string(b, rc->id_field);
    jbuf_raw(b, ":");
    render_id(b, rc->string_ids, d->id);
    member(b, "deleted_at", ts, 1);
    jbuf_raw(b, "}");
}
