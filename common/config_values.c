/*
 * config_values.c - the value syntax of tidemark.conf that callers use on
 * their own too: durations ("30s", "500ms", "7d"), byte sizes ("256MiB"),
 * plain decimal numbers ("0.2") and ${NAME} expansion.
 * Pure functions (getenv only); any thread.
 */
#include "errstr.h"
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The decimal digits at *s (at least one) into *v, *s moved past them.
 * 0, or -1 when there is no digit or the number overflows. */
static int read_digits(const char **s, int64_t *v)
{
    const char *q = *s;

    if (!q || !isdigit((unsigned char)*q))
        return -1;
    for (*v = 0; isdigit((unsigned char)*q); q++) {
        if (*v > (INT64_MAX - 9) / 10)
            return -1;
        *v = *v * 10 + (*q - '0');
    }
    *s = q;
    return 0;
}

/* "30s" -> 30000. A bare number means seconds; overflow is an error. */
int config_parse_duration(const char *s, int64_t *ms_out)
{
    static const struct {
        const char *suffix;
        int64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {"", 0}};
    int64_t v;
    const char *q = s;

    if (read_digits(&q, &v) < 0)
        return -1;
    int64_t unit = *q == '\0' ? 1000 : 0;
    for (size_t i = 0; !unit && units[i].ms; i++)
        if (strcmp(q, units[i].suffix) == 0)
            unit = units[i].ms;
    if (!unit || v > INT64_MAX / unit)
        return -1;
    *ms_out = v * unit;
    return 0;
}

int config_parse_size(const char *s, int64_t *bytes_out)
{
    static const struct {
        const char *suffix;
        int64_t mult;
    } units[] = {{"", 1}, {"kib", 1LL << 10}, {"mib", 1LL << 20}, {"gib", 1LL << 30}};
    int64_t v;
    const char *q = s;

    if (read_digits(&q, &v) < 0)
        return -1;
    if (*q == ' ' && q[1] != '\0')
        q++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(q, units[i].suffix) == 0) {
            if (v > INT64_MAX / units[i].mult)
                return -1;
            *bytes_out = v * units[i].mult;
            return 0;
        }
    }
    return -1;
}

/* "0.2" -> 0.2, digit by digit: strtod would follow the locale and also
 * take "1e-1", "nan", "inf", " 0.2" and "-0". */
int config_parse_number(const char *s, double *out)
{
    double v = 0, scale = 1;
    int digits = 0, dot = 0;

    if (!s)
        return -1;
    for (const char *q = s; *q; q++) {
        if (*q == '.' && !dot) {
            dot = 1;
        } else if (isdigit((unsigned char)*q)) {
            digits++;
            if (dot) {
                scale /= 10;
                v += (*q - '0') * scale;
            } else {
                v = v * 10 + (*q - '0');
            }
        } else {
            return -1;
        }
    }
    if (!digits)
        return -1;
    *out = v;
    return 0;
}

static int valid_env_name(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

char *config_expand_env(const char *value, char *errstr, size_t errstr_size)
{
    size_t cap = strlen(value) + 1, len = 0;
    char *out = malloc(cap);
    const char *s = value;

    while (out && *s) {
        const char *piece = s;
        size_t n = 1;
        if (s[0] == '$' && s[1] == '{') {
            const char *end = strchr(s + 2, '}');
            if (!end) {
                errstr_set(errstr, errstr_size, "unterminated ${ (write ${NAME})");
                goto fail;
            }
            size_t nl = (size_t)(end - s - 2);
            if (!valid_env_name(s + 2, nl)) {
                errstr_set(errstr, errstr_size, "bad environment variable name '%.*s'", (int)nl,
                           s + 2);
                goto fail;
            }
            char name[256];
            if (nl >= sizeof(name)) {
                errstr_set(errstr, errstr_size, "environment variable name too long");
                goto fail;
            }
            snprintf(name, sizeof(name), "%.*s", (int)nl, s + 2);
            piece = getenv(name);
            if (!piece) {
                errstr_set(errstr, errstr_size, "environment variable %s is not set", name);
                goto fail;
            }
            /* a secret read from a file (a Kubernetes secret, --env-file)
             * often ends in a line break, which no one-line value wants:
             * an OAuth2 secret or registry password with it was refused
             * by the server with a 401 that named no cause */
            n = strlen(piece);
            while (n > 0 && (piece[n - 1] == '\n' || piece[n - 1] == '\r'))
                n--;
            s = end + 1;
        } else {
            s++;
        }
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(out, cap);
            if (!grown) {
                errstr_set(errstr, errstr_size, "out of memory");
                goto fail;
            }
            out = grown;
        }
        memcpy(out + len, piece, n);
        len += n;
    }
    if (!out) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    out[len] = '\0';
    return out;
fail:
    free(out);
    return NULL;
}
