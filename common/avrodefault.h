/*
 * avrodefault.h - a field's default, as an Avro schema writes it in JSON,
 * into Avro binary: what the producer writes for a record field the API
 * left out.
 *
 * Why our own: avro-c reads no default values (its record fields have
 * none), and a default is not source JSON: the converter's rules for the
 * API's values (ISO timestamps, decimal text) do not apply to it.
 *
 * Which defaults: null, true or false, numbers for int, long, float and
 * double (int within 32 bits, float within its range), strings for string
 * and for an enum's symbol, and, for a union, a value of the first branch
 * it fits (Avro 1.12; older parsers asked for the first branch, which
 * this includes). Not those of bytes, fixed, records, arrays, maps or
 * logical types (avrodefault_type_plain()): their defaults are written
 * in a representation of their own (bytes one character a byte, a
 * timestamp as a number) that the worker reads for an old writer's
 * events as JSON, and a copy made here would have to match it value for
 * value, range checks included (a decimal default wider than its
 * precision, a timestamp out of PostgreSQL's range). A field with such a
 * default is written as it was before defaults were: null when nullable,
 * else its record is dead-lettered, naming why.
 *
 * Owns nothing; pure (but for w). Any thread. Fails with -1 and errstr
 * ("the default is not an integer (the type is int)", ...) when the
 * default does not fit its type, AVRODEFAULT_NOT_WRITTEN when it is of a
 * kind not written; w then holds part of it (the caller resets it).
 */
#ifndef TIDEMARK_AVRODEFAULT_H
#define TIDEMARK_AVRODEFAULT_H

#include "compiler.h"
#include <stddef.h>
#include <avro.h>
#include <jansson.h>
#include "avroenc.h"

/* A bytes or fixed default d (a string of U+0000-U+00FF, one character a
 * byte) into *out (malloc'd, the caller frees) and *len. -1 when d is not
 * a string, has a character above U+00FF, or memory ran out. */
int avrodefault_bytes(const json_t *d, unsigned char **out, size_t *len) TM_WARN_UNUSED;

/* Whether a field of JSON type type (a union: every branch) has no
 * logical type, so that its default may be written. */
int avrodefault_type_plain(const json_t *type);

/* avrodefault_encode()'s answer for a default of a kind not written
 * (bytes, fixed, record, array, map, or a union whose fitting branches
 * are such): not known to be wrong, only not written here. -1 is a
 * default that does not fit its type. */
#define AVRODEFAULT_NOT_WRITTEN (-2)

/* Appends default dflt of Avro schema s to w. 0; -1 with errstr when the
 * default does not fit; AVRODEFAULT_NOT_WRITTEN with errstr. */
int avrodefault_encode(avro_schema_t s, const json_t *dflt, avroenc_t *w, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

#endif
