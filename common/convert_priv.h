/*
 * convert_priv.h - what convert.c (JSON -> Avro) and convert_row.c
 * (Avro -> JSON row form) share. Internal to those two files: other
 * modules use convert.h.
 */
#ifndef TIDEMARK_CONVERT_PRIV_H
#define TIDEMARK_CONVERT_PRIV_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <avro.h>
#include <jansson.h>
#include "avroenc.h"
#include "schema.h"
#include "utf8.h"

#define CONV_MAX_DEPTH 64  /* nesting of records/arrays/maps we follow */
#define CONV_PATH_SIZE 256 /* "a.b[3].c" */

/* Where a conversion is, for error messages, and where they go. */
typedef struct {
    const char *path; /* "balance", "address.street", "tags[2]" */
    int depth;
    char *errstr;
    size_t errstr_size;
    const json_t *type; /* the value's JSON type in doc (logical types), or NULL */
    const json_t *doc;  /* the record schema's JSON, for named types */
    avroenc_t *w;       /* JSON -> Avro: where the value's bytes go (its
                           failure is checked once, at the datum's end) */
} conv_ctx_t;

/* Fills errstr with "field 'PATH': MESSAGE"; returns -1. */
int conv_fail(const conv_ctx_t *c, const char *fmt, ...) TM_PRINTF(2, 3);

/* conv_fail() with avro_strerror(). */
int conv_avro_fail(const conv_ctx_t *c);

/* The context of a child: "path.name" (name) or "path[idx]" (!name), in
 * buf (CONV_PATH_SIZE bytes). Fails past CONV_MAX_DEPTH. */
int conv_sub_ctx(conv_ctx_t *sub, char *buf, const conv_ctx_t *c, const char *name, size_t idx);

/* "missing (expected WHAT)" or "expected WHAT, got a string"; returns -1. */
int conv_expected(const conv_ctx_t *c, const char *what, const json_t *v);

/* convert_logical.c: JSON -> Avro of timestamp-millis/micros (micros:
 * also local-timestamp-*; unit: what a number counts, see
 * schema_field_t.epoch_unit), date, uuid (the canonical lower-case
 * text) and time-millis/micros, written to c->w; 0, or -1 with the
 * reason. */
int conv_set_timestamp(const conv_ctx_t *c, const json_t *v, int micros, epoch_unit_t unit);
int conv_set_date(const conv_ctx_t *c, const json_t *v);
int conv_set_uuid(const conv_ctx_t *c, const json_t *v);
int conv_set_time(const conv_ctx_t *c, const json_t *v, int micros);

/* -1 with the reason when v is a string with a UTC offset ("Z", "+02:00"):
 * a local timestamp takes none. 0 for anything else. */
int conv_check_no_offset(const conv_ctx_t *c, const json_t *v);

/* convert_logical.c: row form of a uuid (checked again: the event may come
 * from another writer) and of a time of day ("12:00:00.123" or
 * "12:00:00.123456"); NULL with the reason. */
json_t *conv_uuid_json(const conv_ctx_t *c, const char *s, size_t len);
json_t *conv_time_json(const conv_ctx_t *c, int64_t val, int micros);

/* convert_nested.c: type with a name reference followed to its definition
 * (a primitive's name finds nothing: NULL, which means the same); and,
 * so resolved, the JSON type (in c->doc) of a record's field name, of
 * an array's items or a map's values, of a union's branch; NULL when
 * unknown (then the value is converted by its Avro type alone). */
const json_t *conv_type_resolve(const conv_ctx_t *c, const json_t *type);
const json_t *conv_type_field(const conv_ctx_t *c, const char *name);
const json_t *conv_type_member(const conv_ctx_t *c);
const json_t *conv_type_branch(const conv_ctx_t *c, size_t branch);

/* 1 with *f set when the value of c (of Avro schema base) has a logical
 * type (schema_nested_logical()); 0 otherwise. */
int conv_type_logical(const conv_ctx_t *c, avro_schema_t base, schema_field_t *f);

/* A JSON string of the standard base64 of in (padded), or NULL. */
json_t *conv_base64_json(const unsigned char *in, size_t len);

#endif
