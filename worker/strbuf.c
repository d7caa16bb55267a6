/*
 * strbuf.c - see strbuf.h.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf_t *sb)
{
    memset(sb, 0, sizeof(*sb));
}

static int reserve(strbuf_t *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    size_t cap;
    char *nb;

    if (sb->failed)
        return -1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 256;
    while (cap < need)
        cap *= 2;
    nb = realloc(sb->buf, cap);
    if (!nb) {
        sb->failed = 1;
        return -1;
    }
    sb->buf = nb;
    sb->cap = cap;
    return 0;
}

void strbuf_append(strbuf_t *sb, const char *s)
{
    size_t n = strlen(s);

    if (reserve(sb, n) < 0)
        return;
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
}

void strbuf_append_len(strbuf_t *sb, const char *s, size_t n)
{
    if (reserve(sb, n) < 0)
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

char *strbuf_reserve(strbuf_t *sb, size_t n)
{
    return reserve(sb, n) < 0 ? NULL : sb->buf + sb->len;
}

void strbuf_truncate(strbuf_t *sb, size_t len)
{
    if (sb->buf && len <= sb->len) {
        sb->len = len;
        sb->buf[len] = '\0';
    }
}

void strbuf_appendf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = 1;
        return;
    }
    if (reserve(sb, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

size_t strbuf_ident_len(const char *name)
{
    size_t n = strlen(name);

    if (n <= STRBUF_IDENT_MAX)
        return n;
    n = STRBUF_IDENT_MAX; /* back to the start of a UTF-8 character */
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
        n--;
    return n;
}

void strbuf_append_ident(strbuf_t *sb, const char *name)
{
    const char *p, *end = name + strbuf_ident_len(name);

    if (reserve(sb, 2 * strlen(name) + 2) < 0)
        return;
    sb->buf[sb->len++] = '"';
    for (p = name; p < end; p++) {
        if (*p == '"')
            sb->buf[sb->len++] = '"';
        sb->buf[sb->len++] = *p;
    }
    sb->buf[sb->len++] = '"';
    sb->buf[sb->len] = '\0';
}

char *strbuf_take(strbuf_t *sb)
{
    char *s = sb->buf;

    if (sb->failed || !s) {
        if (!sb->failed && !s)
            s = strdup("");
        else {
            free(s);
            s = NULL;
        }
    }
    strbuf_init(sb);
    return s;
}

void strbuf_clear(strbuf_t *sb)
{
    free(sb->buf);
    strbuf_init(sb);
}
