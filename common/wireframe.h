/*
 * wireframe.h - the framings that put an Avro datum on the wire with a
 * reference to the schema it was written with, as a table: one entry per
 * framing (its magic, its header size, how its schema reference is
 * written and read).
 *
 *   WIRE_SINGLE_OBJECT  Avro single-object encoding: C3 01, the 8-byte
 *                       little-endian CRC-64-AVRO fingerprint of the
 *                       writer schema (avsc.h), the body. What the
 *                       producer writes today.
 *   WIRE_CONFLUENT      the Confluent wire format (Schema Registry): 00,
 *                       the 4-byte big-endian registry schema id, the
 *                       body. What the producer writes with a
 *                       [schema_registry]; the worker reads both
 *                       (envelope.h maps the id to its schema).
 *
 * The first byte tells the framings apart (C3 / 00), so a reader can take
 * both on one topic.
 *
 * Owns: nothing; pure functions over the caller's bytes, any thread.
 * Failures: wire_decode returns a status naming what is wrong (with
 * errstr set), wire_encode -1 on out of memory.
 */
#ifndef TIDEMARK_WIREFRAME_H
#define TIDEMARK_WIREFRAME_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

typedef enum {
    WIRE_SINGLE_OBJECT = 0,
    WIRE_CONFLUENT = 1,
} wire_framing_t;

#define WIRE_N_FRAMINGS   2
#define WIRE_MAX_HEADER   10 /* the largest header of any framing */
#define WIRE_SOE_HEADER   10 /* C3 01 + fingerprint */
#define WIRE_CONFL_HEADER 5  /* 00 + schema id */

/* Which schema a datum was written with, as its framing names it. */
typedef struct wire_schema_ref {
    wire_framing_t framing;
    uint64_t fingerprint; /* WIRE_SINGLE_OBJECT: CRC-64-AVRO of the PCF */
    uint32_t schema_id;   /* WIRE_CONFLUENT: the registry's id */
} wire_schema_ref_t;

typedef enum {
    WIRE_OK = 0,
    WIRE_EMPTY,     /* no bytes at all */
    WIRE_UNKNOWN,   /* starts with no framing's magic */
    WIRE_TRUNCATED, /* a framing's magic, but its header is cut short */
} wire_status_t;

/* "single-object encoding", "Confluent wire format". */
const char *wire_framing_name(wire_framing_t framing);

/* The bytes a framing puts before the body. */
size_t wire_header_size(wire_framing_t framing);

/* Writes ref's header into out (wire_header_size(ref->framing) bytes,
 * at most WIRE_MAX_HEADER) and returns its size. */
size_t wire_write_header(const wire_schema_ref_t *ref, unsigned char *out);

/* Header + body in one new buffer (*out_len bytes; the caller frees). 0,
 * or -1 when out of memory. */
int wire_encode(const wire_schema_ref_t *ref, const void *body, size_t body_len, void **out,
                size_t *out_len) TM_WARN_UNUSED;

/*
 * Reads the framing and schema reference of buf, and where the body is
 * (a slice of buf). WIRE_OK; otherwise errstr says what is wrong, and on
 * WIRE_TRUNCATED ref->framing is the framing its magic named.
 */
wire_status_t wire_decode(const void *buf, size_t len, wire_schema_ref_t *ref,
                          const unsigned char **body, size_t *body_len, char *errstr,
                          size_t errstr_size) TM_WARN_UNUSED;

#endif
