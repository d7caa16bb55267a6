/*
 * deadletter.c - see deadletter.h.
 */
#include "deadletter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "errstr.h"
#include "kafka_conf.h"
#include "log.h"

/* Room kept for the record's own framing (Kafka's record and batch
 * headers, varints): generous, so that a cut dead letter always fits. */
#define FRAMING_BYTES   1024
#define ERROR_MAX       4000 /* tidemark.error is cut past this */
#define KEY_LAST_RESORT 256

typedef enum { DL_QUEUED, DL_SENT, DL_DELIVERED, DL_TOO_LARGE, DL_FAILED } dl_state_t;

typedef struct dl_item {
    void *key; /* NULL: no key */
    size_t key_len, orig_key_len;
    void *value; /* NULL: no payload */
    size_t value_len, orig_value_len;
    char *error;
    char source[512];
    dl_state_t state;
} dl_item_t;

struct deadletter {
    rd_kafka_t *rk;
    char topic[256];
    size_t max_bytes; /* the producer's message.max.bytes */
    dl_item_t *items;
    size_t n, cap;
    rd_kafka_resp_err_t last_err;
    int64_t sent;
};

void deadletter_fit(size_t max_bytes, size_t headers_len, size_t key_len, size_t value_len,
                    size_t *key_keep, size_t *value_keep)
{
    size_t room =
        max_bytes > headers_len + FRAMING_BYTES ? max_bytes - headers_len - FRAMING_BYTES : 0;

    size_t value_share;

    *key_keep = key_len;
    *value_keep = value_len;
    if (key_len + value_len <= room)
        return;
    /* the key whole unless it would leave the payload less than half */
    value_share = value_len < room / 2 ? value_len : room / 2;
    if (*key_keep > room - value_share)
        *key_keep = room - value_share;
    *value_keep = value_len < room - *key_keep ? value_len : room - *key_keep;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    deadletter_t *d = opaque;
    dl_item_t *it = m->_private;

    (void)rk;
    if (!it)
        return;
    if (m->err) {
        it->state = m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? DL_TOO_LARGE : DL_FAILED;
        d->last_err = m->err;
        return;
    }
    it->state = DL_DELIVERED;
    d->sent++;
    log_warn(it->error, "stage=worker dlq=%s source=%s size=%zu%s", d->topic, it->source,
             it->orig_value_len,
             it->value_len < it->orig_value_len || it->key_len < it->orig_key_len
                 ? " truncated=true"
                 : "");
}

deadletter_t *deadletter_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    deadletter_t *d = calloc(1, sizeof(*d));
    rd_kafka_conf_t *kc;
    char buf[32];
    size_t bsize = sizeof(buf);

    if (!d) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    topic_dlq(conf, d->topic, sizeof(d->topic));
    kc = kafka_conf_new(conf, "tidemark-worker-dlq", errstr, errstr_size);
    if (!kc || kafka_conf_set(kc, "acks", "all", errstr, errstr_size) < 0 ||
        kafka_conf_set(kc, "enable.idempotence", "true", errstr, errstr_size) < 0) {
        if (kc)
            rd_kafka_conf_destroy(kc);
        free(d);
        return NULL;
    }
    d->max_bytes = 1000000;
    if (rd_kafka_conf_get(kc, "message.max.bytes", buf, &bsize) == RD_KAFKA_CONF_OK)
        d->max_bytes = (size_t)strtoull(buf, NULL, 10);
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

static void item_clear(dl_item_t *it)
{
    free(it->key);
    free(it->value);
    free(it->error);
    memset(it, 0, sizeof(*it));
}

void deadletter_discard(deadletter_t *d)
{
    while (d->n > 0)
        item_clear(&d->items[--d->n]);
}

void deadletter_destroy(deadletter_t *d)
{
    if (!d)
        return;
    deadletter_discard(d);
    free(d->items);
    rd_kafka_flush(d->rk, 5000);
    rd_kafka_destroy(d->rk);
    free(d);
}

size_t deadletter_pending(const deadletter_t *d)
{
    return d->n;
}

static void *copy_bytes(const void *p, size_t len, int *failed)
{
    void *c;

    if (!p)
        return NULL;
    if (!(c = malloc(len ? len : 1))) {
        *failed = 1;
        return NULL;
    }
    memcpy(c, p, len);
    return c;
}

/* The size of the headers of it, as produce_one() writes them. */
static size_t headers_len(const dl_item_t *it)
{
    return strlen("tidemark.error") + strlen(it->error) + strlen("tidemark.stage") +
           strlen("worker") + strlen("tidemark.source") + strlen(it->source) +
           strlen("tidemark.original_size") + 20 + strlen("tidemark.original_key_size") + 20 +
           strlen("tidemark.truncated") + strlen("key,value");
}

int deadletter_send(deadletter_t *d, const void *key, size_t key_len, const void *value,
                    size_t value_len, const char *error, const char *src_topic,
                    int32_t src_partition, int64_t src_offset, char *errstr, size_t errstr_size)
{
    dl_item_t *it;
    size_t key_keep, value_keep;
    int failed = 0;

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        dl_item_t *ni = realloc(d->items, cap * sizeof(*ni));

        if (!ni) {
            errstr_set(errstr, errstr_size, "dead letter: out of memory");
            return -1;
        }
        d->items = ni;
        d->cap = cap;
    }
    it = &d->items[d->n];
    memset(it, 0, sizeof(*it));
    snprintf(it->source, sizeof(it->source), "%s/%" PRId32 "/%" PRId64, src_topic, src_partition,
             src_offset);
    it->error = strndup(error ? error : "unknown", ERROR_MAX);
    it->orig_key_len = key ? key_len : 0;
    it->orig_value_len = value ? value_len : 0;
    if (!it->error) {
        errstr_set(errstr, errstr_size, "dead letter: out of memory");
        return -1;
    }
    deadletter_fit(d->max_bytes, headers_len(it), it->orig_key_len, it->orig_value_len, &key_keep,
                   &value_keep);
    it->key = copy_bytes(key, key_keep, &failed);
    it->key_len = key ? key_keep : 0;
    it->value = copy_bytes(value, value_keep, &failed);
    it->value_len = value ? value_keep : 0;
    if (failed) {
        item_clear(it);
        errstr_set(errstr, errstr_size, "dead letter: out of memory");
        return -1;
    }
    it->state = DL_QUEUED;
    d->n++;
    return 0;
}

static rd_kafka_headers_t *make_headers(const dl_item_t *it)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(6);
    int key_cut = it->key_len < it->orig_key_len;
    int value_cut = it->value_len < it->orig_value_len;
    char size[24], key_size[24];

    snprintf(size, sizeof(size), "%zu", it->orig_value_len);
    snprintf(key_size, sizeof(key_size), "%zu", it->orig_key_len);
    rd_kafka_header_add(h, "tidemark.error", -1, it->error, -1);
    rd_kafka_header_add(h, "tidemark.stage", -1, "worker", -1);
    rd_kafka_header_add(h, "tidemark.source", -1, it->source, -1);
    rd_kafka_header_add(h, "tidemark.original_size", -1, size, -1);
    if (key_cut)
        rd_kafka_header_add(h, "tidemark.original_key_size", -1, key_size, -1);
    if (key_cut || value_cut)
        rd_kafka_header_add(h, "tidemark.truncated", -1,
                            key_cut && value_cut ? "key,value"
                            : key_cut            ? "key"
                                                 : "value",
                            -1);
    return h;
}

/* Produces one queued dead letter. 0 or -1 with d->last_err set. */
static int produce_one(deadletter_t *d, dl_item_t *it)
{
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int tries;

    for (tries = 0; tries < 300; tries++) {
        rd_kafka_headers_t *h = make_headers(it);

        err = rd_kafka_producev(
            d->rk, RD_KAFKA_V_TOPIC(d->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(it->key, it->key_len), RD_KAFKA_V_VALUE(it->value, it->value_len),
            RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(it), RD_KAFKA_V_END);
        if (!err)
            break;
        rd_kafka_headers_destroy(h); /* not taken over on failure */
        if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE &&
            (it->value_len > 0 || it->key_len > KEY_LAST_RESORT)) {
            /* our framing estimate was short: give up the payload */
            it->value_len = 0;
            if (it->key_len > KEY_LAST_RESORT)
                it->key_len = KEY_LAST_RESORT;
            continue;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        rd_kafka_poll(d->rk, 100); /* let delivery reports drain the queue */
    }
    if (err) {
        d->last_err = err;
        it->state = DL_FAILED;
        return -1;
    }
    it->state = DL_SENT;
    return 0;
}

/* Produces every item in state from and waits. Returns the number of
 * items not delivered, or -1 when the flush timed out. */
static int produce_all(deadletter_t *d, dl_state_t from, int timeout_ms)
{
    size_t i;
    int left = 0;

    for (i = 0; i < d->n; i++)
        if (d->items[i].state == from)
            (void)produce_one(d, &d->items[i]);
    if (rd_kafka_flush(d->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    for (i = 0; i < d->n; i++)
        if (d->items[i].state != DL_DELIVERED)
            left++;
    return left;
}

int deadletter_flush(deadletter_t *d, int timeout_ms, char *errstr, size_t errstr_size)
{
    int left;
    size_t i;

    if (d->n == 0)
        return 0;
    left = produce_all(d, DL_QUEUED, timeout_ms);
    if (left > 0) {
        /* refused as too large by the broker: the headers alone */
        for (i = 0; i < d->n; i++) {
            dl_item_t *it = &d->items[i];

            if (it->state != DL_TOO_LARGE)
                continue;
            it->value_len = 0;
            if (it->key_len > KEY_LAST_RESORT)
                it->key_len = KEY_LAST_RESORT;
            it->state = DL_QUEUED;
        }
        left = produce_all(d, DL_QUEUED, timeout_ms);
    }
    if (left < 0)
        errstr_set(errstr, errstr_size, "dead-letter flush: timed out");
    else if (left > 0)
        errstr_set(errstr, errstr_size, "%d dead letters not delivered: %s", left,
                   rd_kafka_err2str(d->last_err));
    deadletter_discard(d);
    return left ? -1 : 0;
}

int64_t deadletter_count(const deadletter_t *d)
{
    return d->sent;
}
