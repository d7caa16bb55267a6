/*
 * idkey.c - see idkey.h.
 */
#include "idkey.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "jsonnum.h"
#include "uuidtext.h"
#include "utf8.h"

/* Parses s as PostgreSQL's int4in/int8in do (PostgreSQL 15): white space,
 * an optional sign, at least one decimal digit, white space. 0 or -1. */
static int parse_integer(const char *s, int64_t min, int64_t max, int64_t *out)
{
    uint64_t limit, v = 0;
    int neg = 0, digits = 0;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        unsigned d = (unsigned)(*s - '0');

        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (!digits || *s)
        return -1;
    *out = neg ? (v == 0 ? 0 : -(int64_t)(v - 1) - 1) : (int64_t)v;
    return 0;
}

static int is_integer_type(field_type_t t)
{
    return t == FT_INT || t == FT_LONG;
}

/*
 * Whether id (len bytes) is already an integer's plain decimal that no
 * type could find out of range: "0", or an optional '-' and at most
 * max_digits digits with no leading zero. Why: every record's id is made
 * canonical (the run, then reconciliation), mostly an id that the API
 * wrote as an integer and that reads back as itself; parsing and writing
 * it again was 2% of the producer's instructions.
 */
static int is_plain_decimal(const char *id, size_t len, size_t max_digits)
{
    size_t i = id[0] == '-';
    if (len - i == 1 && id[i] == '0')
        return i == 0; /* "-0" reads as 0 */
    if (len <= i || len - i > max_digits || id[i] < '1' || id[i] > '9')
        return 0;
    for (; i < len; i++)
        if (id[i] < '0' || id[i] > '9')
            return 0;
    return 1;
}

int idkey_canonical_in_place(field_type_t type, char *id, size_t *len)
{
    int64_t v;
    char text[JSONNUM_INT_TEXT_SIZE];

    if (!is_integer_type(type)) {
        if (type == FT_UUID)
            (void)uuidtext_canonical(id, *len, id);
        return 0;
    }
    /* 9 digits fit int, 18 long, either sign */
    if (is_plain_decimal(id, *len, type == FT_INT ? 9 : 18))
        return 0;
    if (parse_integer(id, type == FT_INT ? INT32_MIN : INT64_MIN,
                      type == FT_INT ? INT32_MAX : INT64_MAX, &v) < 0)
        return -1;
    /* never longer than the text it was read from: that has every digit
     * the plain decimal has, and its sign */
    *len = jsonnum_int_text(v, text);
    memcpy(id, text, *len + 1);
    return 0;
}

int idkey_canonical(const schema_field_t *f, const char *id, char **out, char *why, size_t why_size)
{
    size_t len = strlen(id);
    char *key = malloc(len + 1);

    *out = NULL;
    if (!key)
        return -2;
    memcpy(key, id, len + 1);
    if (idkey_canonical_in_place(f->type, key, &len) < 0) {
        free(key);
        errstr_set(why, why_size, "id '%.*s%s' is not an %s", UTF8_SHOWN(id),
                   f->type == FT_INT ? "int" : "integer (long)");
        return -1;
    }
    *out = key;
    return 0;
}

int idkey_check_after(const schema_field_t *f, const char *key, const json_t *after, char *why,
                      size_t why_size)
{
    const json_t *v = after ? json_object_get(after, f->name) : NULL;
    char buf[JSONNUM_INT_TEXT_SIZE], *mine = NULL;
    const char *theirs;
    int same;

    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        jsonnum_int_text(json_integer_value(v), buf);
        theirs = buf;
        same = !strcmp(buf, key);
    } else if (json_is_string(v)) {
        theirs = json_string_value(v);
        if (is_integer_type(f->type) || f->type == FT_UUID) {
            char ignored[8];

            same = idkey_canonical(f, theirs, &mine, ignored, sizeof(ignored)) == 0 &&
                   !strcmp(mine, key);
            free(mine);
        } else {
            same = json_string_length(v) == strlen(key) && !strcmp(theirs, key);
        }
    } else {
        return 0; /* an id field of another type: nothing to compare */
    }
    if (same)
        return 0;
    errstr_set(why, why_size, "after.%.*s = '%.*s' names another row than the event's id '%.*s'",
               utf8_cut(f->name, 64), f->name, utf8_cut(theirs, 64), theirs, utf8_cut(key, 64),
               key);
    return -1;
}
