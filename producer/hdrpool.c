/*
 * hdrpool.c - see hdrpool.h.
 */
#include "hdrpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Lists of more headers are never kept (change events carry two or
 * three). */
#define HDRPOOL_HEADERS_MAX 4

typedef struct hdr_kind {
    size_t n; /* headers; 0: a free slot */
    char *names[HDRPOOL_HEADERS_MAX];
    char *values[HDRPOOL_HEADERS_MAX];
    size_t value_lens[HDRPOOL_HEADERS_MAX];
    uint64_t used; /* the pool's clock at its last take */
    rd_kafka_headers_t **kept;
    size_t n_kept, cap;
} hdr_kind_t;

struct hdrpool {
    hdr_kind_t kinds[HDRPOOL_KINDS];
    uint64_t clock;
};

/* A list's headers as hdrpool_give() compares them. */
typedef struct hdr_view {
    size_t n;
    const char *names[HDRPOOL_HEADERS_MAX];
    const void *values[HDRPOOL_HEADERS_MAX];
    size_t value_lens[HDRPOOL_HEADERS_MAX];
} hdr_view_t;

hdrpool_t *hdrpool_new(void)
{
    return calloc(1, sizeof(hdrpool_t));
}

/* Empties k: its lists destroyed, its copies freed; a free slot. */
static void kind_clear(hdr_kind_t *k)
{
    for (size_t i = 0; i < k->n_kept; i++)
        rd_kafka_headers_destroy(k->kept[i]);
    free(k->kept);
    for (size_t i = 0; i < HDRPOOL_HEADERS_MAX; i++) {
        free(k->names[i]);
        free(k->values[i]);
    }
    *k = (hdr_kind_t){0};
}

void hdrpool_destroy(hdrpool_t *hp)
{
    if (!hp)
        return;
    for (size_t i = 0; i < HDRPOOL_KINDS; i++)
        kind_clear(&hp->kinds[i]);
    free(hp);
}

/* Whether h[0..n) can be kept: few enough, every value a text. */
static int poolable(const kafka_header_t *h, size_t n)
{
    if (n == 0 || n > HDRPOOL_HEADERS_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!h[i].name || !h[i].value)
            return 0;
    return 1;
}

/* k (cleared) made the kind of h[0..n); left free when out of memory. */
static void kind_set(hdr_kind_t *k, const kafka_header_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        k->names[i] = strdup(h[i].name);
        k->values[i] = strdup(h[i].value);
        if (!k->names[i] || !k->values[i]) {
            kind_clear(k);
            return;
        }
        k->value_lens[i] = strlen(h[i].value);
    }
    k->n = n;
}

/* The kind slot for headers no kind holds: a free one, else the one
 * taken from least recently (its lists are destroyed). */
static hdr_kind_t *kind_slot(hdrpool_t *hp)
{
    hdr_kind_t *oldest = &hp->kinds[0];
    for (size_t i = 0; i < HDRPOOL_KINDS; i++) {
        hdr_kind_t *k = &hp->kinds[i];
        if (k->n == 0)
            return k;
        if (k->used < oldest->used)
            oldest = k;
    }
    kind_clear(oldest);
    return oldest;
}

/* list's headers into *v; 0 when it cannot be kept (too many, or one
 * without a value). */
static int view_of(const rd_kafka_headers_t *list, hdr_view_t *v)
{
    v->n = rd_kafka_header_cnt(list);
    if (v->n == 0 || v->n > HDRPOOL_HEADERS_MAX)
        return 0;
    for (size_t i = 0; i < v->n; i++)
        if (rd_kafka_header_get_all(list, i, &v->names[i], &v->values[i], &v->value_lens[i]) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            !v->values[i])
            return 0;
    return 1;
}

/* Whether k is the kind of the headers v holds (a free kind holds none:
 * v has one at least). */
static int kind_holds(const hdr_kind_t *k, const hdr_view_t *v)
{
    if (k->n != v->n)
        return 0;
    for (size_t i = 0; i < v->n; i++)
        if (k->value_lens[i] != v->value_lens[i] || strcmp(k->names[i], v->names[i]) != 0 ||
            memcmp(k->values[i], v->values[i], v->value_lens[i]) != 0)
            return 0;
    return 1;
}

rd_kafka_headers_t *hdrpool_take(hdrpool_t *hp, const kafka_header_t *h, size_t n)
{
    if (!poolable(h, n))
        return kafka_headers_new(h, n);
    hdr_view_t v = {.n = n};
    for (size_t i = 0; i < n; i++) {
        v.names[i] = h[i].name;
        v.values[i] = h[i].value;
        v.value_lens[i] = strlen(h[i].value);
    }
    hdr_kind_t *k = NULL;
    for (size_t i = 0; i < HDRPOOL_KINDS && !k; i++)
        if (kind_holds(&hp->kinds[i], &v))
            k = &hp->kinds[i];
    if (!k) {
        k = kind_slot(hp);
        kind_set(k, h, n);
    }
    k->used = ++hp->clock;
    if (k->n_kept > 0)
        return k->kept[--k->n_kept];
    return kafka_headers_new(h, n);
}

/* Keeps list in k: 0, or -1 when k is full or out of memory. */
static int kind_keep(hdr_kind_t *k, rd_kafka_headers_t *list)
{
    if (k->n_kept == k->cap) {
        if (k->cap == HDRPOOL_KEEP)
            return -1;
        size_t cap = k->cap ? k->cap * 2 : 64;
        if (cap > HDRPOOL_KEEP)
            cap = HDRPOOL_KEEP;
        rd_kafka_headers_t **grown = realloc(k->kept, cap * sizeof(*grown));
        if (!grown)
            return -1;
        k->kept = grown;
        k->cap = cap;
    }
    k->kept[k->n_kept++] = list;
    return 0;
}

void hdrpool_give(hdrpool_t *hp, rd_kafka_headers_t *list)
{
    if (!list)
        return;
    hdr_view_t v;
    if (view_of(list, &v))
        for (size_t i = 0; i < HDRPOOL_KINDS; i++)
            if (kind_holds(&hp->kinds[i], &v)) {
                if (kind_keep(&hp->kinds[i], list) == 0)
                    return;
                break;
            }
    rd_kafka_headers_destroy(list);
}

size_t hdrpool_kept(const hdrpool_t *hp)
{
    size_t n = 0;
    for (size_t i = 0; i < HDRPOOL_KINDS; i++)
        n += hp->kinds[i].n_kept;
    return n;
}
