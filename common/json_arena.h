/*
 * json_arena.h - jansson values carved from a region that is released
 * whole, for the values made by the thousand and dropped together: a
 * page's body in the producer, a batch's decoded rows in the worker.
 *
 * Why: the worker's rows are jansson objects, hundreds of thousands of
 * small allocations per batch, made on the decode-ahead thread and freed
 * on the main thread. glibc's malloc and free of them, with the
 * consolidation and heap trimming they set off and the page faults of
 * growing the heap back, were more than a third of the worker's CPU in the
 * bench's call-graph profile. jansson takes one allocator pair for the
 * whole process (json_set_alloc_funcs), so the region is chosen per
 * thread: between json_arena_enter() and json_arena_leave(), the values
 * this thread makes come from the arena, and freeing them (json_decref)
 * costs nothing; json_arena_destroy() releases them all at once. Outside
 * an arena, values are malloc'd as before.
 *
 * A value made in an arena is changed and dropped only while its arena
 * is entered, or not at all: json_arena_destroy() releases it whole, so
 * that dropping a batch's rows costs nothing (json_decref outside would
 * hand an arena block to free()). Nothing may keep a reference to it
 * beyond json_arena_destroy(). Values made outside may be put into arena
 * values (they are then never released: put none that is not meant to
 * live as long as the process).
 *
 * avro-c parses and writes its JSON with the same jansson, hence through
 * this allocator: no avro-c JSON call (schema parsing, avro_value_to_json)
 * may run inside an arena either, or the text it hands back to be freed
 * would be an arena block.
 *
 * Owns: the arenas it hands out, the chunks kept for reuse (any thread:
 * behind a lock), jansson's allocator once installed.
 * Threads: json_arena_install() once, from main before other threads
 * use jansson; an arena is used by one thread at a time and may be destroyed
 * on another once that one has left it. Fails: NULL from json_arena_new()
 * when out of memory; an allocation that fails in an arena returns NULL
 * to jansson, which reports it as its own out-of-memory failure.
 */
#ifndef TIDEMARK_JSON_ARENA_H
#define TIDEMARK_JSON_ARENA_H

#include "compiler.h"
#include <stddef.h>

typedef struct json_arena json_arena_t;

/* Makes jansson allocate through this module (values made before stay
 * valid: outside an arena it mallocs and frees as before). Without it,
 * arenas are made but unused. */
void json_arena_install(void);

json_arena_t *json_arena_new(void) TM_WARN_UNUSED;

/* From now on this thread's jansson values come from a (NULL: from
 * malloc). Returns the arena that was in use, for json_arena_leave(). */
json_arena_t *json_arena_enter(json_arena_t *a);

/* Goes back to prev (json_arena_enter()'s result). */
void json_arena_leave(json_arena_t *prev);

/* Whether p lies in one of a's chunks (a walk over them: for a few
 * values, not for every block). NULL a or p: 0. */
int json_arena_owns(const json_arena_t *a, const void *p);

/* Where a's next value will be carved (NULL: a has no chunk yet): a mark
 * for json_arena_carved_since(). The thread using a. */
const void *json_arena_cursor(const json_arena_t *a);

/* The bytes carved from a since mark (json_arena_cursor()) while a stayed
 * in mark's chunk: the values made since then lie in [mark, mark + that)
 * (but for one larger than a quarter chunk, which may get a chunk of its
 * own). 0 when a has started a chunk since, or mark is NULL: the values
 * are somewhere else. The thread using a. */
size_t json_arena_carved_since(const json_arena_t *a, const void *mark);

/* Bytes the arena holds (its chunks). */
size_t json_arena_bytes(const json_arena_t *a);

/* Bytes of destroyed arenas kept for the next ones (at most 16 MiB: the
 * rest goes back to malloc). */
size_t json_arena_pooled_bytes(void);

/* Releases every value made in a. NULL is a no-op. */
void json_arena_destroy(json_arena_t *a);

#endif
