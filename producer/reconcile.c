/*
 * reconcile.c - which ids vanished from the API (see reconcile.h).
 */
#include "errstr.h"
#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>

#include "envelope.h"
#include "idset.h"
#include "topicscan.h"
#include "idkey.h"

#define OP_HEADER "tidemark.op"

/* The value kept per key in the id set (8-byte aligned there). */
typedef struct key_state {
    int64_t ts;      /* Kafka timestamp of the latest message */
    int64_t version; /* the kept version's source_ts, or RECONCILE_VERSION_UNKNOWN */
    int32_t partition;
    /* bits: 24 bytes a key, not 32 */
    unsigned live : 1;     /* the latest message is an upsert event */
    unsigned seen : 1;     /* served by the walk, or deleted by the deleted endpoint */
    unsigned served : 1;   /* served by the walk (reconcile_seen) */
    unsigned gone : 1;     /* the worker keeps the key deleted (fold_version()) */
    unsigned vanished : 1; /* ... by a full run's delete of it as vanished (RUN_REASON_HEADER) */
} key_state_t;

struct reconcile {
    idset_t *ids;
    int64_t messages;
    int64_t vanished_messages; /* folded with vanished: none, no lookup needed */
    field_type_t id_type;      /* reconcile_id_type(); FT_STRING: keys as they are */
    /* keys written apart from their id's canonical text ("05" of id 5),
     * each folded on its own; NULL until one is met */
    idset_t *strays;
};

reconcile_t *reconcile_new(void)
{
    reconcile_t *rc = calloc(1, sizeof(*rc));
    if (rc)
        rc->id_type = FT_STRING;
    if (rc && !(rc->ids = idset_new(sizeof(key_state_t)))) {
        free(rc);
        rc = NULL;
    }
    return rc;
}

void reconcile_destroy(reconcile_t *rc)
{
    if (!rc)
        return;
    idset_destroy(rc->ids);
    idset_destroy(rc->strays);
    free(rc);
}

int reconcile_is_live(const void *value, const char *op, size_t op_len)
{
    if (!value)
        return 0; /* a tombstone */
    return !(op && op_len == 6 && memcmp(op, "delete", 6) == 0);
}

void reconcile_id_type(reconcile_t *rc, field_type_t type)
{
    rc->id_type = type;
}

/* key (len bytes) as the worker reads it (idkey.h) into buf, NUL-ended:
 * its length, or 0 when it can name no row (empty, too long, a NUL, not
 * a value of the id's type). */
static size_t canonical_key(const reconcile_t *rc, const char *key, size_t len,
                            char buf[IDSET_MAX_KEY + 1])
{
    if (!key || len == 0 || len > IDSET_MAX_KEY || memchr(key, '\0', len))
        return 0;
    memcpy(buf, key, len);
    buf[len] = '\0';
    return idkey_canonical_in_place(rc->id_type, buf, &len) == 0 && len > 0 ? len : 0;
}

/*
 * What the worker keeps of a key after one more message, by its version
 * guard (worker/sqlgen.h): an event whose source_ts is at least the kept
 * version's replaces it (the later production wins a tie), an older one
 * loses; a tombstone deletes a live row and keeps its version. A value
 * that is no change event (source_ts unknown) is dead-lettered there:
 * nothing changes.
 */
static void fold_version(key_state_t *ks, const reconcile_message_t *m)
{
    if (m->tombstone) {
        if (!ks->gone)
            ks->vanished = m->vanished != 0;
        ks->gone = 1;
        return;
    }
    if (m->source_ts == RECONCILE_VERSION_UNKNOWN ||
        (ks->version != RECONCILE_VERSION_UNKNOWN && m->source_ts < ks->version))
        return;
    ks->version = m->source_ts;
    ks->gone = !m->live;
    ks->vanished = !m->live && m->vanished;
}

/* Folds a message of key into set: the latest word on it, in one partition
 * the later message, across partitions the later timestamp (a tie: live);
 * the version the worker keeps. Its state, or NULL (in *failed) when out
 * of memory. */
static key_state_t *fold_key(idset_t *set, const char *key, size_t len,
                             const reconcile_message_t *m, int *failed)
{
    int added, live = m->live;
    key_state_t *ks = idset_add(set, key, len, &added);
    if (!ks) {
        *failed = 1;
        return NULL;
    }
    if (added)
        ks->version = RECONCILE_VERSION_UNKNOWN;
    fold_version(ks, m);
    if (!added && ks->partition != m->partition) {
        if (m->ts < ks->ts)
            return ks; /* an older message from another partition */
        if (m->ts == ks->ts)
            live = live || ks->live;
    }
    ks->ts = m->ts;
    ks->partition = m->partition;
    ks->live = live != 0;
    return ks;
}

int reconcile_fold(reconcile_t *rc, const char *key, size_t key_len, const reconcile_message_t *m)
{
    char buf[IDSET_MAX_KEY + 1];
    size_t raw_len = key_len;
    int failed = 0;

    rc->messages++;
    rc->vanished_messages += m->vanished != 0;
    /* "05" or " 5" (a stranger's key) is row 5 to the worker: kept apart,
     * the full run took it for vanished and published its delete, which
     * deleted row 5 */
    if (!(key_len = canonical_key(rc, key, key_len, buf)))
        return PRODUCER_OK;
    (void)fold_key(rc->ids, buf, key_len, m, &failed);
    /* ... but its own latest message stays on a compacted topic until a
     * tombstone of that key (reconcile_next_stray()) */
    if (!failed && (raw_len != key_len || memcmp(key, buf, key_len) != 0)) {
        if (!rc->strays && !(rc->strays = idset_new(sizeof(key_state_t))))
            return PRODUCER_FAILED;
        (void)fold_key(rc->strays, key, raw_len, m, &failed);
    }
    return failed ? PRODUCER_FAILED : PRODUCER_OK;
}

static int fold_message(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    reconcile_t *rc = opaque;
    const void *op = NULL, *reason = NULL;
    size_t op_len = 0, reason_len = 0;
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
        hdrs = NULL;
    if (!hdrs ||
        rd_kafka_header_get_last(hdrs, OP_HEADER, &op, &op_len) != RD_KAFKA_RESP_ERR_NO_ERROR)
        op = NULL;
    if (!hdrs || rd_kafka_header_get_last(hdrs, RUN_REASON_HEADER, &reason, &reason_len) !=
                     RD_KAFKA_RESP_ERR_NO_ERROR)
        reason = NULL;
    reconcile_message_t msg = {
        .partition = m->partition,
        .ts = rd_kafka_message_timestamp(m, NULL),
        .live = reconcile_is_live(m->payload, op, op_len),
        .tombstone = !m->payload,
        .vanished = reason && reason_len == strlen(RECONCILE_VANISHED) &&
                    !memcmp(reason, RECONCILE_VANISHED, reason_len),
        .source_ts = RECONCILE_VERSION_UNKNOWN,
    };
    change_op_t peeked;
    if (m->payload && envelope_peek(m->payload, m->len, &peeked, &msg.source_ts) != 0)
        msg.source_ts = RECONCILE_VERSION_UNKNOWN; /* no change event: the worker skips it */
    if (reconcile_fold(rc, m->key, m->key_len, &msg) != 0) {
        errstr_set(errstr, errstr_size, "out of memory holding the ids of %s",
                   rd_kafka_topic_name(m->rkt));
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

int reconcile_scan(reconcile_t *rc, const tm_config_t *conf, const char *topic, char *errstr,
                   size_t errstr_size)
{
    return topicscan_read(conf, topic, fold_message, rc, errstr, errstr_size);
}

/* The state of the API's id, read as the topic's keys were. */
static key_state_t *find(const reconcile_t *rc, const char *id)
{
    char buf[IDSET_MAX_KEY + 1];
    size_t len = canonical_key(rc, id, strlen(id), buf);

    return len ? idset_get(rc->ids, buf, len) : NULL;
}

void reconcile_seen(reconcile_t *rc, const char *id)
{
    key_state_t *ks = find(rc, id);
    if (ks)
        ks->seen = ks->served = 1;
}

void reconcile_deleting(reconcile_t *rc, const char *id)
{
    key_state_t *ks = find(rc, id);
    if (ks)
        ks->seen = 1;
}

void reconcile_undeleting(reconcile_t *rc, const char *id)
{
    key_state_t *ks = find(rc, id);
    if (ks && !ks->served)
        ks->seen = 0;
}

int reconcile_missed(const reconcile_t *rc, const char *id)
{
    const key_state_t *ks = find(rc, id);
    return ks && ks->live && !ks->seen;
}

int reconcile_vanished(const reconcile_t *rc, const char *id, int64_t *deleted_ts)
{
    if (rc->vanished_messages == 0) /* a first load: no lookup per record */
        return 0;
    const key_state_t *ks = find(rc, id);
    if (!ks || !ks->gone || !ks->vanished)
        return 0;
    *deleted_ts = ks->version;
    return 1;
}

void reconcile_get_stats(const reconcile_t *rc, reconcile_stats_t *out)
{
    size_t pos = 0;
    const char *key;
    void *v;
    *out = (reconcile_stats_t){
        .messages = rc->messages, .keys = idset_count(rc->ids), .memory = idset_memory(rc->ids)};
    while (idset_next(rc->ids, &pos, &key, &v))
        out->live += ((const key_state_t *)v)->live;
}

int reconcile_next_vanished(const reconcile_t *rc, size_t *pos, const char **id, int64_t *version)
{
    void *v;
    while (idset_next(rc->ids, pos, id, &v)) {
        const key_state_t *ks = v;
        if (ks->live && !ks->seen) {
            if (version)
                *version = ks->version;
            return 1;
        }
    }
    return 0;
}

int reconcile_next_stray(const reconcile_t *rc, size_t *pos, const char **key)
{
    void *v;
    while (rc->strays && idset_next(rc->strays, pos, key, &v)) {
        const key_state_t *ks = v, *id = find(rc, *key);
        if (ks->live && !(id && id->served))
            return 1;
    }
    return 0;
}
