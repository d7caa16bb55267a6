/*
 * idset.h - a set of string keys (record ids), each with a small
 * fixed-size value: open addressing with linear probing over one arena.
 *
 * Why not a jansson object: full-sync reconciliation holds every id of a
 * stream (millions); a json_t object costs about 100 bytes per key in
 * small allocations, this about 8 bytes of table plus the key and value
 * rounded up to 8 bytes, in two large blocks.
 *
 * Keys are up to IDSET_MAX_KEY bytes (a NUL ends them; they hold no NUL).
 * A value is value_size bytes, zeroed when its key is added, aligned to 8
 * so that the caller can keep a struct there.
 *
 * Owns: the arena and the table; keys are copied in. A pointer returned by
 * idset_add/idset_get/idset_next (key or value) stays valid until the next
 * idset_add of a new key (the arena may move) or idset_destroy. One thread.
 */
#ifndef TIDEMARK_IDSET_H
#define TIDEMARK_IDSET_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#define IDSET_MAX_KEY 1024

typedef struct idset idset_t;

/* An empty set whose values are value_size bytes (0 allowed). NULL on ENOMEM. */
idset_t *idset_new(size_t value_size);
void idset_destroy(idset_t *s);

/*
 * The value of key (len bytes), adding the key with a zeroed value when it
 * is not there yet; *added (if not NULL) says which. NULL on ENOMEM or a
 * key that is empty, too long or holds a NUL.
 */
void *idset_add(idset_t *s, const char *key, size_t len, int *added) TM_WARN_UNUSED;

/* The value of key, or NULL when it is not in the set. */
void *idset_get(const idset_t *s, const char *key, size_t len);

size_t idset_count(const idset_t *s);

/*
 * Removes every key. Costs O(keys) while the set is small next to its
 * table, else it returns to the initial size (so that a set emptied after
 * growing large does not keep its memory). Pointers into it are invalid.
 */
void idset_clear(idset_t *s);

/* Bytes held by the table and the arena (for logs and tests). */
size_t idset_memory(const idset_t *s);

/*
 * Iterates in no particular order: start with *pos = 0; each call returns
 * 1 with *key (NUL-terminated) and *value, or 0 at the end. Values may be
 * changed while iterating; adding keys invalidates the walk.
 */
int idset_next(const idset_t *s, size_t *pos, const char **key, void **value);

#endif
