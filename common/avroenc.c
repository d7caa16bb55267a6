/*
 * avroenc.c - Avro binary into a growable buffer (see avroenc.h), as the
 * Avro specification's "Binary Encoding" lays it out.
 */
#include "avroenc.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AVROENC_MIN_CAP 256

void avroenc_reset(avroenc_t *w)
{
    w->len = 0;
    w->oom = 0;
}

void avroenc_free(avroenc_t *w)
{
    free(w->buf);
    *w = (avroenc_t){0};
}

int avroenc_failed(const avroenc_t *w)
{
    return w->oom;
}

/* reserve()'s slow path: the buffer grown to room for n more bytes. */
static int grow(avroenc_t *w, size_t n)
{
    if (w->oom)
        return 0;
    size_t cap = w->cap ? w->cap : AVROENC_MIN_CAP;
    while (cap - w->len < n) {
        if (cap > SIZE_MAX / 2) {
            w->oom = 1;
            return 0;
        }
        cap *= 2;
    }
    unsigned char *grown = realloc(w->buf, cap);
    if (!grown) {
        w->oom = 1;
        return 0;
    }
    w->buf = grown;
    w->cap = cap;
    return 1;
}

/* Room for n more bytes: 1, or 0 with oom set. Inline: taken a dozen
 * times a record, and the buffer almost never grows (it is kept from
 * one record to the next). */
static inline int reserve(avroenc_t *w, size_t n)
{
    return (!w->oom && n <= w->cap - w->len) || grow(w, n);
}

void avroenc_raw(avroenc_t *w, const void *p, size_t n)
{
    if (n && reserve(w, n)) {
        memcpy(w->buf + w->len, p, n);
        w->len += n;
    }
}

void avroenc_long(avroenc_t *w, int64_t v)
{
    if (!reserve(w, 10)) /* 64 bits in 7-bit groups */
        return;
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); /* zigzag */
    unsigned char *p = w->buf + w->len;
    while (z > 0x7f) {
        *p++ = (unsigned char)(z | 0x80);
        z >>= 7;
    }
    *p++ = (unsigned char)z;
    w->len = (size_t)(p - w->buf);
}

void avroenc_bytes(avroenc_t *w, const void *p, size_t n)
{
    avroenc_long(w, (int64_t)n);
    avroenc_raw(w, p, n);
}

void avroenc_boolean(avroenc_t *w, int v)
{
    unsigned char b = v != 0;
    avroenc_raw(w, &b, 1);
}

/* Little-endian, whatever the host's order. */
static void put_le(avroenc_t *w, uint64_t bits, size_t n)
{
    unsigned char b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(bits >> (8 * i));
    avroenc_raw(w, b, n);
}

void avroenc_float(avroenc_t *w, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof(bits));
    put_le(w, bits, 4);
}

int avroenc_float_fits(double d)
{
    return fabs(d) < (double)FLT_MAX + 0x1p103;
}

void avroenc_double(avroenc_t *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    put_le(w, bits, 8);
}
