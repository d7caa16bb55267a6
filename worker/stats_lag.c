/*
 * stats_lag.c - see stats_lag.h.
 */
#include "stats_lag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next offset to apply of topic/partition: from the batch, else the
 * database's stored offset as the consumer holds it, else -1. The stored
 * offset matters after a rebalance: a partition taken over with nothing
 * left to fetch has no fetcher position, and its lag is still known. */
static int64_t next_of(const consumer_t *c, const part_range_t *parts, size_t n, const char *topic,
                       int32_t partition)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].partition == partition && strcmp(parts[i].topic, topic) == 0)
            return parts[i].next;
    return consumer_expected_offset(c, topic, partition);
}

/* The fetcher's position of one partition; -1 when it has none yet. */
static int64_t position_of(rd_kafka_t *rk, const char *topic, int32_t partition)
{
    rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(one, topic, partition);
    int64_t at = -1;
    if (rd_kafka_position(rk, one) == RD_KAFKA_RESP_ERR_NO_ERROR && one->elems[0].offset >= 0)
        at = one->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(one);
    return at;
}

void worker_stats_lag(worker_stats_t *s, const consumer_t *c, const part_range_t *parts, size_t n)
{
    rd_kafka_t *rk = consumer_handle(c);
    rd_kafka_topic_partition_list_t *assigned = NULL;
    if (rd_kafka_assignment(rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR || !assigned)
        return;
    worker_partition_lag_t *lags = calloc((size_t)assigned->cnt + 1, sizeof(*lags));
    size_t k = 0;
    for (int i = 0; lags && i < assigned->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &assigned->elems[i];
        worker_partition_lag_t *l = &lags[k++];
        snprintf(l->topic, sizeof(l->topic), "%s", tp->topic);
        l->partition = tp->partition;
        l->next = next_of(c, parts, n, tp->topic, tp->partition);
        int64_t at = l->next >= 0 ? l->next : position_of(rk, tp->topic, tp->partition);
        int64_t lo = -1, hi = -1;
        l->lag = -1;
        if (at >= 0 &&
            rd_kafka_get_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi) ==
                RD_KAFKA_RESP_ERR_NO_ERROR &&
            hi >= 0)
            l->lag = hi > at ? hi - at : 0;
    }
    rd_kafka_topic_partition_list_destroy(assigned);
    char *member = rd_kafka_memberid(rk);
    int joined = member && member[0];
    if (member)
        rd_kafka_mem_free(rk, member);
    if (lags)
        worker_stats_set_lags(s, lags, k, joined);
    free(lags);
}
