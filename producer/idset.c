/*
 * idset.c - string set with per-key values (see idset.h).
 *
 * The table holds, per slot, the key's record offset in the arena (in
 * units of 8 bytes; 0 = empty, so the arena's first 8 bytes are unused)
 * and its 32-bit hash, compared before the key. A record is the value,
 * rounded up to 8 bytes, then the key and its NUL, the whole rounded up
 * to 8. The table doubles past 3/4 full; the arena grows by doubling.
 */
#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "fnv1a.h"

#define INITIAL_SLOTS 1024u
#define INITIAL_ARENA 4096u
#define ALIGN8(n)     (((n) + 7u) & ~(size_t)7u)

typedef struct slot {
    uint32_t off8; /* record offset / 8; 0 = empty */
    uint32_t hash;
} slot_t;

struct idset {
    slot_t *slots;
    size_t n_slots; /* a power of two */
    size_t count;
    char *arena;
    size_t used, cap;
    size_t value_size; /* rounded up to 8 */
};

/* FNV-1a 64 folded to 32 bits, then mixed (murmur3's fmix32) so that the
 * low bits, which pick the slot, depend on every byte. */
static uint32_t hash_key(const char *key, size_t len)
{
    uint64_t h = fnv1a64(key, len);
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

static char *record_key(const idset_t *s, uint32_t off8)
{
    return s->arena + (size_t)off8 * 8 + s->value_size;
}

static void *record_value(const idset_t *s, uint32_t off8)
{
    return s->arena + (size_t)off8 * 8;
}

idset_t *idset_new(size_t value_size)
{
    idset_t *s = malloc(sizeof(*s));
    if (!s)
        return NULL;
    /* offset 0 means "empty slot": the arena's first 8 bytes are unused */
    *s = (idset_t){.slots = calloc(INITIAL_SLOTS, sizeof(slot_t)),
                   .n_slots = INITIAL_SLOTS,
                   .arena = malloc(INITIAL_ARENA),
                   .used = 8,
                   .cap = INITIAL_ARENA,
                   .value_size = ALIGN8(value_size)};
    if (s->slots && s->arena)
        return s;
    idset_destroy(s);
    return NULL;
}

void idset_destroy(idset_t *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s->arena);
    free(s);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const idset_t *s, const char *key, size_t len, uint32_t h)
{
    size_t mask = s->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const slot_t *sl = &s->slots[i];
        if (sl->off8 == 0)
            return i;
        if (sl->hash == h) {
            const char *k = record_key(s, sl->off8);
            /* strncmp, not memcmp: a shorter stored key (a 32-bit hash
             * collision) ends at its NUL, maybe at the arena's end */
            if (strncmp(k, key, len) == 0 && k[len] == '\0')
                return i;
        }
    }
}

static int grow_table(idset_t *s)
{
    size_t n = s->n_slots * 2;
    slot_t *fresh = calloc(n, sizeof(*fresh));
    if (!fresh)
        return -1;
    for (size_t i = 0; i < s->n_slots; i++) {
        slot_t sl = s->slots[i];
        if (sl.off8 == 0)
            continue;
        size_t j = sl.hash & (n - 1);
        while (fresh[j].off8 != 0)
            j = (j + 1) & (n - 1);
        fresh[j] = sl;
    }
    free(s->slots);
    s->slots = fresh;
    s->n_slots = n;
    return 0;
}

/* Room for need more bytes; the arena may move. Offsets stay < 2^32 * 8. */
static int reserve(idset_t *s, size_t need)
{
    if (s->used + need <= s->cap)
        return 0;
    size_t cap = s->cap;
    /* by half: doubling reserved up to twice what a million ids take */
    while (cap < s->used + need)
        cap = (cap + cap / 2 + 7) & ~(size_t)7;
    if (cap / 8 > UINT32_MAX) {
        cap = (size_t)UINT32_MAX * 8;
        if (s->used + need > cap)
            return -1;
    }
    char *a = realloc(s->arena, cap);
    if (!a)
        return -1;
    s->arena = a;
    s->cap = cap;
    return 0;
}

static int key_ok(const char *key, size_t len)
{
    return key && len > 0 && len <= IDSET_MAX_KEY && !memchr(key, '\0', len);
}

void *idset_add(idset_t *s, const char *key, size_t len, int *added)
{
    if (added)
        *added = 0;
    if (!key_ok(key, len))
        return NULL;
    uint32_t h = hash_key(key, len);
    size_t i = probe(s, key, len, h);
    if (s->slots[i].off8 != 0)
        return record_value(s, s->slots[i].off8);
    if ((s->count + 1) * 4 > s->n_slots * 3) {
        if (grow_table(s) != 0)
            return NULL;
        i = probe(s, key, len, h);
    }
    size_t rec = s->value_size + ALIGN8(len + 1);
    if (reserve(s, rec) != 0)
        return NULL;
    uint32_t off8 = (uint32_t)(s->used / 8);
    memset(s->arena + s->used, 0, rec);
    memcpy(s->arena + s->used + s->value_size, key, len);
    s->used += rec;
    s->slots[i] = (slot_t){off8, h};
    s->count++;
    if (added)
        *added = 1;
    return record_value(s, off8);
}

void *idset_get(const idset_t *s, const char *key, size_t len)
{
    if (!key_ok(key, len))
        return NULL;
    size_t i = probe(s, key, len, hash_key(key, len));
    return s->slots[i].off8 ? record_value(s, s->slots[i].off8) : NULL;
}

void idset_clear(idset_t *s)
{
    if (s->count == 0)
        return;
    if (s->count * 16 < s->n_slots) {
        /* Few keys next to the table: empty their slots one by one, walking
         * the records in the arena. Each record's slot is found by its
         * offset, not by a probe: probing stops at an empty slot, and the
         * slots emptied so far break the chains. */
        size_t mask = s->n_slots - 1;
        for (size_t off = 8; off < s->used;) {
            const char *k = s->arena + off + s->value_size;
            size_t len = strlen(k);
            uint32_t off8 = (uint32_t)(off / 8);
            size_t i = hash_key(k, len) & mask;
            while (s->slots[i].off8 != off8)
                i = (i + 1) & mask;
            s->slots[i].off8 = 0;
            off += s->value_size + ALIGN8(len + 1);
        }
    } else if (s->n_slots > INITIAL_SLOTS * 64) {
        slot_t *fresh = calloc(INITIAL_SLOTS, sizeof(*fresh));
        if (fresh) { /* give a large table back */
            free(s->slots);
            s->slots = fresh;
            s->n_slots = INITIAL_SLOTS;
        } else {
            memset(s->slots, 0, s->n_slots * sizeof(*s->slots));
        }
    } else {
        memset(s->slots, 0, s->n_slots * sizeof(*s->slots));
    }
    s->count = 0;
    s->used = 8;
    if (s->cap > (size_t)INITIAL_ARENA * 64) { /* give a large arena back */
        char *a = realloc(s->arena, INITIAL_ARENA);
        if (a) {
            s->arena = a;
            s->cap = INITIAL_ARENA;
        }
    }
}

size_t idset_count(const idset_t *s)
{
    return s->count;
}

size_t idset_memory(const idset_t *s)
{
    return s->n_slots * sizeof(*s->slots) + s->cap;
}

int idset_next(const idset_t *s, size_t *pos, const char **key, void **value)
{
    while (*pos < s->n_slots) {
        uint32_t off8 = s->slots[(*pos)++].off8;
        if (off8 != 0) {
            *key = record_key(s, off8);
            *value = record_value(s, off8);
            return 1;
        }
    }
    return 0;
}
