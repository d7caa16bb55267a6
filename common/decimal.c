/*
 * decimal.c - Avro decimals: exact text arithmetic on digit strings (no
 * floating point) between "-1234.50" and the two's-complement big-endian
 * unscaled value at a scale. Declared in convert.h. Pure functions.
 *
 * Binary to text goes through base-10^9 limbs (see to_limbs); a value
 * past PostgreSQL's numeric limits is refused from its bit length alone,
 * before any conversion, so hostile input costs time linear in its size.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "convert.h"
#include "utf8.h"

/* Digits that always fit a uint64_t: 10^18 - 1 < 2^63. */
#define U64_DIGITS 18

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
static int to_twos_complement(unsigned char *w, size_t n, size_t cap, int neg, size_t *len_out)
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

int decimal_from_text(const char *text, int precision, int scale, unsigned char *buf,
                      size_t bufsize, size_t *len_out, char *errstr, size_t errstr_size)
{
    const char *p = text, *ip, *fp = "";
    size_t il, fl = 0, n = 0;
    int neg = 0;

    if (scale < 0) { /* no schema has one; the sums below count on it */
        errstr_set(errstr, errstr_size, "decimal scale %d is negative", scale);
        return -1;
    }
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
        errstr_set(errstr, errstr_size,
                   "'%.*s%s' is not a decimal number "
                   "(digits with an optional sign and point, no exponent)",
                   UTF8_SHOWN(text));
        return -1;
    }
    /* Trailing zeros past the scale change nothing: "1.500" at scale 2. */
    while (fl > (size_t)scale && fp[fl - 1] == '0')
        fl--;
    if (fl > (size_t)scale) {
        errstr_set(errstr, errstr_size, "'%.*s%s' has more than %d decimal places",
                   UTF8_SHOWN(text), scale);
        return -1;
    }
    while (il > 0 && *ip == '0')
        ip++, il--;
    if (il > (size_t)(precision - scale)) {
        errstr_set(errstr, errstr_size,
                   "'%.*s%s' does not fit decimal(%d,%d): "
                   "at most %d digits before the point",
                   UTF8_SHOWN(text), precision, scale, precision - scale);
        return -1;
    }
    int rc = 0;
    if (il + (size_t)scale <= U64_DIGITS) {
        /* The common case, once per decimal field per record: one multiply
         * a digit instead of a pass over the bytes so far. */
        uint64_t u = 0;
        for (size_t i = 0; i < il; i++)
            u = u * 10 + (uint64_t)(ip[i] - '0');
        for (size_t i = 0; i < (size_t)scale; i++)
            u = u * 10 + (uint64_t)(i < fl ? fp[i] - '0' : 0);
        for (; u && rc == 0; u >>= 8) {
            if (n < bufsize)
                buf[n++] = (unsigned char)u;
            else
                rc = -1;
        }
    } else {
        for (size_t i = 0; i < il && rc == 0; i++)
            rc = mul10_add(buf, &n, bufsize, ip[i] - '0');
        for (size_t i = 0; i < (size_t)scale && rc == 0; i++)
            rc = mul10_add(buf, &n, bufsize, i < fl ? fp[i] - '0' : 0);
    }
    if (rc == 0)
        rc = to_twos_complement(buf, n, bufsize, neg, len_out);
    if (rc != 0)
        errstr_set(errstr, errstr_size, "'%.*s%s' is too large", UTF8_SHOWN(text));
    return rc;
}

/* Bits of the big-endian magnitude m (len bytes), 0 for zero. */
static size_t magnitude_bits(const unsigned char *m, size_t len)
{
    size_t i = 0;

    while (i < len && m[i] == 0)
        i++;
    if (i == len)
        return 0;
    size_t bits = (len - i) * 8;
    for (unsigned char top = m[i]; !(top & 0x80); top <<= 1)
        bits--;
    return bits;
}

/* The big-endian magnitude of a two's-complement value, in new memory
 * (len bytes, at least 1); *neg is set to its sign. NULL on ENOMEM. */
static unsigned char *magnitude_of(const unsigned char *bytes, size_t len, int *neg)
{
    unsigned char *m = malloc(len ? len : 1);

    *neg = len > 0 && (bytes[0] & 0x80);
    if (!m)
        return NULL;
    m[0] = 0;
    if (len > 0)
        memcpy(m, bytes, len);
    if (*neg) { /* magnitude = two's complement negation */
        unsigned carry = 1;
        for (size_t i = len; i-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~m[i] + carry;
            m[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    return m;
}

/* 2^(b-1) <= m < 2^b has at least floor((b-1) log10 2) + 1 digits and at
 * most floor(b log10 2) + 1 (log10 2 = 0.30102999...). */
static size_t digits_min_of_bits(size_t bits)
{
    return bits == 0 ? 1 : (bits - 1) / 100000 * 30102 + (bits - 1) % 100000 * 30102 / 100000 + 1;
}

static size_t digits_max_of_bits(size_t bits)
{
    return bits / 100000 * 30103 + bits % 100000 * 30103 / 100000 + 1;
}

size_t decimal_digits_min(const unsigned char *bytes, size_t len)
{
    int neg;
    unsigned char *m = magnitude_of(bytes, len, &neg);

    if (!m) /* out of memory: the plain two's-complement length bounds it */
        return len ? digits_min_of_bits((len - 1) * 8) : 1;
    size_t bits = magnitude_bits(m, len);
    free(m);
    return digits_min_of_bits(bits);
}

#define LIMB_BASE 1000000000u /* 10^9: nine decimal digits per limb */

/*
 * The magnitude m (big-endian, len bytes) in base 10^9, least significant
 * limb first, into *limbs_out (caller frees) and *n_out. Each 32-bit word
 * of m is folded in with one pass over the limbs so far: len/4 passes of
 * at most len*2.41/9 limbs, 36 times fewer steps than digit-by-digit
 * division, and each step a multiply by a constant. -1 on ENOMEM.
 */
static int to_limbs(const unsigned char *m, size_t len, size_t bits, uint32_t **limbs_out,
                    size_t *n_out)
{
    size_t cap = digits_max_of_bits(bits) / 9 + 2, n = 0, i = 0;
    uint32_t *limbs = malloc(cap * sizeof(*limbs));

    if (!limbs)
        return -1;
    while (i < len && m[i] == 0)
        i++;
    while (i < len) {
        size_t take = (len - i) % 4 ? (len - i) % 4 : 4;
        uint64_t carry = 0;

        for (size_t k = 0; k < take; k++)
            carry = carry << 8 | m[i + k];
        i += take;
        for (size_t j = 0; j < n; j++) { /* limbs = limbs * 2^(8*take) + carry */
            uint64_t cur = ((uint64_t)limbs[j] << (8 * take)) + carry;
            limbs[j] = (uint32_t)(cur % LIMB_BASE);
            carry = cur / LIMB_BASE;
        }
        while (carry) {
            if (n == cap) { /* cannot happen: cap bounds the digits */
                free(limbs);
                return -1;
            }
            limbs[n++] = (uint32_t)(carry % LIMB_BASE);
            carry /= LIMB_BASE;
        }
    }
    *limbs_out = limbs;
    *n_out = n;
    return 0;
}

int decimal_to_text(const unsigned char *bytes, size_t len, int scale, char *buf, size_t size)
{
    int rc = -1;
    unsigned char *m = NULL;
    uint32_t *limbs = NULL;
    char *digits = NULL;
    size_t n = 0, nd = 0;

    if (scale < 0 || scale > DECIMAL_MAX_SCALE)
        return -2;
    int neg;
    if (!(m = magnitude_of(bytes, len, &neg)))
        goto out;
    size_t bits = magnitude_bits(m, len);
    /* Past the limit whatever the exact count: refused before any work. */
    if (digits_min_of_bits(bits) > (size_t)DECIMAL_MAX_INT_DIGITS + (size_t)scale) {
        rc = -2;
        goto out;
    }
    if (to_limbs(m, len, bits, &limbs, &n) < 0)
        goto out;
    /* the digits, most significant first, at least scale + 1 of them */
    size_t cap = n * 9 + (size_t)scale + 2;
    if (!(digits = malloc(cap)))
        goto out;
    if (n > 0) {
        nd = (size_t)snprintf(digits, cap, "%u", limbs[n - 1]);
        for (size_t j = n - 1; j-- > 0;)
            nd += (size_t)snprintf(digits + nd, cap - nd, "%09u", limbs[j]);
    }
    if (nd > (size_t)scale && nd - (size_t)scale > DECIMAL_MAX_INT_DIGITS) {
        rc = -2;
        goto out;
    }
    size_t pad = nd < (size_t)scale + 1 ? (size_t)scale + 1 - nd : 0;
    size_t total = nd + pad;
    size_t need = (size_t)neg + total + (scale > 0) + 1, o = 0;
    if (need > size)
        goto out;
    if (neg)
        buf[o++] = '-';
    for (size_t i = 0; i < total; i++) {
        if (scale > 0 && i == total - (size_t)scale)
            buf[o++] = '.';
        buf[o++] = i < pad ? '0' : digits[i - pad];
    }
    buf[o] = '\0';
    rc = 0;
out:
    free(m);
    free(limbs);
    free(digits);
    return rc;
}
