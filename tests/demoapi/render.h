/*
 * render.h - JSON bodies of the demo API, written straight into a growing
 * buffer (a million-record /admin/records must not build a jansson tree).
 *
 * A body is: render_open, then items, then render_close, e.g. for
 * records_path "result.items":
 *
 *   {"result":{"items":[ {...},{...} ]},"page":1,"per_page":100,"total":7}
 *
 * An empty records_path gives a bare array. Owns: the buffer, which
 * jbuf_take hands to the caller (free() it). One buffer per thread.
 */
#ifndef TIDEMARK_DEMOAPI_RENDER_H
#define TIDEMARK_DEMOAPI_RENDER_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "customer.h"
#include "dataset.h"

typedef struct {
    char *data;
    size_t len, cap;
    int oom;      /* an append failed: the body is incomplete */
    size_t items; /* items written since render_open */
} jbuf_t;

typedef struct {
    const char *id_field;
    const char *cursor_field;
    const char *records_path;
    int string_ids;
    uint64_t seed;
} render_conf_t;

void jbuf_init(jbuf_t *b);
void jbuf_free(jbuf_t *b);
void jbuf_raw(jbuf_t *b, const char *s);
void jbuf_printf(jbuf_t *b, const char *fmt, ...) TM_PRINTF(2, 3);
/* s as a JSON string, quoted and escaped. */
void jbuf_string(jbuf_t *b, const char *s);
/* Hands the NUL-terminated body to the caller; NULL if an append failed. */
char *jbuf_take(jbuf_t *b, size_t *len) TM_WARN_UNUSED;

void render_open(jbuf_t *b, const char *records_path);
void render_customer(jbuf_t *b, const render_conf_t *rc, const customer_t *c);
/* {"<id_field>": id, "deleted_at": ISO} */
void render_deleted(jbuf_t *b, const render_conf_t *rc, const dataset_deleted_t *d);
/* An id as the API shows it: a number, or a string with string_ids. */
void render_id(jbuf_t *b, int string_ids, int64_t id);
/* extra: top-level members to add after the records ("\"page\":1,..."), or NULL. */
void render_close(jbuf_t *b, const char *records_path, const char *extra);

#endif
