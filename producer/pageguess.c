/*
 * pageguess.c - the last cursor value of a page, guessed from its bytes
 * (see pageguess.h).
 */
#define _GNU_SOURCE /* memrchr: the body is read from its end */
#include "pageguess.h"

#include <string.h>

#include "jsonnum.h"

/* Longer number tokens are no guess (no cursor or token is one). */
#define NUMBER_TEXT_MAX 128

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the value of a member whose name's closing quote is at q begins
 * (after the colon and white space), or NULL when q closes no name. */
static const char *value_after(const char *q, const char *end)
{
    const char *p = q + 1;
    while (p < end && is_space(*p))
        p++;
    if (p == end || *p != ':')
        return NULL;
    for (p++; p < end && is_space(*p); p++)
        ;
    return p < end ? p : NULL;
}

/* The string at p (its opening quote) as a json string, or NULL: one
 * with an escape, a control character, bytes that are not UTF-8, or no
 * closing quote. */
static json_t *plain_string(const char *p, const char *end)
{
    const char *s = p + 1, *e = s;
    while (e < end && *e != '"' && *e != '\\' && (unsigned char)*e >= 0x20)
        e++;
    if (e == end || *e != '"')
        return NULL;
    return json_stringn(s, (size_t)(e - s));
}

/* The number at p as the page reader makes it (jsonnum_value); NULL for
 * a token that is no JSON number. */
static json_t *number_at(const char *p, const char *end)
{
    char text[NUMBER_TEXT_MAX];
    const char *e = p;
    while (e < end && *e && strchr("+-.0123456789eE", *e))
        e++;
    size_t n = (size_t)(e - p);
    if (n == 0 || n >= sizeof(text))
        return NULL;
    memcpy(text, p, n);
    text[n] = '\0';
    return jsonnum_syntax(text) == JSONNUM_NOT ? NULL : jsonnum_value(text, n);
}

int pageguess_last_value(const char *body, size_t len, const char *name, json_t **value)
{
    size_t nl = strlen(name);
    const char *end = body + len, *p = end;
    *value = NULL;
    /* each quote from the end: is it the closing one of "name" then ':'? */
    while (p > body) {
        const char *q = memrchr(body, '"', (size_t)(p - body));
        if (!q)
            return 0;
        p = q;
        if ((size_t)(q - body) < nl + 1 || q[-(ptrdiff_t)nl - 1] != '"' ||
            memcmp(q - nl, name, nl) != 0)
            continue;
        const char *v = value_after(q, end);
        if (!v)
            continue; /* the name as a value, not as a member's name */
        *value = *v == '"' ? plain_string(v, end) : number_at(v, end);
        return *value != NULL;
    }
    return 0;
}
