/*
 * dlq_queue.c - see dlq_queue.h.
 */
#include "dlq_queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "dlq.h"
#include "errstr.h"
#include "kafka_client.h"
#include "kafka_meta.h"
#include "kafka_produce.h"
#include "log.h"
#include "topics.h"

#define KEY_LAST_RESORT 256

/* A message's opaque is a token, not the item's address: a delivery
 * report may come after its batch gave up (a flush that timed out), when
 * the item is freed or another one sits there (see dlq_queue_discard()).
 * Generation in the high half, index in the low one. */
_Static_assert(sizeof(uintptr_t) >= 8, "a token needs 64 bits");

/* How long a timed-out flush asks the cluster whether the topic exists. */
#define DLQ_META_TIMEOUT_MS 2000

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

struct dlq_queue {
    rd_kafka_t *rk;
    char topic[256];
    size_t max_bytes; /* the producer's message.max.bytes */
    dl_item_t *items;
    size_t n, cap;
    char last_error[512]; /* why the last one failed */
    int64_t sent;
    uint32_t generation; /* of the items queued now: discarding moves it */
};

static void *token_of(const dlq_queue_t *d, const dl_item_t *it)
{
    return (void *)(((uintptr_t)d->generation << 32) | (uintptr_t)(it - d->items));
}

/* The item a delivery report is about, or NULL when its batch is gone. */
static dl_item_t *item_of(dlq_queue_t *d, void *token)
{
    uintptr_t t = (uintptr_t)token;
    size_t i = (size_t)(t & 0xffffffffu);
    return (uint32_t)(t >> 32) == d->generation && i < d->n ? &d->items[i] : NULL;
}

static dlq_letter_t letter_of(const dl_item_t *it)
{
    return (dlq_letter_t){
        .stage = DLQ_STAGE_WORKER,
        .error = it->error,
        .source = it->source,
        .key_len = it->key_len,
        .orig_key_len = it->orig_key_len,
        .value_len = it->value_len,
        .orig_value_len = it->orig_value_len,
    };
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    dlq_queue_t *d = opaque;
    dl_item_t *it = item_of(d, m->_private);
    if (!it) { /* purged when its batch gave up on it (dlq_queue_discard()) */
        if (!m->err)
            log_warn("dead letter delivered after its batch gave up on it; its batch will "
                     "produce it again",
                     "dlq=%s partition=%" PRId32 " offset=%" PRId64, d->topic, m->partition,
                     m->offset);
        return;
    }
    if (m->err) {
        it->state = m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? DL_TOO_LARGE : DL_FAILED;
        errstr_set(d->last_error, sizeof(d->last_error), "%s", kafka_delivery_error(m->err));
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

dlq_queue_t *dlq_queue_new(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    dlq_queue_t *d = calloc(1, sizeof(*d));
    if (!d) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    topic_dlq(conf, d->topic, sizeof(d->topic));
    d->rk = kafka_producer_new(conf, "tidemark-worker-dlq", dr_cb, d, errstr, errstr_size);
    if (!d->rk) {
        free(d);
        return NULL;
    }
    d->max_bytes = kafka_client_max_message_bytes(d->rk);
    d->generation = 1;
    return d;
}

static void item_clear(dl_item_t *it)
{
    free(it->key);
    free(it->value);
    free(it->error);
    memset(it, 0, sizeof(*it));
}

/*
 * Messages of the items still in librdkafka (a flush that timed out) are
 * purged: not sent later behind the batch's back, which produces them
 * again when it is retried. One already on its way may arrive all the
 * same (at-least-once); its report finds no item (item_of()) and says so.
 */
void dlq_queue_discard(dlq_queue_t *d)
{
    int in_flight = 0;
    for (size_t i = 0; i < d->n; i++)
        in_flight |= d->items[i].state == DL_SENT;
    d->generation++;
    if (in_flight) {
        rd_kafka_purge(d->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(d->rk, 0); /* their reports, with no item now */
    }
    while (d->n > 0)
        item_clear(&d->items[--d->n]);
}

void dlq_queue_destroy(dlq_queue_t *d)
{
    if (!d)
        return;
    dlq_queue_discard(d);
    free(d->items);
    rd_kafka_flush(d->rk, 5000);
    rd_kafka_destroy(d->rk);
    free(d);
}

size_t dlq_queue_pending(const dlq_queue_t *d)
{
    return d->n;
}

static void *copy_bytes(const void *p, size_t len, int *failed)
{
    if (!p)
        return NULL;
    void *c = malloc(len ? len : 1);
    if (!c) {
        *failed = 1;
        return NULL;
    }
    memcpy(c, p, len);
    return c;
}

/* Room for one more item. 0, or -1 (out of memory). */
static int reserve(dlq_queue_t *d)
{
    if (d->n < d->cap)
        return 0;
    size_t cap = d->cap ? d->cap * 2 : 16;
    dl_item_t *grown = realloc(d->items, cap * sizeof(*grown));
    if (!grown)
        return -1;
    d->items = grown;
    d->cap = cap;
    return 0;
}

int dlq_queue_add(dlq_queue_t *d, const void *key, size_t key_len, const void *value,
                  size_t value_len, const char *error, const char *src_topic, int32_t src_partition,
                  int64_t src_offset, char *errstr, size_t errstr_size)
{
    if (reserve(d) < 0) {
        errstr_set(errstr, errstr_size, "dead letter: out of memory");
        return -1;
    }
    dl_item_t *it = &d->items[d->n];
    memset(it, 0, sizeof(*it));
    snprintf(it->source, sizeof(it->source), "%s/%" PRId32 "/%" PRId64, src_topic, src_partition,
             src_offset);
    it->error = strndup(error ? error : "unknown", DLQ_ERROR_MAX);
    it->orig_key_len = key ? key_len : 0;
    it->orig_value_len = value ? value_len : 0;
    if (!it->error) {
        errstr_set(errstr, errstr_size, "dead letter: out of memory");
        return -1;
    }
    const dlq_letter_t l = letter_of(it);
    size_t key_keep, value_keep;
    dlq_fit(d->max_bytes, dlq_headers_size(&l), it->orig_key_len, it->orig_value_len, &key_keep,
            &value_keep);
    int failed = 0;
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

/* The last resort for a dead letter refused as too large: the headers
 * alone (and a short key). 0 when there is nothing left to give up. */
static int give_up_payload(dl_item_t *it)
{
    if (it->value_len == 0 && it->key_len <= KEY_LAST_RESORT)
        return 0;
    it->value_len = 0;
    if (it->key_len > KEY_LAST_RESORT)
        it->key_len = KEY_LAST_RESORT;
    return 1;
}

/* Produces one queued dead letter, waiting up to queue_full_ms while the
 * local queue is full. 0 or -1 with d->last_error set. */
static int produce_one(dlq_queue_t *d, dl_item_t *it, int queue_full_ms)
{
    for (;;) {
        const dlq_letter_t l = letter_of(it);
        dlq_headers_t hdrs;
        dlq_headers_build(&l, &hdrs);
        const kafka_message_t m = {
            .topic = d->topic,
            .key = it->key,
            .key_len = it->key_len,
            .value = it->value,
            .value_len = it->value_len,
            .headers = kafka_headers_new(hdrs.h, hdrs.n),
            .opaque = token_of(d, it),
        };
        rd_kafka_resp_err_t err =
            kafka_produce(d->rk, &m, queue_full_ms, d->last_error, sizeof(d->last_error));
        if (!err) {
            it->state = DL_SENT;
            return 0;
        }
        /* our framing estimate was short: give up the payload */
        if (err != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || !give_up_payload(it)) {
            it->state = DL_FAILED;
            return -1;
        }
    }
}

/* Produces every item in state from and waits. Returns the number of
 * items not delivered, or -1 when the flush timed out. */
static int produce_all(dlq_queue_t *d, dl_state_t from, int timeout_ms)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].state == from)
            (void)produce_one(d, &d->items[i], timeout_ms);
    if (rd_kafka_flush(d->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    int left = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].state != DL_DELIVERED)
            left++;
    return left;
}

/* A flush that timed out, said with the topic, and with its absence when
 * the cluster does not have it (deleted where brokers do not create
 * topics): "timed out" alone left an operator nothing to go on while
 * every batch with a dead letter was retried. */
static void flush_timed_out(const dlq_queue_t *d, int timeout_ms, char *errstr, size_t errstr_size)
{
    int32_t *ids = NULL;
    size_t n = 0;
    char why[256];
    int rc =
        kafka_topic_partitions(d->rk, d->topic, DLQ_META_TIMEOUT_MS, &ids, &n, why, sizeof(why));
    free(ids);
    errstr_set(errstr, errstr_size, "dead-letter flush to %s: timed out after %d ms%s", d->topic,
               timeout_ms,
               rc == 1 ? " (the cluster has no such topic: create it, see README's topic "
                         "settings)"
                       : "");
}

int dlq_queue_flush(dlq_queue_t *d, int timeout_ms, char *errstr, size_t errstr_size)
{
    if (d->n == 0)
        return 0;
    int left = produce_all(d, DL_QUEUED, timeout_ms);
    if (left > 0) {
        /* refused as too large by the broker: the headers alone */
        for (size_t i = 0; i < d->n; i++) {
            dl_item_t *it = &d->items[i];
            if (it->state != DL_TOO_LARGE)
                continue;
            (void)give_up_payload(it);
            it->state = DL_QUEUED;
        }
        left = produce_all(d, DL_QUEUED, timeout_ms);
    }
    char fatal[512];
    int is_fatal = left != 0 &&
                   rd_kafka_fatal_error(d->rk, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR;
    if (is_fatal) /* an idempotent producer's: it will not produce again */
        errstr_set(errstr, errstr_size, "dead-letter producer: fatal error: %s", fatal);
    else if (left < 0)
        flush_timed_out(d, timeout_ms, errstr, errstr_size);
    else if (left > 0)
        errstr_set(errstr, errstr_size, "%d dead letters not delivered: %s", left, d->last_error);
    dlq_queue_discard(d);
    return is_fatal ? -2 : left ? -1 : 0;
}

int64_t dlq_queue_count(const dlq_queue_t *d)
{
    return d->sent;
}
