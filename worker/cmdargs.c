/*
 * cmdargs.c - see cmdargs.h.
 */
#include "cmdargs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cmdargs_match(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);

    if (strncmp(arg, "--", 2) || strncmp(arg + 2, name, n))
        return 0;
    arg += 2 + n;
    if (*arg && *arg != '=')
        return 0; /* a longer option that starts with name */
    if (!value)
        return *arg ? -1 : 1;
    if (*arg == '=') {
        *value = arg + 1;
        return 1;
    }
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

int cmdargs_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || !strchr("+-0123456789", *s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (int64_t)v;
    return 0;
}
