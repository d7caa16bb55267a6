/*
 * uuidtext.h - a UUID's canonical text: RFC 4122's 8-4-4-4-12 hex digits,
 * lower case. An API may write the digits in either case (SQL Server and
 * .NET write upper case); the converter stores the lower-case text, and
 * the producer's event key and the worker's row key must be that same
 * text, or one record would go under two keys (two rows in a compacted
 * topic, an after.id that names "another row").
 *
 * Inline and pure; any thread.
 */
#ifndef TIDEMARK_UUIDTEXT_H
#define TIDEMARK_UUIDTEXT_H

#include <stddef.h>

#define UUIDTEXT_LEN 36

/* s (len bytes) in RFC 4122 text, either case, into out (lower case,
 * NUL-terminated): 0; anything else: -1, out untouched but for its first
 * bytes. out may be s itself. */
static inline int uuidtext_canonical(const char *s, size_t len, char out[UUIDTEXT_LEN + 1])
{
    if (len != UUIDTEXT_LEN)
        return -1;
    for (size_t i = 0; i < UUIDTEXT_LEN; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return -1;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return -1;
        }
    }
    for (size_t i = 0; i < UUIDTEXT_LEN; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    out[UUIDTEXT_LEN] = '\0';
    return 0;
}

#endif
