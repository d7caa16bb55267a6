/*
 * groupprobe.c - see groupprobe.h.
 *
 * librdkafka reports per-call errors as rd_kafka_resp_err_t and per
 * partition in the elements of a topic-partition list; both become our
 * 0/-1 with "topic [partition]: ERROR_NAME" in errstr here.
 */
#include "errstr.h"
#include "groupprobe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "consumer.h"
#include "kafka_client.h"
#include "kafka_meta.h"

struct groupprobe {
    rd_kafka_t *rk;
};

groupprobe_t *groupprobe_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    /* allow.auto.create.topics stays at its default, false: a lookup
     * never creates a topic (setting it only adds a warning with brokers
     * whose Metadata API predates it) */
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-worker-admin",
        .group_id = conf->group_id,
        .manual_offsets = 1,
    };
    rd_kafka_t *rk = kafka_client_new(conf, RD_KAFKA_CONSUMER, &opts, errstr, errstr_size);
    if (!rk)
        return NULL;
    groupprobe_t *ak = malloc(sizeof(*ak));
    if (!ak) {
        rd_kafka_destroy(rk);
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    ak->rk = rk;
    return ak;
}

void groupprobe_destroy(groupprobe_t *ak)
{
    if (ak) {
        /* never subscribed: closing leaves no group, it only stops the
         * consumer cleanly before the handle goes */
        rd_kafka_consumer_close(ak->rk);
        rd_kafka_destroy(ak->rk);
    }
    free(ak);
}

int groupprobe_partitions(groupprobe_t *ak, const char *topic, int32_t **out, size_t *n,
                          char *errstr, size_t errstr_size)
{
    int rc =
        kafka_topic_partitions(ak->rk, topic, GROUPPROBE_TIMEOUT_MS, out, n, errstr, errstr_size);

    if (rc == 1 || (rc == 0 && *n == 0)) {
        errstr_set(errstr, errstr_size, "topic %s: %s", topic,
                   rc == 1 ? rd_kafka_err2name(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                           : "no partitions");
        free(*out);
        *out = NULL;
        return GROUPPROBE_NO_TOPIC;
    }
    return rc;
}

int groupprobe_watermarks(groupprobe_t *ak, const char *topic, int32_t partition, int64_t *low,
                          int64_t *high, char *errstr, size_t errstr_size)
{
    return kafka_watermarks(ak->rk, topic, partition, GROUPPROBE_TIMEOUT_MS, low, high, errstr,
                            errstr_size);
}

static rd_kafka_topic_partition_list_t *make_list(const char *topic, const int32_t *partitions,
                                                  const int64_t *offsets, int64_t same, size_t n)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n + 1);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topic, partitions[i])->offset =
            offsets ? offsets[i] : same;
    return l;
}

/* The first per-partition error of l into errstr: -1, else 0. */
static int list_error(const rd_kafka_topic_partition_list_t *l, const char *what, char *errstr,
                      size_t errstr_size)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].err) {
            errstr_set(errstr, errstr_size, "%s of %s [%" PRId32 "]: %s", what, l->elems[i].topic,
                       l->elems[i].partition, rd_kafka_err2name(l->elems[i].err));
            return -1;
        }
    return 0;
}

int groupprobe_offsets_for_time(groupprobe_t *ak, const char *topic, const int32_t *partitions,
                                size_t n, int64_t ts_ms, int64_t *offsets, char *errstr,
                                size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = make_list(topic, partitions, NULL, ts_ms, n);
    int rc = -1;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(ak->rk, l, GROUPPROBE_TIMEOUT_MS);
    if (err)
        errstr_set(errstr, errstr_size, "offsets by time of %s: %s", topic, rd_kafka_err2name(err));
    else if (list_error(l, "offsets by time", errstr, errstr_size) == 0)
        rc = 0;
    /* the answer comes back in the order asked; -1 (OFFSET_END) means no
     * message at or after ts_ms */
    for (int i = 0; rc == 0 && i < l->cnt; i++)
        offsets[i] = l->elems[i].offset < 0 ? -1 : l->elems[i].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

/* Waits for the commit's result event on q. */
static int await_commit(rd_kafka_queue_t *q, char *errstr, size_t errstr_size)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, GROUPPROBE_TIMEOUT_MS);
    const rd_kafka_topic_partition_list_t *res;
    int rc = -1;

    if (!ev) {
        errstr_set(errstr, errstr_size, "offset commit: no answer within %d ms",
                   GROUPPROBE_TIMEOUT_MS);
        return -1;
    }
    if (rd_kafka_event_type(ev) != RD_KAFKA_EVENT_OFFSET_COMMIT)
        errstr_set(errstr, errstr_size, "offset commit: unexpected event %s",
                   rd_kafka_event_name(ev));
    else if (rd_kafka_event_error(ev))
        errstr_set(errstr, errstr_size, "offset commit: %s",
                   rd_kafka_err2name(rd_kafka_event_error(ev)));
    else if (!(res = rd_kafka_event_topic_partition_list(ev)) ||
             list_error(res, "offset commit", errstr, errstr_size) == 0)
        rc = 0;
    rd_kafka_event_destroy(ev);
    return rc;
}

int groupprobe_commit(groupprobe_t *ak, const char *topic, const int32_t *partitions,
                      const int64_t *offsets, size_t n, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = make_list(topic, partitions, offsets, 0, n);
    if (l)
        (void)consumer_commit_mark(l); /* ours: the workers need not warn of it */
    rd_kafka_queue_t *q = rd_kafka_queue_new(ak->rk);
    rd_kafka_resp_err_t err = rd_kafka_commit_queue(ak->rk, l, q, NULL, NULL);
    int rc;
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        errstr_set(errstr, errstr_size, "offset commit: %s", rd_kafka_err2name(err));
        rc = -1;
    } else {
        rc = await_commit(q, errstr, errstr_size);
    }
    rd_kafka_queue_destroy(q);
    return rc;
}
