/*
 * offsetmark.h - what a stored offset knows of the message just below it
 * (sync_offsets.last_ts, last_key_sum): written with the offset by the
 * batch that applied that message (offsets.h), compared by the consumer
 * when it places the partition (consumer_position.c, consumer_probe.c).
 *
 * Why: a topic deleted and made again, then refilled past the stored
 * offsets, has partitions in which those offsets lie; the offsets alone
 * cannot tell the new topic from the one the group read, and the worker
 * would go on from them, past the new topic's first messages, without a
 * word. Another message at offset - 1 tells them apart.
 *
 * Header only, pure: any thread.
 */
#ifndef TIDEMARK_WORKER_OFFSETMARK_H
#define TIDEMARK_WORKER_OFFSETMARK_H

#include <stddef.h>
#include <stdint.h>
#include "fnv1a.h"

typedef struct offset_mark {
    int known;       /* 0: none (an offset placed, reset, or stored before the mark was) */
    int64_t ts;      /* the message's Kafka timestamp (ms); -1: it had none */
    int64_t key_sum; /* (int64_t)fnv1a64(key): of 0 bytes for a message without one */
} offset_mark_t;

/* The mark of a message with timestamp ts and key[0..key_len). */
static inline offset_mark_t offset_mark_of(int64_t ts, const void *key, size_t key_len)
{
    return (offset_mark_t){1, ts, (int64_t)fnv1a64(key ? key : "", key ? key_len : 0)};
}

/* Whether a and b (both known) name the same message. */
static inline int offset_mark_same(const offset_mark_t *a, const offset_mark_t *b)
{
    return a->ts == b->ts && a->key_sum == b->key_sum;
}

#endif
