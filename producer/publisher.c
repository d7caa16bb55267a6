/*
 * publisher.c - idempotent librdkafka producer (see publisher.h).
 */
#include "publisher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "hdrpool.h"
#include "isotime.h"
#include "kafka_client.h"
#include "kafka_meta.h"
#include "kafka_produce.h"
#include "kafka_topics.h"
#include "log.h"
#include "signals.h"

#define SHUTDOWN_FLUSH_MS 10000

typedef struct acked_offset {
    char *topic;
    int32_t partition;
    int64_t offset; /* highest acked */
} acked_offset_t;

struct publisher {
    rd_kafka_t *rk;
    kafka_topics_t topics; /* a handle per topic (kafka_topics.h) */
    hdrpool_t *hdrs;       /* delivered events' header lists, for the next ones */
    int queue_full_ms;     /* how long a produce waits for room in the queue */
    unsigned unpolled;     /* messages enqueued since the last poll (kafka_produce_paced) */
    int64_t acked;
    int64_t failed;
    char first_error[512];
    acked_offset_t *offsets;
    size_t n_offsets;
    int oom; /* an offset could not be recorded */
};

static void note_offset(publisher_t *p, const char *topic, int32_t part, int64_t off)
{
    for (size_t i = 0; i < p->n_offsets; i++) {
        acked_offset_t *o = &p->offsets[i];
        if (o->partition == part && strcmp(o->topic, topic) == 0) {
            if (off > o->offset)
                o->offset = off;
            return;
        }
    }
    acked_offset_t *grown = realloc(p->offsets, (p->n_offsets + 1) * sizeof(*grown));
    char *t = grown ? strdup(topic) : NULL;
    if (grown)
        p->offsets = grown;
    if (!t) {
        p->oom = 1;
        return;
    }
    p->offsets[p->n_offsets++] = (acked_offset_t){t, part, off};
}

/* Runs on the caller's thread inside rd_kafka_poll/flush. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    publisher_t *p = opaque;
    pub_delivery_t *d = m->_private;
    rd_kafka_headers_t *hdrs;
    /* the message is librdkafka's own (not const): destroyed after this
     * callback, without the list it no longer holds */
    if (rd_kafka_message_detach_headers((rd_kafka_message_t *)m, &hdrs) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
        hdrpool_give(p->hdrs, hdrs);
    if (d) {
        d->done = 1;
        d->err = m->err;
        d->partition = m->partition;
        d->offset = m->offset;
    }
    if (m->err) {
        if (p->failed++ == 0)
            errstr_set(p->first_error, sizeof(p->first_error), "delivery to %s failed: %s",
                       rd_kafka_topic_name(m->rkt), kafka_delivery_error(m->err));
        return;
    }
    p->acked++;
    if (m->offset >= 0)
        note_offset(p, rd_kafka_topic_name(m->rkt), m->partition, m->offset);
}

publisher_t *publisher_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    publisher_t *p = calloc(1, sizeof(*p));
    if (!p) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (!(p->hdrs = hdrpool_new())) {
        free(p);
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    /* idempotent, acks=all: set after the pass-through keys, they win */
    p->rk = kafka_producer_new(conf, "tidemark-producer", on_delivery, p, errstr, errstr_size);
    if (p->rk) {
        p->queue_full_ms = kafka_produce_drain_ms(p->rk);
        return p;
    }
    hdrpool_destroy(p->hdrs);
    free(p);
    return NULL;
}

rd_kafka_t *publisher_rk(publisher_t *p)
{
    return p->rk;
}

void publisher_warm_topic(publisher_t *p, const char *topic)
{
    int32_t *ids;
    size_t n;
    char err[256], q[600];
    if (kafka_topic_partitions(p->rk, topic, 5000, &ids, &n, err, sizeof(err)) < 0)
        log_debug("topic metadata not fetched", "topic=%s error=%s", topic,
                  log_quote(q, sizeof(q), err));
    free(ids);
}

void publisher_reset(publisher_t *p)
{
    p->acked = p->failed = 0;
    p->first_error[0] = '\0';
    for (size_t i = 0; i < p->n_offsets; i++)
        free(p->offsets[i].topic);
    free(p->offsets);
    p->offsets = NULL;
    p->n_offsets = 0;
    p->oom = 0;
}

void publisher_destroy(publisher_t *p)
{
    if (!p)
        return;
    if (p->rk) {
        rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, SHUTDOWN_FLUSH_MS);
        if (err)
            log_warn("kafka producer closed with undelivered messages", "outq=%d",
                     rd_kafka_outq_len(p->rk));
        kafka_topics_clear(&p->topics); /* before the client they belong to */
        rd_kafka_destroy(p->rk);
    }
    hdrpool_destroy(p->hdrs); /* after the last delivery report gave to it */
    publisher_reset(p);
    free(p);
}

int publisher_produce(publisher_t *p, const char *topic, const char *key, const void *value,
                      size_t len, const pub_header_t *hdrs, size_t n_hdrs, pub_delivery_t *delivery,
                      char *errstr, size_t errstr_size)
{
    const kafka_message_t m = {
        .topic = topic,
        .rkt = kafka_topics_get(&p->topics, p->rk, topic),
        .key = key,
        .key_len = key ? strlen(key) : 0,
        .value = value,
        .value_len = len,
        .headers = hdrpool_take(p->hdrs, hdrs, n_hdrs),
        .opaque = delivery,
    };
    rd_kafka_resp_err_t err =
        kafka_produce_paced(p->rk, &m, p->queue_full_ms, &p->unpolled, errstr, errstr_size);
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        errstr_set(errstr, errstr_size,
                   "produce to %s: a message (key of %zu bytes, value of %zu, and its headers "
                   "and framing) is larger than message.max.bytes (%zu)",
                   topic, m.key_len, value ? len : 0, publisher_max_message_bytes(p));
        return PUBLISHER_TOO_LARGE;
    }
    return err ? -1 : 0;
}

int publisher_flush(publisher_t *p, char *errstr, size_t errstr_size)
{
    int64_t deadline = 0;
    while (rd_kafka_outq_len(p->rk) > 0) {
        rd_kafka_flush(p->rk, 100);
        if (!tm_running) {
            int64_t now = isotime_monotonic_ms();
            if (!deadline)
                deadline = now + SHUTDOWN_FLUSH_MS;
            else if (now >= deadline) {
                errstr_set(errstr, errstr_size, "interrupted with %d messages not yet acknowledged",
                           rd_kafka_outq_len(p->rk));
                /* Purge so that every delivery report (and the caller's
                 * pub_delivery_t) is settled before we return. */
                rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
                rd_kafka_flush(p->rk, 1000);
                return -1;
            }
        }
    }
    rd_kafka_poll(p->rk, 0);
    if (p->failed) {
        errstr_set(errstr, errstr_size, "%s (%lld messages failed)", p->first_error,
                   (long long)p->failed);
        return -1;
    }
    if (p->oom) {
        errstr_set(errstr, errstr_size, "out of memory recording acked offsets");
        return -1;
    }
    return 0;
}

size_t publisher_max_message_bytes(const publisher_t *p)
{
    return kafka_client_max_message_bytes(p->rk);
}

int publisher_is_fatal(publisher_t *p)
{
    char buf[256];
    return rd_kafka_fatal_error(p->rk, buf, sizeof(buf)) != RD_KAFKA_RESP_ERR_NO_ERROR;
}

int64_t publisher_acked(const publisher_t *p)
{
    return p->acked;
}

int64_t publisher_failed(const publisher_t *p)
{
    return p->failed;
}

int publisher_end_offsets(const publisher_t *p, const char *topic, end_offset_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < p->n_offsets; i++) {
        const acked_offset_t *o = &p->offsets[i];
        if (strcmp(o->topic, topic) != 0)
            continue;
        end_offset_t *grown = realloc(*out, (*n + 1) * sizeof(*grown));
        if (!grown) {
            free(*out);
            *out = NULL;
            *n = 0;
            return -1;
        }
        *out = grown;
        (*out)[(*n)++] = (end_offset_t){o->partition, o->offset + 1};
    }
    return 0;
}
