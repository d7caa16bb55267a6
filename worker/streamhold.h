/*
 * streamhold.h - the streams held back because their table refuses
 * writes, so that the worker's other streams go on.
 *
 * One batch is one transaction over every stream's messages. When a
 * statement of one stream fails transiently for its table (a lock held
 * past lock_timeout, a revoked grant, a trigger that refuses every row:
 * table_apply()'s refused), the runner holds that stream: its partitions
 * are paused in the consumer with their stored and expected offsets left
 * where they are (consumer_hold_topic()), its messages leave the batches
 * in hand, and the rest is applied at once. At its retry time the stream
 * is released (consumer_release_topic() seeks its partitions back to
 * their stored offsets): its messages come again, and a batch that fails
 * for it again holds it again, a backoff step later. It stays "failing"
 * from its first hold until a batch with its messages commits.
 *
 * This table keeps, per stream (by index into the worker's streams),
 * whether it is held, failing, how many holds in a row, when it is
 * retried, the error that held it and when the warning was last said
 * (once at the first hold, then at most every STREAMHOLD_REPEAT_MS), and
 * which one /readyz names while one fails.
 *
 * Owns: its items. Not thread-safe: the main thread only. Cannot fail but
 * for memory at init.
 */
#ifndef TIDEMARK_WORKER_STREAMHOLD_H
#define TIDEMARK_WORKER_STREAMHOLD_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

/* How often the warning about a stream still held is repeated. */
#define STREAMHOLD_REPEAT_MS 60000

/* A held stream's retry waits at least this many times what the attempt
 * that held it cost: a table locked past lock_timeout (60 s by default)
 * makes every batch its messages are in wait that long, and on the
 * backoff alone (10 s at most) the other streams would spend most of
 * their time waiting with it; so they wait a sixth of it at most. */
#define STREAMHOLD_COST_FACTOR 5

typedef struct stream_hold {
    int held;    /* paused, its messages kept out of the batches */
    int failing; /* held, or released and not applied since */
    int holds;   /* holds in a row: the backoff step */
    int64_t retry_at_ms;
    int64_t warned_ms; /* monotonic ms of the last warning */
    char error[512];
} stream_hold_t;

typedef struct stream_holds {
    stream_hold_t *items;
    size_t n;
} stream_holds_t;

/* n streams, none held. 0, or -1 out of memory. */
int stream_holds_init(stream_holds_t *h, size_t n) TM_WARN_UNUSED;
void stream_holds_free(stream_holds_t *h);

/* Stream i is held at now_ms for error, by an attempt that took cost_ms;
 * its retry is due a backoff step later (backoff_delay_ms() of its holds
 * in a row), or STREAMHOLD_COST_FACTOR * cost_ms when that is more.
 * Returns 1 when its warning is due (its first hold, or
 * STREAMHOLD_REPEAT_MS since the last one), counted as said; 0
 * otherwise. */
int stream_holds_hold(stream_holds_t *h, size_t i, const char *error, int64_t cost_ms,
                      int64_t now_ms);

/* Its release failed: tried again a backoff step after now_ms. */
void stream_holds_postpone(stream_holds_t *h, size_t i, int64_t now_ms);

/* A held stream whose retry is due at now_ms, or -1. */
long stream_holds_due(const stream_holds_t *h, int64_t now_ms);

/* Stream i was released: its messages come again (still failing). */
void stream_holds_released(stream_holds_t *h, size_t i);

/* A batch with messages of stream i committed: 1 when it was failing
 * (now cleared), else 0. */
int stream_holds_applied(stream_holds_t *h, size_t i);

/* How many streams are failing. */
size_t stream_holds_failing(const stream_holds_t *h);

/* The first failing stream, or -1: the one /readyz names. */
long stream_holds_first(const stream_holds_t *h);

#endif
