/*
 * fuzz_decimal.c - decimal text <-> two's-complement bytes (convert.h).
 *
 * The first byte picks the direction and the scale:
 *   bit 7 clear: the rest is text; what decimal_from_text accepts must
 *     go text -> bytes -> text -> bytes to the same bytes, and the text
 *     must be stable after the first trip;
 *   bit 7 set: the rest is the unscaled bytes; what decimal_to_text
 *     writes must read back (decimal_from_text) as a value that writes
 *     the same text.
 * Scale is bits 0-6 (0..127); the precision is wide enough for the value.
 * Large inputs are the point too: -timeout catches a conversion that is
 * not (close to) linear.
 */
#include "fuzz.h"
#include "convert.h"

/* decimal_to_text into a new buffer of the documented size; NULL if it
 * is not 0. */
static char *to_text(const unsigned char *b, size_t n, int scale, int *rc)
{
    size_t size = n * 241 / 100 + (size_t)scale + 8;
    char *t = malloc(size);
    if (!t)
        abort();
    *rc = decimal_to_text(b, n, scale, t, size);
    FUZZ_CHECK(*rc == 0 || *rc == -2, "decimal_to_text: %d with %zu bytes of room", *rc, size);
    if (*rc != 0) {
        free(t);
        return NULL;
    }
    FUZZ_CHECK(strlen(t) < size, "overran");
    return t;
}

static unsigned char *from_text(const char *t, int scale, size_t *len, int *rc)
{
    size_t tl = strlen(t), cap = tl / 2 + 16;
    unsigned char *b = malloc(cap);
    char err[256];
    if (!b)
        abort();
    int precision = (int)(tl + (size_t)scale + 2);
    *rc = decimal_from_text(t, precision, scale, b, cap, len, err, sizeof(err));
    if (*rc != 0) {
        free(b);
        return NULL;
    }
    FUZZ_CHECK(*len <= cap, "length %zu > %zu", *len, cap);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 20)
        return 0;
    int scale = data[0] & 0x7f, rc;
    size_t n1, n2;

    if (!(data[0] & 0x80)) {
        char *in = fuzz_cstr(data + 1, size - 1);
        unsigned char *b1 = from_text(in, scale, &n1, &rc);
        if (b1) {
            char *t1 = to_text(b1, n1, scale, &rc);
            FUZZ_CHECK(t1, "'%s' scale %d: read, but not written back (%d)", in, scale, rc);
            unsigned char *b2 = from_text(t1, scale, &n2, &rc);
            FUZZ_CHECK(b2, "'%s' -> '%s' does not read back", in, t1);
            FUZZ_CHECK(n1 == n2 && !memcmp(b1, b2, n1), "'%s' -> '%s': other bytes", in, t1);
            char *t2 = to_text(b2, n2, scale, &rc);
            FUZZ_CHECK(t2 && !strcmp(t1, t2), "'%s' -> '%s' -> '%s'", in, t1, t2 ? t2 : "(null)");
            FUZZ_CHECK(decimal_digits_min(b1, n1) <= strlen(t1), "digits_min > digits");
            free(t2);
            free(b2);
            free(t1);
            free(b1);
        }
        free(in);
    } else {
        const unsigned char *b = data + 1;
        size_t n = size - 1;
        char *t1 = to_text(b, n, scale, &rc);
        if (t1) {
            unsigned char *b2 = from_text(t1, scale, &n2, &rc);
            FUZZ_CHECK(b2, "'%s' (from %zu bytes) does not read back", t1, n);
            char *t2 = to_text(b2, n2, scale, &rc);
            FUZZ_CHECK(t2 && !strcmp(t1, t2), "'%s' -> '%s'", t1, t2 ? t2 : "(null)");
            free(t2);
            free(b2);
            free(t1);
        }
    }
    return 0;
}
