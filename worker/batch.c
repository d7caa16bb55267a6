/*
 * batch.c - see batch.h.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "isotime.h"
#include "signals.h"
#include "utf8.h"

batch_t *batch_new(void)
{
    return calloc(1, sizeof(batch_t));
}

/* Frees m's bytes: its librdkafka message, or its copies. */
static void msg_free(batch_msg_t *m)
{
    if (m->rkm) {
        rd_kafka_message_destroy(m->rkm);
        return;
    }
    free(m->key);
    free(m->value);
}

void batch_reset(batch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        msg_free(&b->msgs[i]);
    b->n = 0;
    for (size_t i = 0; i < b->n_run_ids; i++)
        free(b->run_ids[i]);
    b->n_run_ids = 0;
}

size_t batch_drop_topic(batch_t *b, const char *topic)
{
    size_t kept = 0, n = b->n;

    for (size_t i = 0; i < n; i++) {
        batch_msg_t *m = &b->msgs[i];

        if (strcmp(m->topic, topic) != 0) {
            b->msgs[kept++] = *m;
            continue;
        }
        msg_free(m);
    }
    b->n = kept;
    return n - kept;
}

int batch_has_topic(const batch_t *b, const char *topic)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->msgs[i].topic, topic))
            return 1;
    return 0;
}

void batch_destroy(batch_t *b)
{
    if (!b)
        return;
    batch_reset(b);
    free(b->msgs);
    for (size_t i = 0; i < b->n_topics; i++)
        free(b->topics[i]);
    free(b->topics);
    free(b->run_ids);
    free(b);
}

static const char *intern(batch_t *b, const char *topic)
{
    char **nt;

    for (size_t i = 0; i < b->n_topics; i++)
        if (!strcmp(b->topics[i], topic))
            return b->topics[i];
    nt = realloc(b->topics, (b->n_topics + 1) * sizeof(*nt));
    if (!nt)
        return NULL;
    b->topics = nt;
    if (!(nt[b->n_topics] = strdup(topic)))
        return NULL;
    return nt[b->n_topics++];
}

static void *dup_bytes(const void *p, size_t len, int *failed)
{
    void *c;

    if (!p)
        return NULL;
    c = malloc(len ? len : 1);
    if (!c) {
        *failed = 1;
        return NULL;
    }
    memcpy(c, p, len);
    return c;
}

/* The slot after the last message, zeroed, with topic interned; NULL
 * when out of memory. The message counts once the caller adds 1 to n. */
static batch_msg_t *next_slot(batch_t *b, const char *topic)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        batch_msg_t *nm = realloc(b->msgs, cap * sizeof(*nm));

        if (!nm)
            return NULL;
        b->msgs = nm;
        b->cap = cap;
    }
    batch_msg_t *m = &b->msgs[b->n];
    memset(m, 0, sizeof(*m));
    return (m->topic = intern(b, topic)) ? m : NULL;
}

int batch_add_raw(batch_t *b, const char *topic, int32_t partition, int64_t offset, const void *key,
                  size_t key_len, const void *value, size_t value_len)
{
    batch_msg_t *m = next_slot(b, topic);
    int failed = 0;

    if (!m)
        return -1;
    m->partition = partition;
    m->offset = offset;
    m->key = dup_bytes(key, key_len, &failed);
    m->key_len = key ? key_len : 0;
    m->value = dup_bytes(value, value_len, &failed);
    m->value_len = value ? value_len : 0;
    m->timestamp = -1;
    if (failed) {
        free(m->key);
        free(m->value);
        return -1;
    }
    b->n++;
    return 0;
}

/* Whether len bytes at p are UTF-8 text without a control character. */
static int is_plain_text(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = p[i] >= 0x80 ? utf8_seq(p + i, len - i) : p[i] >= 0x20 && p[i] != 0x7f;

        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* Whether a tidemark.run header's len bytes may name a run: UTF-8 text,
 * no control character, 1 to BATCH_RUN_ID_MAX bytes. */
static int is_run_id(const void *value, size_t len)
{
    return value && len > 0 && len <= BATCH_RUN_ID_MAX && is_plain_text(value, len);
}

int batch_set_run_id(batch_t *b, const void *value, size_t len)
{
    batch_msg_t *m = &b->msgs[b->n - 1];
    char **nr;

    m->run_id = NULL;
    if (!is_run_id(value, len))
        return 0;
    /* a batch's events come from few runs: the last one first */
    for (size_t i = b->n_run_ids; i-- > 0;)
        if (!strncmp(b->run_ids[i], value, len) && b->run_ids[i][len] == '\0') {
            m->run_id = b->run_ids[i];
            return 0;
        }
    nr = realloc(b->run_ids, (b->n_run_ids + 1) * sizeof(*nr));
    if (!nr)
        return -1;
    b->run_ids = nr;
    if (!(nr[b->n_run_ids] = strndup(value, len)))
        return -1;
    m->run_id = nr[b->n_run_ids++];
    return 0;
}

int batch_take(batch_t *b, rd_kafka_message_t *m)
{
    rd_kafka_timestamp_type_t tst;
    batch_msg_t *bm = next_slot(b, rd_kafka_topic_name(m->rkt));

    if (!bm)
        return -1;
    bm->partition = m->partition;
    bm->offset = m->offset;
    bm->key = m->key;
    bm->key_len = m->key ? m->key_len : 0;
    bm->value = m->payload;
    bm->value_len = m->payload ? m->len : 0;
    bm->timestamp = rd_kafka_message_timestamp(m, &tst);
    bm->rkm = m;
    b->n++;
    return 0;
}

int batch_msg_run_id(const batch_msg_t *m, char *buf, size_t size)
{
    const void *run = NULL;
    size_t len = 0;
    rd_kafka_headers_t *hdrs;

    if (m->run_id) {
        run = m->run_id;
        len = strlen(m->run_id);
    } else if (m->rkm && m->rkm->payload &&
               rd_kafka_message_headers(m->rkm, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* the headers are the message's (freed with it) */
        if (rd_kafka_header_get_last(hdrs, "tidemark.run", &run, &len) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
            run = NULL;
    }
    if (!is_run_id(run, len) || len >= size)
        return 0;
    memcpy(buf, run, len);
    buf[len] = '\0';
    return 1;
}

/* Whether the batch in hand, held for held_ms, may be closed before
 * max_ms: waiting fills a batch only while messages are still coming. A
 * consumer at the end of every partition would wait out max_ms (a run's
 * last events, or one change in follow mode, half a second late by
 * default) for nothing. */
static int may_close_early(const batch_t *b, consumer_t *c, int64_t held_ms, int64_t min_ms)
{
    return b->n > 0 && held_ms >= min_ms && consumer_caught_up(c);
}

int batch_collect(batch_t *b, consumer_t *c, int max_records, int64_t min_ms, int64_t max_ms,
                  int64_t idle_ms)
{
    int64_t start = isotime_monotonic_ms(), first = -1;

    while (tm_running && !consumer_failed(c) && b->n < (size_t)max_records) {
        int64_t now = isotime_monotonic_ms(), left;
        rd_kafka_message_t *m;

        if (first >= 0 && b->n == 0)
            first = -1; /* a rebalance applied what we had: start over */
        left = first < 0 ? start + idle_ms - now : first + max_ms - now;
        if (left <= 0)
            break;
        /* asked only when no message is ready */
        m = b->n > 0 ? consumer_poll(c, 0) : NULL;
        if (!m && may_close_early(b, c, now - (first < 0 ? start : first), min_ms))
            break;
        if (!m)
            m = consumer_poll(c, left < 100 ? (int)left : 100);
        if (!m)
            continue;
        if (batch_take(b, m) < 0) {
            rd_kafka_message_destroy(m);
            return -1;
        }
        if (first < 0)
            first = isotime_monotonic_ms();
    }
    return 0;
}

int batch_collect_ready(batch_t *b, consumer_t *c, int max_records)
{
    while (tm_running && !consumer_failed(c) && b->n < (size_t)max_records) {
        rd_kafka_message_t *m = consumer_poll(c, 0);

        if (!m)
            break;
        if (batch_take(b, m) < 0) {
            rd_kafka_message_destroy(m);
            return -1;
        }
    }
    return 0;
}
