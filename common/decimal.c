/*
 * decimal.c - Avro decimals: exact text arithmetic on digit strings (no
 * floating point) between "-1234.50" and the two's-complement big-endian
 * unscaled value at a scale. Declared in convert.h. Pure functions.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "convert.h"

/* w (little-endian, *n bytes used) = w * 10 + digit. */
static int mul10_add(unsigned char *w, size_t *n, size_t cap, int digit)
{
    unsigned carry = (unsigned)digit;

    for (size_t i = 0; i < *n; i++) {
        unsigned v = w[i] * 10u + carry;
        w[i] = (unsigned char)(v & 0xff);
        carry = v >> 8;
    }
    if (carry) {
        if (*n >= cap)
            return -1;
        w[(*n)++] = (unsigned char)carry;
    }
    return 0;
}

/* Magnitude (little-endian) to minimal two's complement, big-endian. */
static int to_twos_complement(unsigned char *w, size_t n, size_t cap, int neg,
                              size_t *len_out)
{
    if (n == 0) { /* zero, whatever its sign */
        if (cap < 1)
            return -1;
        w[0] = 0;
        n = 1;
    } else if (neg) {
        unsigned carry = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned v = (unsigned)(unsigned char)~w[i] + carry;
            w[i] = (unsigned char)v;
            carry = v >> 8;
        }
        if (!(w[n - 1] & 0x80)) {
            if (n >= cap)
                return -1;
            w[n++] = 0xff;
        }
    } else if (w[n - 1] & 0x80) {
        if (n >= cap)
            return -1;
        w[n++] = 0;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned char t = w[i];
        w[i] = w[n - 1 - i];
        w[n - 1 - i] = t;
    }
    *len_out = n;
    return 0;
}

int decimal_from_text(const char *text, int precision, int scale,
                      unsigned char *buf, size_t bufsize, size_t *len_out,
                      char *errstr, size_t errstr_size)
{
    const char *p = text, *ip, *fp = "";
    size_t il, fl = 0, n = 0;
    int neg = 0;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    for (ip = p; isdigit((unsigned char)*p); p++)
        ;
    il = (size_t)(p - ip);
    if (*p == '.') {
        for (fp = ++p; isdigit((unsigned char)*p); p++)
            ;
        fl = (size_t)(p - fp);
    }
    if (*p != '\0' || il + fl == 0) {
        errstr_set(errstr, errstr_size, "'%s' is not a decimal number "
                "(digits with an optional sign and point, no exponent)",
                text);
        return -1;
    }
    /* Trailing zeros past the scale change nothing: "1.500" at scale 2. */
    while (fl > (size_t)scale && fp[fl - 1] == '0')
        fl--;
    if (fl > (size_t)scale) {
        errstr_set(errstr, errstr_size, "'%s' has more than %d decimal places",
                text, scale);
        return -1;
    }
    while (il > 0 && *ip == '0')
        ip++, il--;
    if (il > (size_t)(precision - scale)) {
        errstr_set(errstr, errstr_size, "'%s' does not fit decimal(%d,%d): "
                "at most %d digits before the point", text, precision, scale,
                precision - scale);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < il && rc == 0; i++)
        rc = mul10_add(buf, &n, bufsize, ip[i] - '0');
    for (size_t i = 0; i < (size_t)scale && rc == 0; i++)
        rc = mul10_add(buf, &n, bufsize, i < fl ? fp[i] - '0' : 0);
    if (rc == 0)
        rc = to_twos_complement(buf, n, bufsize, neg, len_out);
    if (rc != 0)
        errstr_set(errstr, errstr_size, "'%s' is too large", text);
    return rc;
}

/* Divides the big-endian magnitude m by 10 in place; returns the rest. */
static int div10(unsigned char *m, size_t len)
{
    unsigned rem = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned v = (rem << 8) | m[i];
        m[i] = (unsigned char)(v / 10);
        rem = v % 10;
    }
    return (int)rem;
}

static int is_zero(const unsigned char *m, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (m[i])
            return 0;
    return 1;
}

int decimal_to_text(const unsigned char *bytes, size_t len, int scale,
                    char *buf, size_t size)
{
    int neg = len > 0 && (bytes[0] & 0x80);
    size_t cap = len * 3 + (size_t)scale + 2, nd = 0;
    unsigned char *m = malloc(len ? len : 1);
    char *digits = malloc(cap);
    int rc = -1;

    if (!m || !digits)
        goto out;
    if (len > 0)
        memcpy(m, bytes, len);
    if (neg) { /* magnitude = two's complement negation */
        unsigned carry = 1;
        for (size_t i = len; i-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~m[i] + carry;
            m[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    while (!is_zero(m, len))
        digits[nd++] = (char)('0' + div10(m, len)); /* least significant first */
    while (nd < (size_t)scale + 1)
        digits[nd++] = '0';
    size_t need = (size_t)neg + nd + (scale > 0) + 1, o = 0;
    if (need > size)
        goto out;
    if (neg)
        buf[o++] = '-';
    for (size_t i = nd; i-- > 0;) {
        buf[o++] = digits[i];
        if (i == (size_t)scale && scale > 0)
            buf[o++] = '.';
    }
    buf[o] = '\0';
    rc = 0;
out:
    free(m);
    free(digits);
    return rc;
}
