/*
 * heldeletes.c - deletions held until the records walk (see heldeletes.h).
 */
#include "heldeletes.h"

#include <stdlib.h>
#include <string.h>

#include "idset.h"

typedef struct held {
    int64_t deleted_at;
    int64_t newest_served; /* the newest version served; INT64_MIN: none */
    int undated;           /* no deleted_at: deleted_at is a producer clock mark */
    int64_t stale_from;    /* undated: the oldest version that makes it stale */
} held_t;

heldeletes_t *heldeletes_new(void)
{
    return idset_new(sizeof(held_t));
}

void heldeletes_destroy(heldeletes_t *h)
{
    idset_destroy(h);
}

int heldeletes_hold(heldeletes_t *h, const char *id, int64_t deleted_at_ms, int undated)
{
    int added = 0;
    held_t *d = idset_add(h, id, strlen(id), &added);
    if (!d)
        return PRODUCER_FAILED;
    if (added) {
        d->deleted_at = deleted_at_ms;
        d->newest_served = INT64_MIN;
        d->undated = undated;
        d->stale_from = INT64_MIN + 1;
        return PRODUCER_OK;
    }
    d->undated = d->undated || undated;
    if (deleted_at_ms > d->deleted_at)
        d->deleted_at = deleted_at_ms;
    return PRODUCER_OK;
}

/* Whether the versions served make d stale. A tie counts as deleted: the
 * API says both at once, and a delete that is not needed is harmless
 * where a missed one is not. An undated deletion's mark is another clock
 * than the cursors': any version served says the record lives (but one
 * older than stale_from, heldeletes_stale_from()). */
static int is_stale(const held_t *d)
{
    return d->undated ? d->newest_served >= d->stale_from : d->newest_served > d->deleted_at;
}

void heldeletes_stale_from(heldeletes_t *h, const char *id, int64_t cursor_ms)
{
    held_t *d = idset_get(h, id, strlen(id));
    if (d && d->undated && cursor_ms > d->stale_from)
        d->stale_from = cursor_ms;
}

void heldeletes_served(heldeletes_t *h, const char *id, int64_t cursor_ms)
{
    held_t *d = idset_get(h, id, strlen(id));
    if (d && cursor_ms > d->newest_served)
        d->newest_served = cursor_ms;
}

int heldeletes_pending(const heldeletes_t *h, const char *id)
{
    const held_t *d = idset_get(h, id, strlen(id));
    return d && !is_stale(d);
}

size_t heldeletes_count(const heldeletes_t *h)
{
    return idset_count(h);
}

int heldeletes_next(const heldeletes_t *h, size_t *pos, const char **id, int64_t *deleted_at_ms,
                    int *undated, int *stale)
{
    void *v;
    if (!idset_next(h, pos, id, &v))
        return 0;
    const held_t *d = v;
    *deleted_at_ms = d->deleted_at;
    *undated = d->undated;
    *stale = is_stale(d);
    return 1;
}
