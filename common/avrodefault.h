/*
 * avrodefault.h - a field's default, as an Avro schema writes it in JSON,
 * into Avro binary: what the producer writes for a record field the API
 * left out.
 *
 * Why our own: avro-c reads no default values (its record fields have
 * none), and a default is not source JSON: the converter's rules for the
 * API's values (ISO timestamps, decimal text) do not apply to it. The
 * specification's JSON encoding of defaults does: null; true or false;
 * a number for int, long, float and double (int within 32 bits); a
 * string for string, for an enum's symbol, and for bytes and fixed, one
 * character per byte (U+0000-U+00FF); an array, an object for a map, an
 * object with every field for a record (a nested field's own default is
 * not looked up: avro-c does not keep it); for a union, a value of its
 * first branch. Logical types take the default of their underlying
 * type (a timestamp-millis default is a long), as the specification
 * says.
 *
 * Owns nothing; pure (but for w). Any thread. Fails with -1 and errstr
 * ("a string for int", "U+0100 in bytes", ...) when the default does not
 * fit its type; w then holds part of it (the caller resets it).
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

/* Appends default dflt of Avro schema s to w. 0, or -1 with errstr. */
int avrodefault_encode(avro_schema_t s, const json_t *dflt, avroenc_t *w, char *errstr,
                       size_t errstr_size) TM_WARN_UNUSED;

#endif
