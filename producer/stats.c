/*
 * stats.c - the producer's counters (see stats.h).
 */
#include "stats.h"

#include <pthread.h>

static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;
static producer_stats_t totals;

/* Every field of the struct, for the field-by-field operations. */
#define STATS_FIELDS(X)                                                                            \
    X(runs_completed)                                                                              \
    X(runs_failed)                                                                                 \
    X(pages)                                                                                       \
    X(records_read)                                                                                \
    X(skipped)                                                                                     \
    X(upserts)                                                                                     \
    X(deletes)                                                                                     \
    X(vanished)                                                                                    \
    X(stale_deletes)                                                                               \
    X(dead_lettered)                                                                               \
    X(unidentified)                                                                                \
    X(bytes_published)                                                                             \
    X(checkpoints)

/* A field added to the struct but not to STATS_FIELDS fails the build. */
#define STATS_ONE(f) +1
_Static_assert(sizeof(producer_stats_t) == (0 STATS_FIELDS(STATS_ONE)) * sizeof(int64_t),
               "every producer_stats_t field is in STATS_FIELDS");

void producer_stats_add(producer_stats_t *into, const producer_stats_t *delta)
{
#define STATS_ADD(f) into->f += delta->f;
    STATS_FIELDS(STATS_ADD)
#undef STATS_ADD
}

void producer_stats_flush(producer_stats_t *flushed, const producer_stats_t *now)
{
    producer_stats_t delta = *now;
#define STATS_SUB(f) delta.f -= flushed->f;
    STATS_FIELDS(STATS_SUB)
#undef STATS_SUB
    pthread_mutex_lock(&totals_lock);
    producer_stats_add(&totals, &delta);
    pthread_mutex_unlock(&totals_lock);
    *flushed = *now;
}

void producer_stats_snapshot(producer_stats_t *out)
{
    pthread_mutex_lock(&totals_lock);
    *out = totals;
    pthread_mutex_unlock(&totals_lock);
}
