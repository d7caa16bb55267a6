/*
 * convert_priv.h - what convert.c (JSON -> Avro) and convert_row.c
 * (Avro -> JSON row form) share. Internal to those two files: other
 * modules use convert.h.
 */
#ifndef TIDEMARK_CONVERT_PRIV_H
#define TIDEMARK_CONVERT_PRIV_H

#include "compiler.h"
#include <stddef.h>
#include <jansson.h>

#define CONV_MAX_DEPTH 64  /* nesting of records/arrays/maps we follow */
#define CONV_PATH_SIZE 256 /* "a.b[3].c" */

/* Where a conversion is, for error messages, and where they go. */
typedef struct {
    const char *path; /* "balance", "address.street", "tags[2]" */
    int depth;
    char *errstr;
    size_t errstr_size;
} conv_ctx_t;

/* Fills errstr with "field 'PATH': MESSAGE"; returns -1. */
int conv_fail(const conv_ctx_t *c, const char *fmt, ...) TM_PRINTF(2, 3);

/* conv_fail() with avro_strerror(). */
int conv_avro_fail(const conv_ctx_t *c);

/* The context of a child: "path.name" (name) or "path[idx]" (!name), in
 * buf (CONV_PATH_SIZE bytes). Fails past CONV_MAX_DEPTH. */
int conv_sub_ctx(conv_ctx_t *sub, char *buf, const conv_ctx_t *c, const char *name, size_t idx);

/* A JSON string of the standard base64 of in (padded), or NULL. */
json_t *conv_base64_json(const unsigned char *in, size_t len);

#endif
