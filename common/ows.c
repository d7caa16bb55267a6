/*
 * ows.c - optional white space around header values (see ows.h).
 */
#include "ows.h"

#include <string.h>

int ows_is(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

char *ows_dup(const char *s, size_t n)
{
    while (n && ows_is((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && ows_is((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}
