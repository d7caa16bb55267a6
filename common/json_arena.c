/*
 * json_arena.c - see json_arena.h.
 *
 * Outside an arena, jansson's blocks are plain malloc blocks: callers free
 * json_dumps() text with free(), as jansson's documentation tells them.
 * Inside one, a block freed while it is being built (a hash table that
 * grew, a member replaced) is looked up among the current arena's chunks,
 * newest first, and left where it is.
 */
#include "json_arena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_CHUNK (256 * 1024) /* bytes taken from malloc at a time */

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after this header */
    size_t used;
    uint64_t pad; /* keeps what follows 16-byte aligned, as malloc's is */
} chunk_t;

struct json_arena {
    chunk_t *chunks; /* the newest first: carving goes on in it */
    size_t bytes;
};

static _Thread_local json_arena_t *current;
static int installed;

static chunk_t *chunk_new(json_arena_t *a, size_t need)
{
    size_t size = need > ARENA_CHUNK - sizeof(chunk_t) ? need : ARENA_CHUNK - sizeof(chunk_t);
    chunk_t *c = malloc(sizeof(*c) + size);

    if (!c)
        return NULL;
    c->size = size;
    c->used = 0;
    a->bytes += sizeof(*c) + size;
    if (a->chunks && need > ARENA_CHUNK / 4) {
        /* a large value gets a chunk of its own, behind the one being
         * carved, whose free space is not given up for it */
        c->next = a->chunks->next;
        a->chunks->next = c;
    } else {
        c->next = a->chunks;
        a->chunks = c;
    }
    return c;
}

static void *carve(json_arena_t *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    chunk_t *c = a->chunks;

    if (need < size)
        return NULL; /* overflow */
    if (!c || c->size - c->used < need) {
        if (!(c = chunk_new(a, need)))
            return NULL;
    }
    void *p = (char *)(c + 1) + c->used;
    c->used += need;
    return p;
}

static void *arena_malloc(size_t size)
{
    return current ? carve(current, size ? size : 1) : malloc(size);
}

static int arena_owns(const json_arena_t *a, const void *p)
{
    for (const chunk_t *c = a->chunks; c; c = c->next) {
        const char *base = (const char *)(c + 1);
        if ((const char *)p >= base && (const char *)p < base + c->size)
            return 1;
    }
    return 0;
}

static void arena_free(void *p)
{
    if (p && !(current && arena_owns(current, p)))
        free(p);
}

void json_arena_install(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
    installed = 1;
}

int json_arena_installed(void)
{
    return installed;
}

json_arena_t *json_arena_new(void)
{
    return calloc(1, sizeof(json_arena_t));
}

json_arena_t *json_arena_enter(json_arena_t *a)
{
    json_arena_t *prev = current;

    current = a;
    return prev;
}

void json_arena_leave(json_arena_t *prev)
{
    current = prev;
}

size_t json_arena_bytes(const json_arena_t *a)
{
    return a ? a->bytes : 0;
}

void json_arena_destroy(json_arena_t *a)
{
    if (!a)
        return;
    for (chunk_t *c = a->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}
