/*
 * dedupe.c - see dedupe.h.
 */
#include "dedupe.h"

#include <stdlib.h>
#include <string.h>

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

int dedupe_version_cmp(const dedupe_item_t *a, const dedupe_item_t *b)
{
    if (a->source_ts_ms != b->source_ts_ms)
        return CMP(a->source_ts_ms, b->source_ts_ms);
    if (a->produced_at_ms != b->produced_at_ms)
        return CMP(a->produced_at_ms, b->produced_at_ms);
    if (a->partition != b->partition)
        return CMP(a->partition, b->partition);
    return CMP(a->offset, b->offset);
}

/* By id, then newest version first. */
static int item_cmp(const void *pa, const void *pb)
{
    const dedupe_item_t *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);

    return c ? c : -dedupe_version_cmp(a, b);
}

size_t dedupe_latest(dedupe_item_t *items, size_t n)
{
    size_t i, out = 0;

    if (n == 0)
        return 0;
    qsort(items, n, sizeof(*items), item_cmp);
    for (i = 0; i < n; i++) {
        if (out > 0 && !strcmp(items[out - 1].id, items[i].id))
            continue; /* an older version of the id just kept */
        items[out++] = items[i];
    }
    return out;
}
