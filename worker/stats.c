/*
 * stats.c - see stats.h.
 */
#include "stats.h"

#include <string.h>

void worker_stats_init(worker_stats_t *s)
{
    memset(&s->c, 0, sizeof(s->c));
    s->c.lag_ms = -1;
    pthread_mutex_init(&s->lock, NULL);
}

void worker_stats_destroy(worker_stats_t *s)
{
    pthread_mutex_destroy(&s->lock);
}

void worker_stats_batch(worker_stats_t *s, const batch_counts_t *b)
{
    pthread_mutex_lock(&s->lock);
    s->c.batches++;
    s->c.kafka_commits++;
    s->c.messages += b->messages;
    s->c.events += b->events;
    s->c.upserts += b->upserts;
    s->c.deletes += b->deletes;
    s->c.run_records += b->run_records;
    s->c.dead_letters += b->dead_letters;
    s->c.lag_ms =
        b->newest_ts_ms >= 0 && b->now_ms >= b->newest_ts_ms ? b->now_ms - b->newest_ts_ms : -1;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_retry(worker_stats_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->c.retries++;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_fenced(worker_stats_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->c.fenced++;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_partitions(worker_stats_t *s, int64_t assigned, int64_t stuck)
{
    pthread_mutex_lock(&s->lock);
    s->c.assigned = assigned;
    s->c.stuck = stuck;
    pthread_mutex_unlock(&s->lock);
}

void worker_stats_snapshot(worker_stats_t *s, worker_counters_t *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->c;
    pthread_mutex_unlock(&s->lock);
}
