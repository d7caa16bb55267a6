/*
 * strbuf.h - a growable NUL-terminated string for building SQL text and
 * COPY data. An allocation failure is remembered (sb->failed) instead of being
 * checked at every append: check once with strbuf_take().
 *
 * Owns: its buffer until strbuf_take() hands it to the caller. Pure data:
 * any thread, one owner at a time.
 */
#ifndef TIDEMARK_WORKER_STRBUF_H
#define TIDEMARK_WORKER_STRBUF_H

#include "compiler.h"
#include <stddef.h>

typedef struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
    int failed;
} strbuf_t;

void strbuf_init(strbuf_t *sb);
void strbuf_append(strbuf_t *sb, const char *s);
void strbuf_appendf(strbuf_t *sb, const char *fmt, ...) TM_PRINTF(2, 3);
/* Appends n bytes of s (which may hold NULs). */
void strbuf_append_len(strbuf_t *sb, const char *s, size_t n);
/* Room for n more bytes and the NUL: where they go (the caller writes
 * them and adds to sb->len, then puts the NUL), or NULL (failed). */
char *strbuf_reserve(strbuf_t *sb, size_t n);
/* Cuts sb back to its first len bytes (len <= sb->len). */
void strbuf_truncate(strbuf_t *sb, size_t len);

/* PostgreSQL keeps the first NAMEDATALEN - 1 = 63 bytes of an identifier
 * (cut back to a whole UTF-8 character) and drops the rest. */
#define STRBUF_IDENT_MAX 63

/* How many bytes of name PostgreSQL keeps as an identifier. */
size_t strbuf_ident_len(const char *name);

/* Appends name as a PostgreSQL identifier, always double-quoted with any
 * '"' doubled, so that case and odd characters survive; cut as PostgreSQL
 * cuts it (strbuf_ident_len), so that the text names what the server
 * will use, without its "will be truncated" notice. */
void strbuf_append_ident(strbuf_t *sb, const char *name);

/* Returns the string (caller frees) and resets sb; NULL if any append
 * failed to allocate. */
char *strbuf_take(strbuf_t *sb);

/* Frees what sb holds. */
void strbuf_clear(strbuf_t *sb);

#endif
