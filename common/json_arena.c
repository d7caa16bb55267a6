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

#include "compiler.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
/* a kept chunk is out of bounds until it is carved again, so that ASan
 * reports a value used after its arena was destroyed */
#define POOL_POISON(c)   ASAN_POISON_MEMORY_REGION((c) + 1, (c)->size)
#define POOL_UNPOISON(c) ASAN_UNPOISON_MEMORY_REGION((c) + 1, (c)->size)
#else
#define POOL_POISON(c)   ((void)(c))
#define POOL_UNPOISON(c) ((void)(c))
#endif

#define ARENA_CHUNK (256 * 1024) /* bytes taken from malloc at a time */
/* Chunks of destroyed arenas kept for the next ones, up to this much: a
 * chunk given back to malloc is trimmed (the worker trims after each
 * batch) and the next batch pays a page fault per 4 KiB to grow it back,
 * which was 15% of the worker's CPU. Two batches' rows fit. */
#define POOL_MAX (16 * 1024 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after this header */
    size_t used;
    uint64_t pad; /* keeps what follows 16-byte aligned, as malloc's is */
} chunk_t;

/* what follows a chunk's header is as aligned as malloc's blocks */
_Static_assert(sizeof(chunk_t) % 16 == 0, "chunk_t keeps 16-byte alignment");

struct json_arena {
    chunk_t *chunks; /* the newest first: carving goes on in it */
    size_t bytes;
};

static _Thread_local json_arena_t *current;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static chunk_t *pool; /* standard chunks, free */
static size_t pool_bytes;

static chunk_t *pool_take(void)
{
    pthread_mutex_lock(&pool_lock);
    chunk_t *c = pool;
    if (c) {
        pool = c->next;
        pool_bytes -= ARENA_CHUNK;
        POOL_UNPOISON(c);
    }
    pthread_mutex_unlock(&pool_lock);
    return c;
}

/* Keeps c for another arena, or frees it when the pool is full or c is
 * not a standard chunk. */
static void pool_give(chunk_t *c)
{
    if (c->size == ARENA_CHUNK - sizeof(chunk_t)) {
        pthread_mutex_lock(&pool_lock);
        int kept = pool_bytes + ARENA_CHUNK <= POOL_MAX;
        if (kept) {
            POOL_POISON(c);
            c->next = pool;
            pool = c;
            pool_bytes += ARENA_CHUNK;
        }
        pthread_mutex_unlock(&pool_lock);
        if (kept)
            return;
    }
    free(c);
}

static chunk_t *chunk_new(json_arena_t *a, size_t need)
{
    if (need > SIZE_MAX - sizeof(chunk_t))
        return NULL;
    size_t size = need > ARENA_CHUNK - sizeof(chunk_t) ? need : ARENA_CHUNK - sizeof(chunk_t);
    chunk_t *c = size == ARENA_CHUNK - sizeof(chunk_t) ? pool_take() : NULL;

    if (!c && !(c = malloc(sizeof(*c) + size)))
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

/* carve()'s slow path: need bytes from a new chunk. */
static TM_NOINLINE void *carve_new_chunk(json_arena_t *a, size_t need)
{
    chunk_t *c = chunk_new(a, need);
    if (!c)
        return NULL;
    void *p = (char *)(c + 1) + c->used;
    c->used += need;
    return p;
}

static void *carve(json_arena_t *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    chunk_t *c = a->chunks;

    if (need < size)
        return NULL; /* overflow */
    if (!c || c->size - c->used < need)
        return carve_new_chunk(a, need);
    void *p = (char *)(c + 1) + c->used;
    c->used += need;
    return p;
}

static void *arena_malloc(size_t size)
{
    return current ? carve(current, size ? size : 1) : malloc(size);
}

const void *json_arena_cursor(const json_arena_t *a)
{
    const chunk_t *c = a ? a->chunks : NULL;
    return c ? (const char *)(c + 1) + c->used : NULL;
}

size_t json_arena_carved_since(const json_arena_t *a, const void *mark)
{
    const chunk_t *c = a ? a->chunks : NULL;
    if (!c || !mark)
        return 0;
    /* as integers: mark may lie in another chunk, another object */
    uintptr_t base = (uintptr_t)(c + 1), at = (uintptr_t)mark;
    if (at < base || at > base + c->used)
        return 0;
    return (size_t)(base + c->used - at);
}

int json_arena_owns(const json_arena_t *a, const void *p)
{
    if (!a || !p)
        return 0;
    for (const chunk_t *c = a->chunks; c; c = c->next) {
        const char *base = (const char *)(c + 1);
        if ((const char *)p >= base && (const char *)p < base + c->size)
            return 1;
    }
    return 0;
}

static void arena_free(void *p)
{
    if (p && !json_arena_owns(current, p))
        free(p);
}

void json_arena_install(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
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

size_t json_arena_pooled_bytes(void)
{
    pthread_mutex_lock(&pool_lock);
    size_t n = pool_bytes;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

void json_arena_destroy(json_arena_t *a)
{
    if (!a)
        return;
    for (chunk_t *c = a->chunks, *next; c; c = next) {
        next = c->next;
        pool_give(c);
    }
    free(a);
}
