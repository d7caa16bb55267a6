/*
 * kafka_meta.c - see kafka_meta.h.
 */
#include "kafka_meta.h"

#include <inttypes.h>
#include <stdlib.h>

#include "backoff.h"
#include "errstr.h"
#include "isotime.h"

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int copy_ids(const rd_kafka_metadata_topic_t *t, int32_t **ids, size_t *n, char *errstr,
                    size_t errstr_size)
{
    if (t->partition_cnt <= 0)
        return 0;
    if (!(*ids = calloc((size_t)t->partition_cnt, sizeof(**ids)))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < t->partition_cnt; i++)
        (*ids)[i] = t->partitions[i].id;
    *n = (size_t)t->partition_cnt;
    qsort(*ids, *n, sizeof(**ids), cmp_i32);
    return 0;
}

int kafka_topic_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int32_t **ids,
                           size_t *n, char *errstr, size_t errstr_size)
{
    *ids = NULL;
    *n = 0;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) {
        errstr_set(errstr, errstr_size, "topic %s: %s", topic,
                   rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    int rc = -1;
    if (err)
        errstr_set(errstr, errstr_size, "metadata of %s: %s", topic, rd_kafka_err2str(err));
    else if (md->topic_cnt != 1)
        errstr_set(errstr, errstr_size, "metadata of %s: topic not returned", topic);
    else if (md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        rc = 1;
    else if (md->topics[0].err)
        errstr_set(errstr, errstr_size, "metadata of %s: %s", topic,
                   rd_kafka_err2str(md->topics[0].err));
    else
        rc = copy_ids(&md->topics[0], ids, n, errstr, errstr_size);
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return rc;
}

/* One ListOffsets answer for the partition: at (-2 earliest, -1 latest),
 * within timeout_ms. */
static rd_kafka_resp_err_t list_offset(rd_kafka_t *rk, const char *topic, int32_t partition,
                                       int64_t at, int timeout_ms, int64_t *out)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition)->offset = at;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, l, timeout_ms);
    if (!err)
        err = l->elems[0].err;
    if (!err && l->elems[0].offset < 0)
        err = RD_KAFKA_RESP_ERR__FAIL; /* no offset in the answer */
    *out = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return err;
}

rd_kafka_resp_err_t kafka_query_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition,
                                           int64_t *low, int64_t *high, int timeout_ms)
{
    int64_t deadline = isotime_monotonic_ms() + timeout_ms;
    rd_kafka_resp_err_t err =
        list_offset(rk, topic, partition, RD_KAFKA_OFFSET_BEGINNING, timeout_ms, low);
    if (err)
        return err;
    int64_t left = deadline - isotime_monotonic_ms();
    if (left <= 0)
        return RD_KAFKA_RESP_ERR__TIMED_OUT;
    return list_offset(rk, topic, partition, RD_KAFKA_OFFSET_END, (int)left, high);
}

/* Whether err says the partition is between leaders for a moment. */
static int between_leaders(rd_kafka_resp_err_t err)
{
    return err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
           err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
           err == RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE;
}

int kafka_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int timeout_ms,
                     int64_t *low, int64_t *high, char *errstr, size_t errstr_size)
{
    int64_t deadline = isotime_monotonic_ms() + timeout_ms;
    rd_kafka_resp_err_t err;
    for (int attempt = 0;; attempt++) {
        int64_t left = deadline - isotime_monotonic_ms();
        err = kafka_query_watermarks(rk, topic, partition, low, high, left > 0 ? (int)left : 1);
        if (!err)
            return 0;
        int64_t wait = backoff_delay_capped_ms(attempt, 1000);
        if (!between_leaders(err) || isotime_monotonic_ms() + wait >= deadline ||
            backoff_sleep_ms(wait) != 0)
            break;
    }
    errstr_set(errstr, errstr_size, "watermarks of %s [%" PRId32 "]: %s", topic, partition,
               rd_kafka_err2str(err));
    return -1;
}
