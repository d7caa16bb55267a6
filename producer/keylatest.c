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
#include "topicscan.h"
#include "uuidtext.h"

typedef struct latest {
    int64_t source_ts;
    int64_t timestamp; /* the message's, to order across partitions */
    int32_t partition;
    uint8_t state; /* keylatest_state_t */
} latest_t;

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
                    int64_t timestamp, const void *value, size_t value_len)
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
    if (!value)
        l->state = KEYLATEST_DELETE; /* a tombstone */
    else if (envelope_peek(value, value_len, &op, &ts) != 0)
        l->state = KEYLATEST_UNKNOWN;
    else
        l->state = op == CHANGE_OP_DELETE ? KEYLATEST_DELETE : KEYLATEST_UPSERT;
    l->source_ts = ts;
    l->timestamp = timestamp;
    l->partition = partition;
}

static int fold_message(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    keylatest_fold(opaque, m->key, m->key_len, m->partition, rd_kafka_message_timestamp(m, NULL),
                   m->payload, m->len);
    return PRODUCER_OK;
}

int keylatest_scan(keylatest_t *kl, const tm_config_t *conf, const char *topic, char *errstr,
                   size_t errstr_size)
{
    return topicscan_read(conf, "tidemark-producer-keylatest", topic, fold_message, kl, errstr,
                          errstr_size);
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
