/*
 * kafka_produce.c - see kafka_produce.h.
 */
#include "kafka_produce.h"

#include <limits.h>
#include <stdlib.h>

#include "errstr.h"
#include "isotime.h"

#define QUEUE_FULL_POLL_MS     100
#define DRAIN_MARGIN_MS        5000
#define DRAIN_WHEN_INFINITE_MS 300000

rd_kafka_headers_t *kafka_headers_new(const kafka_header_t *h, size_t n)
{
    rd_kafka_headers_t *list = rd_kafka_headers_new(n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_header_add(list, h[i].name, -1, h[i].value, -1);
    return list;
}

/* Past the deadline of a full queue: the error, and the headers freed. */
static rd_kafka_resp_err_t give_up(rd_kafka_t *rk, const kafka_message_t *m, int queue_full_ms,
                                   rd_kafka_resp_err_t err, char *errstr, size_t errstr_size)
{
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        errstr_set(errstr, errstr_size,
                   "produce to %s: the local queue stayed full for %d ms (%d messages not yet "
                   "acknowledged; is the broker reachable?)",
                   m->topic, queue_full_ms, rd_kafka_outq_len(rk));
    else
        errstr_set(errstr, errstr_size, "produce to %s: %s", m->topic, rd_kafka_err2str(err));
    if (m->headers)
        rd_kafka_headers_destroy(m->headers); /* not taken over on failure */
    return err;
}

/* Hands m to librdkafka once: its answer, as rd_kafka_producev gives it
 * (__FATAL once the idempotent producer has failed for good, where
 * produceva names the error that caused it). */
static rd_kafka_resp_err_t enqueue(rd_kafka_t *rk, const kafka_message_t *m)
{
    rd_kafka_vu_t vu[] = {
        {.vtype = RD_KAFKA_VTYPE_TOPIC, .u.cstr = m->topic},
        {.vtype = RD_KAFKA_VTYPE_KEY, .u.mem = {(void *)m->key, m->key ? m->key_len : 0}},
        {.vtype = RD_KAFKA_VTYPE_VALUE, .u.mem = {(void *)m->value, m->value ? m->value_len : 0}},
        {.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u.i = RD_KAFKA_MSG_F_COPY},
        {.vtype = RD_KAFKA_VTYPE_HEADERS, .u.headers = m->headers},
        {.vtype = RD_KAFKA_VTYPE_OPAQUE, .u.ptr = m->opaque},
    };
    if (m->rkt)
        vu[0] = (rd_kafka_vu_t){.vtype = RD_KAFKA_VTYPE_RKT, .u.rkt = m->rkt};
    rd_kafka_error_t *error = rd_kafka_produceva(rk, vu, sizeof(vu) / sizeof(vu[0]));
    rd_kafka_resp_err_t err = !error                           ? RD_KAFKA_RESP_ERR_NO_ERROR
                              : rd_kafka_error_is_fatal(error) ? RD_KAFKA_RESP_ERR__FATAL
                                                               : rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    return err;
}

rd_kafka_resp_err_t kafka_produce_paced(rd_kafka_t *rk, const kafka_message_t *m, int queue_full_ms,
                                        unsigned *unpolled, char *errstr, size_t errstr_size)
{
    int64_t deadline = -1; /* read the clock only once the queue is full */
    for (;;) {
        rd_kafka_resp_err_t err = enqueue(rk, m);
        if (!err) { /* the headers are the message's now */
            if (!unpolled || ++*unpolled >= KAFKA_PRODUCE_POLL_EVERY) {
                rd_kafka_poll(rk, 0); /* serve the reports that are due */
                if (unpolled)
                    *unpolled = 0;
            }
            return err;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return give_up(rk, m, queue_full_ms, err, errstr, errstr_size);
        int64_t now = isotime_monotonic_ms();
        if (deadline < 0)
            deadline = now + queue_full_ms;
        if (now >= deadline)
            return give_up(rk, m, queue_full_ms, err, errstr, errstr_size);
        rd_kafka_poll(rk, QUEUE_FULL_POLL_MS); /* delivery reports make room */
        if (unpolled)
            *unpolled = 0;
    }
}

rd_kafka_resp_err_t kafka_produce(rd_kafka_t *rk, const kafka_message_t *m, int queue_full_ms,
                                  char *errstr, size_t errstr_size)
{
    return kafka_produce_paced(rk, m, queue_full_ms, NULL, errstr, errstr_size);
}

int kafka_produce_drain_ms(rd_kafka_t *rk)
{
    char buf[32];
    size_t size = sizeof(buf);
    long timeout = 0;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.timeout.ms", buf, &size) == RD_KAFKA_CONF_OK)
        timeout = strtol(buf, NULL, 10);
    if (timeout <= 0)
        timeout = DRAIN_WHEN_INFINITE_MS;
    if (timeout > INT_MAX - DRAIN_MARGIN_MS)
        return INT_MAX;
    return (int)timeout + DRAIN_MARGIN_MS;
}

const char *kafka_delivery_error(rd_kafka_resp_err_t err)
{
    /* A compacted topic refuses a message without a key with this error,
     * and the broker says only that. Of tidemark's messages only a dead
     * letter may have none (the original message had none): a DLQ created
     * compacted, as the stream topics are, refused it for ever. */
    if (err == RD_KAFKA_RESP_ERR_INVALID_RECORD)
        return "Broker: Broker failed to validate record (a message without a key on a "
               "compacted topic? the dead-letter topic must not be compacted: "
               "cleanup.policy=delete)";
    /* librdkafka let the message through, the topic did not: its limit is
     * lower than the client's, and every run would meet it again */
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        return "Broker: Message size too large (the topic's max.message.bytes is below [kafka] "
               "message.max.bytes: set that at or below the topic's limit, and tidemark cuts "
               "or dead-letters what would not fit)";
    return rd_kafka_err2str(err);
}
