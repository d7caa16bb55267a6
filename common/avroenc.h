/*
 * avroenc.h - writes Avro binary into a growable buffer: the producer's
 * change events, encoded straight from the source JSON (convert.h) with
 * no avro-c value in between.
 *
 * Why not avro-c's generic values: filling an avro_value_t (a virtual
 * call, and a copy of every string, per field) and then walking it again
 * to write it was about a fifth of the producer's main thread in the
 * bench's call-graph profile, for bytes whose layout is fixed by the
 * specification (zigzag varints, length-prefixed bytes, little-endian
 * IEEE floats, one block per array or map). avrobin.h reads the same
 * layout back, bounds-checked; the unit tests hold the two, and avro-c's
 * reader, to the same bytes.
 *
 * Owns: buf (grown by realloc, freed by avroenc_free). Not thread-safe:
 * one writer per thread. Fails softly: an allocation that fails sets oom,
 * later writes do nothing, and the caller checks avroenc_failed() once
 * at the end of a datum.
 */
#ifndef TIDEMARK_AVROENC_H
#define TIDEMARK_AVROENC_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

typedef struct avroenc {
    unsigned char *buf;
    size_t len; /* bytes written */
    size_t cap;
    int oom; /* an allocation failed: len is no longer meaningful */
} avroenc_t;

/* Forgets what was written (keeps the buffer). */
void avroenc_reset(avroenc_t *w);

/* Releases the buffer; w is then empty and may be used again. */
void avroenc_free(avroenc_t *w);

/* 1 when an allocation failed since the last reset. */
int avroenc_failed(const avroenc_t *w);

/* Raw bytes (a framing header, a fixed). */
void avroenc_raw(avroenc_t *w, const void *p, size_t n);

/* An int or a long (zigzag varint); an enum's index, a union's branch,
 * a block's count. */
void avroenc_long(avroenc_t *w, int64_t v);

/* bytes or string: the length, then the bytes. */
void avroenc_bytes(avroenc_t *w, const void *p, size_t n);

void avroenc_boolean(avroenc_t *w, int v);
void avroenc_float(avroenc_t *w, float v);

/* Whether d is a float's value once rounded: within its range, or up to
 * half a unit in the last place past FLT_MAX, which rounds to it
 * (3.4028235e38, FLT_MAX's shortest text, as Java and JavaScript write
 * it, lies above FLT_MAX). NaN and infinities are not. */
int avroenc_float_fits(double d);
void avroenc_double(avroenc_t *w, double v);

#endif
