/*
 * avsc.h - Avro schema JSON (.avsc) as the Avro specification identifies
 * it: its Parsing Canonical Form and the CRC-64-AVRO (Rabin) fingerprint
 * of that form, which single-object encoding puts in front of each datum
 * and <prefix>.schemas keys schemas by.
 *
 * The names are avsc_*, not avro_*: avro-c owns that prefix.
 *
 * Owns: nothing; pure functions, any thread. Failures (a JSON document
 * that is not an Avro schema, nesting past 64 levels, out of memory) are
 * NULL or -1 with errstr set.
 */
#ifndef TIDEMARK_AVSC_H
#define TIDEMARK_AVSC_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The Parsing Canonical Form of the schema (caller frees), or NULL with
 * errstr set. Logical types, docs, defaults and aliases drop out; names
 * become full names. */
char *avsc_canonical_form(const json_t *schema, char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The CRC-64-AVRO of a byte string (of a canonical form, for a
 * fingerprint). */
uint64_t avsc_crc64(const void *data, size_t len);

/* The fingerprint of a schema document: 0, or -1 with errstr set. */
int avsc_fingerprint(const json_t *schema, uint64_t *fp, char *errstr,
                     size_t errstr_size) TM_WARN_UNUSED;

/* The fingerprint of a schema's JSON text: 0, or -1 with errstr when it
 * is not JSON or not a schema. */
int avsc_text_fingerprint(const char *json_text, uint64_t *fp, char *errstr,
                          size_t errstr_size) TM_WARN_UNUSED;

/*
 * A message of <prefix>.schemas as both programs read it: key the 16 hex
 * digits of its value's fingerprint, value the schema's JSON text. The
 * value as a string (caller frees) with *fp, or NULL when the message is
 * not one (a key of another length or not hex, a value holding a NUL, or
 * one whose fingerprint is not its key: a stranger's) or out of memory
 * (*oom set).
 */
char *avsc_keyed_schema(const void *key, size_t key_len, const void *value, size_t len,
                        uint64_t *fp, int *oom) TM_WARN_UNUSED;

#endif
