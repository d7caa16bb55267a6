/*
 * keylatest.c - the latest message of chosen ids on a topic (see
 * keylatest.h).
 */
#include "keylatest.h"

#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "envelope.h"
#include "errstr.h"
#include "idset.h"
#include "reconcile.h"
#include "topicscan.h"
#include "uuidtext.h"

typedef struct latest {
    int64_t source_ts;
    int64_t timestamp; /* the message's, to order across partitions */
    int32_t partition;
    uint8_t state;    /* keylatest_state_t */
    uint8_t vanished; /* a delete: a full run's of the id as vanished, or its tombstone */
    uint8_t revived;  /* an upsert: keylatest_revived() */
} latest_t;

static int reason_is(const char *reason, size_t reason_len, const char *want)
{
    return reason && reason_len == strlen(want) && !memcmp(reason, want, reason_len);
}

keylatest_t *keylatest_new(void)
{
    return idset_new(sizeof(latest_t));
}

void keylatest_destroy(keylatest_t *kl)
{
    idset_destroy(kl);
}

int keylatest_want(keylatest_t *kl, const char *id)
{
    return idset_add(kl, id, strlen(id), NULL) ? PRODUCER_OK : PRODUCER_FAILED;
}

size_t keylatest_count(const keylatest_t *kl)
{
    return idset_count(kl);
}

void keylatest_fold(keylatest_t *kl, const char *key, size_t key_len, int32_t partition,
                    int64_t timestamp, const void *value, size_t value_len, const char *reason,
                    size_t reason_len)
{
    latest_t *l = key ? idset_get(kl, key, key_len) : NULL;
    char lower[UUIDTEXT_LEN + 1];
    /* a uuid id asked about in lower case (recordid.h), keyed in upper
     * case by a producer before 4355b1b */
    if (!l && key && uuidtext_canonical(key, key_len, lower) == 0 && memcmp(lower, key, key_len))
        l = idset_get(kl, lower, key_len);
    if (!l)
        return; /* not asked about */
    /* A message from another partition than the one seen so far is the
     * latest only if it is not older (keys move when partitions are added). */
    if (l->state != KEYLATEST_NONE && l->partition != partition && timestamp < l->timestamp)
        return;
    change_op_t op;
    int64_t ts = 0;
    /* a vanished delete's tombstone keeps its mark, header or not */
    int after_vanished = l->state == KEYLATEST_DELETE && l->vanished;
    int vanished = reason_is(reason, reason_len, RECONCILE_VANISHED);
    if (!value)
        l->state = KEYLATEST_DELETE; /* a tombstone */
    else if (envelope_peek(value, value_len, &op, &ts) != 0)
        l->state = KEYLATEST_UNKNOWN;
    else
        l->state = op == CHANGE_OP_DELETE ? KEYLATEST_DELETE : KEYLATEST_UPSERT;
    l->vanished = l->state == KEYLATEST_DELETE && (vanished || (!value && after_vanished));
    l->revived = l->state == KEYLATEST_UPSERT &&
                 (reason_is(reason, reason_len, RECONCILE_REVIVED) || after_vanished);
    l->source_ts = ts;
    l->timestamp = timestamp;
    l->partition = partition;
}

static int fold_message(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    const void *reason = NULL;
    size_t reason_len = 0;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, RUN_REASON_HEADER, &reason, &reason_len) !=
            RD_KAFKA_RESP_ERR_NO_ERROR)
        reason = NULL;
    keylatest_fold(opaque, m->key, m->key_len, m->partition, rd_kafka_message_timestamp(m, NULL),
                   m->payload, m->len, reason, reason_len);
    return PRODUCER_OK;
}

int keylatest_scan(keylatest_t *kl, const tm_config_t *conf, const char *topic, char *errstr,
                   size_t errstr_size)
{
    return topicscan_read(conf, topic, fold_message, kl, errstr, errstr_size);
}

keylatest_state_t keylatest_get(const keylatest_t *kl, const char *id, int64_t *source_ts_ms)
{
    const latest_t *l = idset_get(kl, id, strlen(id));
    if (!l)
        return KEYLATEST_NONE;
    if (source_ts_ms)
        *source_ts_ms = l->source_ts;
    return (keylatest_state_t)l->state;
}

int keylatest_revived(const keylatest_t *kl, const char *id)
{
    const latest_t *l = idset_get(kl, id, strlen(id));
    return l && l->state == KEYLATEST_UPSERT && l->revived;
}
