/*
 * deadletter.c - see deadletter.h.
 */
#include "deadletter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "kafka_conf.h"
#include "log.h"

struct deadletter {
    rd_kafka_t *rk;
    char topic[256];
    int failed;          /* delivery failures since the last flush */
    rd_kafka_resp_err_t last_err;
    int64_t sent;
};

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    deadletter_t *d = opaque;

    (void)rk;
    if (m->err) {
        d->failed++;
        d->last_err = m->err;
    }
}

deadletter_t *deadletter_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    deadletter_t *d = calloc(1, sizeof(*d));
    rd_kafka_conf_t *kc;

    if (!d) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    topic_dlq(conf, d->topic, sizeof(d->topic));
    kc = kafka_conf_new(conf, "tidemark-worker-dlq", errstr, errstr_size);
    if (!kc || kafka_conf_set(kc, "acks", "all", errstr, errstr_size) < 0 ||
        kafka_conf_set(kc, "enable.idempotence", "true", errstr,
                       errstr_size) < 0) {
        if (kc)
            rd_kafka_conf_destroy(kc);
        free(d);
        return NULL;
    }
    rd_kafka_conf_set_opaque(kc, d);
    rd_kafka_conf_set_dr_msg_cb(kc, dr_cb);
    d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, errstr, errstr_size);
    if (!d->rk) {
        rd_kafka_conf_destroy(kc);
        free(d);
        return NULL;
    }
    kc = NULL; /* now owned by d->rk */
    return d;
}

void deadletter_destroy(deadletter_t *d)
{
    if (!d)
        return;
    rd_kafka_flush(d->rk, 5000);
    rd_kafka_destroy(d->rk);
    free(d);
}

int deadletter_send(deadletter_t *d, const void *key, size_t key_len, const void *value,
             size_t value_len, const char *error, const char *src_topic,
             int32_t src_partition, int64_t src_offset, char *errstr,
             size_t errstr_size)
{
    char source[512];
    rd_kafka_resp_err_t err;
    int tries;

    snprintf(source, sizeof(source), "%s/%" PRId32 "/%" PRId64, src_topic,
             src_partition, src_offset);
    for (tries = 0; tries < 100; tries++) {
        err = rd_kafka_producev(
            d->rk, RD_KAFKA_V_TOPIC(d->topic),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, key ? key_len : 0),
            RD_KAFKA_V_VALUE((void *)value, value ? value_len : 0),
            RD_KAFKA_V_HEADER("tidemark.error", error, -1),
            RD_KAFKA_V_HEADER("tidemark.stage", "worker", -1),
            RD_KAFKA_V_HEADER("tidemark.source", source, -1), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        rd_kafka_poll(d->rk, 100); /* let delivery reports drain the queue */
    }
    if (err) {
        snprintf(errstr, errstr_size, "dead-letter produce: %s",
                 rd_kafka_err2str(err));
        return -1;
    }
    d->sent++;
    log_warn(error, "stage=worker dlq=%s source=%s", d->topic, source);
    return 0;
}

int deadletter_flush(deadletter_t *d, int timeout_ms, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_flush(d->rk, timeout_ms);
    int failed = d->failed;

    d->failed = 0;
    if (err) {
        snprintf(errstr, errstr_size, "dead-letter flush: %s",
                 rd_kafka_err2str(err));
        return -1;
    }
    if (failed) {
        snprintf(errstr, errstr_size, "%d dead letters not delivered: %s",
                 failed, rd_kafka_err2str(d->last_err));
        return -1;
    }
    return 0;
}

int64_t deadletter_count(const deadletter_t *d)
{
    return d->sent;
}
