/*
 * consumer_internal.h - what consumer.c (the group member: assignment
 * table, rebalance, poll, close) and consumer_position.c (where a fetcher
 * stands: watermarks, offset.out_of_range, seeks, restarts) share. Private
 * to those two files; see consumer.h for the contract. Main thread only.
 */
#ifndef TIDEMARK_WORKER_CONSUMER_INTERNAL_H
#define TIDEMARK_WORKER_CONSUMER_INTERNAL_H

#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "consumer.h"
#include "fetchwake.h"
#include "refusals.h"

typedef struct assigned_tp {
    char *topic;
    int32_t partition;
    int64_t floor; /* messages below it were fetched before a seek and
                      are dropped; -1: none */
    int stuck;     /* stored offset out of range, offset.out_of_range =
                      fail: paused, nothing applied until it moves */
    int held;      /* its stream is held (consumer_hold_topic()): paused,
                      nothing applied until consumer_release_topic() */
    /* consumer_caught_up(): the offset after the last message polled,
     * and where librdkafka last said the partition ended (its
     * end-of-partition event); since the assignment or seek: floor and
     * -1, -1 meaning unknown */
    int64_t next, end_at;
    /* consumer_reposition: where the partition is being sought */
    int64_t pending_expected, pending_floor;
    /* consumer_restart(): where a stopped fetcher starts again */
    int64_t restart_at;
    /* placed without a stored row, which could not be stored then (a lock
     * on the offsets table): the start placement checked, where every
     * later seek or restart of it goes until its row is written
     * (consumer_store_passed()); -1: none */
    int64_t placed_at;
} assigned_tp_t;

#define RESTART_NONE INT64_MIN

/* Where a partition starts (see consumer_place()). */
typedef struct placement {
    int64_t start;    /* fetch from here; RD_KAFKA_OFFSET_BEGINNING: no row */
    int64_t expected; /* its stored offset once placed */
    int stuck;
} placement_t;

struct consumer {
    rd_kafka_t *rk;
    int closed;              /* consumer_close() was called: the group is left */
    const tm_config_t *conf; /* borrowed: it outlives the consumer */
    /* reads the message below a stored offset (consumer_probe.c): made
     * at the first placement that asks, kept until close; probe_failed:
     * it could not be made, and no stored offset is checked so */
    rd_kafka_t *probe;
    int probe_failed;
    int64_t probe_skip_until; /* monotonic ms: after a probe read nothing in
                                 time, none before (their waits would add up) */
    consumer_offsets_t db;    /* the stored and expected offsets */
    offset_oor_t oor;
    const char *group_id;  /* the configuration's (it outlives the consumer) */
    int64_t wm_skip_until; /* monotonic ms: no watermark query before */
    consumer_hooks_t hooks;
    fetchwake_t *wake; /* NULL: no thread; the fetchers wake by themselves */
    /* a handle on each subscribed topic, from consumer_subscribe() to
     * consumer_close_destroy(): see hold_topics() */
    rd_kafka_topic_t **topics;
    size_t n_topics;
    assigned_tp_t *tps;
    size_t n_tps;
    /* the subscribed topics Kafka refuses by ACL, until a message or end
     * of partition of each arrives (refusals.h) */
    refusals_t refusals;
    int failed;
};

/* consumer.c */
assigned_tp_t *consumer_find_tp(const consumer_t *c, const char *topic, int32_t partition);
/* Pauses (paused != 0) or resumes one partition's fetcher (logged). */
void consumer_set_paused(consumer_t *c, const char *topic, int32_t partition, int paused);
int consumer_is_coop(const consumer_t *c);

/* Destroys a client of the consumer's, or abandons it to the exit when
 * librdkafka's destroy hangs (see there). */
void consumer_destroy_client(rd_kafka_t *rk);

/* consumer_probe.c */
/*
 * Whether the message at offset at of the partition is the one mark
 * names, read by the probe client: 1 it is, 0 another is there (*found:
 * its mark), -1 unknown: no message there (compacted away, a
 * transaction's marker, an aborted message), or none read within a few
 * seconds, or no probe client (logged at debug or warn).
 */
int consumer_probe_mark(consumer_t *c, const char *topic, int32_t partition, int64_t at,
                        const offset_mark_t *mark, offset_mark_t *found);

/* consumer_position.c */
/* Where a partition whose stored offset is stored (-1: no row) starts:
 * there when it lies within the partition's watermarks, else as
 * offset.out_of_range says. */
void consumer_place(consumer_t *c, const char *topic, int32_t partition, int64_t stored,
                    placement_t *pl);
/* Warns when Kafka holds committed offsets of the group for partitions of
 * parts (just assigned) that this database has none for (see there). */
void consumer_warn_kafka_ahead(consumer_t *c, rd_kafka_t *rk,
                               const rd_kafka_topic_partition_list_t *parts);
/* A fetch found its position at `at` outside the partition (the error
 * event of auto.offset.reset = error). */
void consumer_on_offset_reset(consumer_t *c, const char *topic, int32_t partition, int64_t at);

/* tp's fetcher was placed at tp->floor (-1: where librdkafka says):
 * nothing polled since, its end not known. */
static inline void consumer_tp_moved(assigned_tp_t *tp)
{
    tp->next = tp->floor;
    tp->end_at = -1;
}

static inline int64_t consumer_tp_expected(const consumer_t *c, const assigned_tp_t *tp)
{
    return c->db.expected(c->db.ctx, tp->topic, tp->partition);
}

/* Where tp's fetcher goes when it is sought to its expected offset: that
 * offset, or for a partition without a row the start its placement
 * checked (placed_at), else the beginning. */
static inline int64_t consumer_tp_home(const consumer_t *c, const assigned_tp_t *tp)
{
    int64_t expected = consumer_tp_expected(c, tp);
    return expected >= 0        ? expected
           : tp->placed_at >= 0 ? tp->placed_at
                                : RD_KAFKA_OFFSET_BEGINNING;
}

#endif
