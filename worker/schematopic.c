/*
 * schematopic.c - see schematopic.h.
 */
#include "schematopic.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "avsc.h"
#include "errstr.h"
#include "fnv1a.h"
#include "isotime.h"
#include "kafka_client.h"
#include "kafka_meta.h"
#include "log.h"
#include "topics.h"

#define META_TIMEOUT_MS  5000
#define READ_TIMEOUT_MS  10000
#define MAX_SCHEMA_BYTES (1024 * 1024)
#define MAX_PARTITIONS   256  /* read at once; the producer creates 1 */
#define MISSING_MAX      1024 /* fingerprints known missing, at most */

typedef struct entry {
    uint64_t fp;
    char *json;     /* the latest value: the one events are read with */
    char **earlier; /* the other values read under the key, oldest first */
    size_t n_earlier;
} entry_t;

typedef struct position {
    int32_t partition;
    int64_t next; /* the next offset to read; -1: from the beginning */
    int64_t seen; /* offsets below were read before (a whole reread's
                     again): a bad message there was warned about */
    /* the last message read: its offset, timestamp and key's digest
     * (last_offset -1: none), to tell a topic made again at the same ends */
    int64_t last_offset, last_ts;
    uint64_t last_key;
} position_t;

typedef struct schema_topic {
    rd_kafka_t *rk;
    char topic[256];
    entry_t *entries;
    size_t n_entries;
    position_t *pos;
    size_t n_pos;
    /* the partitions' ends at the last pending(), as one digest; and at
     * the end of the last whole reread (reread()) */
    uint64_t ends_sig, reread_sig;
    int rereading; /* a whole reread under way: its positions go on */
    /* fingerprints found nowhere in the topic state ends_sig was when
     * they were looked up (missing_sig): not looked for again in it */
    uint64_t missing[MISSING_MAX], missing_sig;
    size_t n_missing;
} schema_topic_t;

static entry_t *find(schema_topic_t *st, uint64_t fp)
{
    for (size_t i = 0; i < st->n_entries; i++)
        if (st->entries[i].fp == fp)
            return &st->entries[i];
    return NULL;
}

static position_t *position_of(schema_topic_t *st, int32_t partition)
{
    for (size_t i = 0; i < st->n_pos; i++)
        if (st->pos[i].partition == partition)
            return &st->pos[i];
    position_t *grown = realloc(st->pos, (st->n_pos + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    st->pos = grown;
    st->pos[st->n_pos] = (position_t){partition, -1, 0, -1, 0, 0};
    return &st->pos[st->n_pos++];
}

/* A later value of e's key: it wins, as compaction would have it, and
 * the one it replaces is kept aside, once, for the comparison at start
 * (an older build published another meaning under one key, and events
 * were written under each). Takes json. */
static void replace(entry_t *e, char *json)
{
    if (!strcmp(e->json, json)) { /* each producer run publishes it again */
        free(json);
        return;
    }
    for (size_t i = 0; i < e->n_earlier; i++)
        if (!strcmp(e->earlier[i], e->json)) {
            free(e->json);
            e->json = json;
            return;
        }
    char **grown = realloc(e->earlier, (e->n_earlier + 1) * sizeof(*grown));
    if (!grown) { /* the latest still wins; only the comparison misses it */
        free(e->json);
        e->json = json;
        return;
    }
    e->earlier = grown;
    e->earlier[e->n_earlier++] = e->json;
    e->json = json;
}

/* One message of the topic: checked, then kept (the latest value of a
 * key wins, as compaction would have it; see replace()). quiet: read
 * before, its warning given then. */
static void take(schema_topic_t *st, const rd_kafka_message_t *m, int quiet)
{
    if (!m->payload)
        return; /* a tombstone: nothing to learn */
    if (m->key_len != 16 || m->len > MAX_SCHEMA_BYTES) {
        if (!quiet)
            log_warn("schema message ignored: its key is not a 16-digit "
                     "fingerprint or it is too large",
                     "topic=%s partition=%" PRId32 " offset=%" PRId64, st->topic, m->partition,
                     m->offset);
        return;
    }
    char key[17];
    memcpy(key, m->key, 16);
    key[16] = '\0';
    uint64_t fp = 0;
    int oom = 0;
    char *json = avsc_keyed_schema(m->key, m->key_len, m->payload, m->len, &fp, &oom);
    if (!json) {
        if (!oom && !quiet)
            log_warn("schema message ignored: its key is not the fingerprint of "
                     "its value",
                     "topic=%s partition=%" PRId32 " offset=%" PRId64 " key=%.16s", st->topic,
                     m->partition, m->offset,
                     strspn(key, "0123456789abcdefABCDEF") == 16 ? key : "-");
        return;
    }
    entry_t *e = find(st, fp);
    if (e) {
        replace(e, json);
        return;
    }
    entry_t *grown = realloc(st->entries, (st->n_entries + 1) * sizeof(*grown));
    if (!grown) {
        free(json);
        return;
    }
    st->entries = grown;
    st->entries[st->n_entries++] = (entry_t){fp, json, NULL, 0};
}

/* The partitions whose end lies past what was read, with their ends:
 * into list (each with its next offset). 0, or -1 with errstr. */
static int pending(schema_topic_t *st, rd_kafka_topic_partition_list_t *list, int64_t *ends,
                   char *errstr, size_t errstr_size)
{
    int32_t *ids = NULL;
    size_t n = 0;
    int rc =
        kafka_topic_partitions(st->rk, st->topic, META_TIMEOUT_MS, &ids, &n, errstr, errstr_size);

    if (rc != 0) {
        free(ids);
        if (rc > 0)
            st->ends_sig = 1;   /* no topic: a state too */
        return rc < 0 ? -1 : 0; /* 1: no such topic, no schema */
    }
    uint64_t sig = 0; /* over each (partition, end), in order */
    for (size_t i = 0; i < n; i++) {
        int64_t lo = 0, hi = 0;
        position_t *p = position_of(st, ids[i]);
        if (!p)
            errstr_set(errstr, errstr_size, "watermarks of %s [%" PRId32 "]: out of memory",
                       st->topic, ids[i]);
        if (!p || kafka_watermarks(st->rk, st->topic, ids[i], META_TIMEOUT_MS, &lo, &hi, errstr,
                                   errstr_size) != 0) {
            free(ids);
            return -1;
        }
        /* an end below what was read: the topic was deleted and made
         * again (an operator making it compacted), and its first
         * messages are new: read from its start, or a schema published
         * there before the worker's restart is never known */
        if (p->next > hi)
            p->seen = 0; /* its bad messages are new ones */
        if (p->next < lo || p->next > hi)
            p->next = lo;
        const uint64_t step[3] = {sig, (uint64_t)(uint32_t)ids[i], (uint64_t)hi};
        sig = fnv1a64(step, sizeof(step));
        if (p->next < hi) {
            if (list->cnt >= MAX_PARTITIONS) {
                errstr_set(errstr, errstr_size,
                           "%s has more than %d "
                           "partitions",
                           st->topic, MAX_PARTITIONS);
                free(ids);
                return -1;
            }
            ends[list->cnt] = hi;
            rd_kafka_topic_partition_list_add(list, st->topic, ids[i])->offset = p->next;
        }
    }
    free(ids);
    st->ends_sig = sig;
    return 0;
}

static void note_last(position_t *p, const rd_kafka_message_t *m)
{
    p->last_offset = m->offset;
    p->last_ts = rd_kafka_message_timestamp(m, NULL);
    p->last_key = fnv1a64(m->key, m->key ? m->key_len : 0);
}

/* Reads every partition of list up to its end (ends[i]). */
static int read_to_ends(schema_topic_t *st, rd_kafka_topic_partition_list_t *list,
                        const int64_t *ends, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_assign(st->rk, list);
    int64_t deadline = isotime_monotonic_ms() + READ_TIMEOUT_MS;
    int left = list->cnt, rc = 0;

    if (err) {
        errstr_set(errstr, errstr_size, "assigning %s: %s", st->topic, rd_kafka_err2str(err));
        return -1;
    }
    while (left > 0) {
        if (isotime_monotonic_ms() >= deadline) {
            errstr_set(errstr, errstr_size, "timed out reading %s", st->topic);
            rc = -1;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(st->rk, 200);
        if (!m)
            continue;
        position_t *p = position_of(st, m->partition);
        int64_t reached = -1;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            reached = m->offset;
        } else if (m->err) {
            char q[600];
            if (m->err != RD_KAFKA_RESP_ERR__TRANSPORT &&
                m->err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
                log_warn("reading the schema topic", "topic=%s error=%s", st->topic,
                         log_quote(q, sizeof(q), rd_kafka_err2str(m->err)));
        } else {
            take(st, m, p && m->offset < p->seen);
            reached = m->offset + 1;
            if (p && reached > p->seen)
                p->seen = reached;
            if (p)
                note_last(p, m);
        }
        if (p && reached >= 0 && reached > p->next) {
            int was_short = 0;
            for (int i = 0; i < list->cnt; i++)
                if (list->elems[i].partition == m->partition)
                    was_short = p->next < ends[i] && reached >= ends[i];
            p->next = reached;
            left -= was_short;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(st->rk, NULL); /* no fetching in the background */
    return rc;
}

/* Reads what is new on the topic. 0, or -1 with errstr. */
static int refresh(schema_topic_t *st, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    if (!list) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int64_t ends[MAX_PARTITIONS];
    int rc = pending(st, list, ends, errstr, errstr_size);
    if (rc == 0 && list->cnt > 0) {
        size_t before = st->n_entries;
        rc = read_to_ends(st, list, ends, errstr, errstr_size);
        if (st->n_entries != before)
            log_info("writer schemas read", "topic=%s new=%zu known=%zu", st->topic,
                     st->n_entries - before, st->n_entries);
    }
    rd_kafka_topic_partition_list_destroy(list);
    return rc;
}

/*
 * Whether each partition's last message read is still where it was, the
 * same (timestamp, key): read again. A topic made again and refilled to
 * the ends of the last whole reread has other messages there. 1 when
 * all are, 0 when one is not, -1 with errstr.
 */
static int last_messages_same(schema_topic_t *st, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    int64_t ends[MAX_PARTITIONS], ts[MAX_PARTITIONS];
    uint64_t key[MAX_PARTITIONS];
    position_t *ps[MAX_PARTITIONS];
    if (!list) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < st->n_pos && list->cnt < MAX_PARTITIONS; i++) {
        position_t *p = &st->pos[i];
        if (p->last_offset < 0 || p->last_offset != p->next - 1)
            continue; /* nothing read there, or not up to its end */
        int k = list->cnt;
        ps[k] = p;
        ts[k] = p->last_ts;
        key[k] = p->last_key;
        ends[k] = p->next;
        p->next = p->last_offset; /* read it again */
        p->last_offset = -1;
        rd_kafka_topic_partition_list_add(list, st->topic, p->partition)->offset = p->next;
    }
    int rc = list->cnt ? read_to_ends(st, list, ends, errstr, errstr_size) : 0, same = 1;
    for (int k = 0; k < list->cnt; k++) {
        position_t *p = ps[k];
        same &= p->last_offset == ends[k] - 1 && p->last_ts == ts[k] && p->last_key == key[k];
        if (p->next < ends[k]) /* not read again (failed): as it was */
            p->next = ends[k];
        if (p->last_offset < 0)
            *p = (position_t){p->partition, p->next, p->seen, ends[k] - 1, ts[k], key[k]};
    }
    rd_kafka_topic_partition_list_destroy(list);
    return rc != 0 ? -1 : same;
}

/*
 * Reads the topic again from its start. A topic deleted and made again,
 * and refilled up to or past where the old one was read, has new first
 * messages that pending() cannot tell from read ones. Once a topic state
 * (its ends, and the last message of each partition: last_messages_same())
 * has been read whole, not again: a flood of events with
 * unknown fingerprints (crafted, garbage) costs one reread, not one each.
 * A reread cut short (READ_TIMEOUT_MS, a slow cluster) goes on from where
 * it got to at the batch's retry, so that it ends.
 */
static int reread(schema_topic_t *st, char *errstr, size_t errstr_size)
{
    if (!st->rereading && st->reread_sig && st->reread_sig == st->ends_sig) {
        int same = last_messages_same(st, errstr, errstr_size);
        if (same != 0)
            return same < 0 ? -1 : 0;
    }
    if (!st->rereading)
        for (size_t i = 0; i < st->n_pos; i++)
            st->pos[i].next = -1;
    st->rereading = 1;
    if (refresh(st, errstr, errstr_size) != 0)
        return -1;
    st->rereading = 0;
    st->reread_sig = st->ends_sig;
    return 0;
}

/* Whether fp was found nowhere in the topic as it is now (same ends):
 * a flood of events with one unknown fingerprint (crafted) costs one
 * look at the topic's last messages, not one each. */
static int known_missing(const schema_topic_t *st, uint64_t fp)
{
    for (size_t i = 0; st->missing_sig == st->ends_sig && i < st->n_missing; i++)
        if (st->missing[i] == fp)
            return 1;
    return 0;
}

static void note_missing(schema_topic_t *st, uint64_t fp)
{
    if (st->missing_sig != st->ends_sig || st->n_missing == MISSING_MAX) {
        st->n_missing = 0; /* another topic state, or full: start over */
        st->missing_sig = st->ends_sig;
    }
    st->missing[st->n_missing++] = fp;
}

static int st_lookup(void *impl, uint64_t fp, char **json_out, char *errstr, size_t errstr_size)
{
    schema_topic_t *st = impl;
    entry_t *e = find(st, fp);

    /* what is new first; a schema still unknown, the whole (small,
     * compacted) topic: an event it cannot decode is dead-lettered */
    if (!e && refresh(st, errstr, errstr_size) != 0)
        return -1;
    if (!(e = find(st, fp)) && !known_missing(st, fp) && reread(st, errstr, errstr_size) != 0)
        return -1;
    if (!(e = find(st, fp))) {
        note_missing(st, fp);
        return 0;
    }
    if (!(*json_out = strdup(e->json))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 1;
}

static int st_each(void *impl, void (*fn)(void *ctx, uint64_t fp, const char *json), void *ctx,
                   char *errstr, size_t errstr_size)
{
    schema_topic_t *st = impl;

    if (refresh(st, errstr, errstr_size) != 0)
        return -1;
    for (size_t i = 0; i < st->n_entries; i++) {
        const entry_t *e = &st->entries[i];
        fn(ctx, e->fp, e->json);
        for (size_t j = 0; j < e->n_earlier; j++)
            fn(ctx, e->fp, e->earlier[j]);
    }
    return 0;
}

static void st_destroy(void *impl)
{
    schema_topic_t *st = impl;

    if (!st)
        return;
    if (st->rk) {
        rd_kafka_consumer_close(st->rk);
        rd_kafka_destroy(st->rk);
    }
    for (size_t i = 0; i < st->n_entries; i++) {
        free(st->entries[i].json);
        for (size_t j = 0; j < st->entries[i].n_earlier; j++)
            free(st->entries[i].earlier[j]);
        free(st->entries[i].earlier);
    }
    free(st->entries);
    free(st->pos);
    free(st);
}

int schematopic_new(const tm_config_t *conf, schema_source_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    schema_topic_t *st = calloc(1, sizeof(*st));
    if (!st) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    topic_schemas(conf, st->topic, sizeof(st->topic));
    /* assign() only: the group is never joined, nothing is committed */
    static const kafka_prop_t props[] = {{"enable.partition.eof", "true"}};
    const kafka_client_opts_t opts = {
        .client_id = "tidemark-worker-schemas",
        .group_id = conf->group_id,
        .manual_offsets = 1,
        .props = props,
        .n_props = sizeof(props) / sizeof(props[0]),
    };
    st->rk = kafka_client_new(conf, RD_KAFKA_CONSUMER, &opts, errstr, errstr_size);
    if (!st->rk) {
        st_destroy(st);
        return -1;
    }
    out->lookup = st_lookup;
    out->each = st_each;
    out->destroy = st_destroy;
    out->impl = st;
    return 0;
}
