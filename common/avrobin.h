/*
 * avrobin.h - a bounds-checking reader of Avro binary: checks that bytes
 * hold a datum of a schema before avro-c reads them. avro-c trusts the
 * lengths in the data (a corrupt length makes it allocate or read past
 * the end), so only bytes that pass here may be handed to it.
 *
 * It reads nothing into memory and follows no length it has not checked
 * against the bytes left: every input, however hostile, ends in 0 or -1.
 *
 * Owns: nothing (a cursor points into the caller's bytes, which must
 * outlive it). Pure: any thread. Failures are -1 with the cursor's err
 * naming why ("truncated data", "enum index out of range", ...) and at
 * where the item that failed starts.
 */
#ifndef TIDEMARK_AVROBIN_H
#define TIDEMARK_AVROBIN_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <avro.h>

/* How deep a datum may nest (records, unions, arrays, maps). */
#define AVROBIN_MAX_DEPTH 64

typedef struct avrobin_cursor {
    const unsigned char *start; /* the first byte, for offsets */
    const unsigned char *p;     /* the next byte to read */
    const unsigned char *end;   /* one past the last byte */
    const unsigned char *at;    /* where the item last read starts */
    const char *err;            /* why the last read failed, or NULL */
} avrobin_cursor_t;

/* A cursor over len bytes at buf (NULL with len 0 is allowed). */
void avrobin_cursor_init(avrobin_cursor_t *c, const void *buf, size_t len);

/* The offset of the item last read (or that failed), from the start. */
size_t avrobin_offset(const avrobin_cursor_t *c);

/* A zigzag varint (int or long). 0, or -1 with c->err set. */
int avrobin_read_long(avrobin_cursor_t *c, int64_t *out) TM_WARN_UNUSED;

/* Steps over n bytes. 0, or -1 (n negative or past the end). */
int avrobin_skip(avrobin_cursor_t *c, int64_t n) TM_WARN_UNUSED;

/* Steps over one datum of schema s, checking it as it goes: lengths and
 * counts against the bytes left, booleans, int range, enum indexes and
 * union branches against s. 0, or -1 with c->err set. Bytes after the
 * datum are the caller's to judge (c->p != c->end). */
int avrobin_skip_datum(avrobin_cursor_t *c, avro_schema_t s) TM_WARN_UNUSED;

#endif
