/*
 * consumer.c - see consumer.h.
 */
#include "errstr.h"
#include "consumer_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "backoff.h"
#include "isotime.h"
#include "kafka_client.h"
#include "log.h"
#include "strbuf.h"

assigned_tp_t *consumer_find_tp(const consumer_t *c, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < c->n_tps; i++)
        if (c->tps[i].partition == partition && !strcmp(c->tps[i].topic, topic))
            return &c->tps[i];
    return NULL;
}

static void remove_tp(consumer_t *c, const char *topic, int32_t partition)
{
    assigned_tp_t *tp = consumer_find_tp(c, topic, partition);

    if (!tp)
        return;
    c->db.forget(c->db.ctx, topic, partition);
    free(tp->topic);
    *tp = c->tps[--c->n_tps];
}

static void clear_tps(consumer_t *c)
{
    if (c->n_tps > 0)
        c->db.forget(c->db.ctx, NULL, 0);
    while (c->n_tps > 0)
        free(c->tps[--c->n_tps].topic);
}

static int add_tp(consumer_t *c, const char *topic, int32_t partition, const placement_t *pl)
{
    assigned_tp_t *tp = consumer_find_tp(c, topic, partition), *ntps;

    if (!tp) {
        ntps = realloc(c->tps, (c->n_tps + 1) * sizeof(*ntps));
        if (!ntps)
            return -1;
        c->tps = ntps;
        tp = &c->tps[c->n_tps];
        if (!(tp->topic = strdup(topic)))
            return -1;
        tp->partition = partition;
        c->n_tps++;
    }
    if (c->db.set_expected(c->db.ctx, topic, partition, pl->expected) < 0)
        return -1;
    tp->floor = pl->start >= 0 ? pl->start : -1;
    tp->placed_at = pl->expected < 0 && !pl->stuck ? tp->floor : -1;
    tp->stuck = pl->stuck;
    tp->held = 0;
    consumer_tp_moved(tp);
    tp->restart_at = RESTART_NONE;
    return 0;
}

/* Pauses (paused != 0) or resumes one partition's fetcher. */
void consumer_set_paused(consumer_t *c, const char *topic, int32_t partition, int paused)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);

    rd_kafka_topic_partition_list_add(l, topic, partition);
    rd_kafka_resp_err_t err =
        paused ? rd_kafka_pause_partitions(c->rk, l) : rd_kafka_resume_partitions(c->rk, l);
    /* The call fails as a whole, or one partition on its own. A partition
     * librdkafka has not made yet has no fetcher to resume: it starts
     * unpaused. */
    if (!err && (paused || l->elems[0].err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION))
        err = l->elems[0].err;
    if (err)
        log_warn(paused ? "cannot pause the partition" : "cannot resume the partition",
                 "topic=%s partition=%" PRId32 " error=%s", topic, partition,
                 rd_kafka_err2name(err));
    rd_kafka_topic_partition_list_destroy(l);
}

static void log_partitions(const char *msg, const rd_kafka_topic_partition_list_t *parts)
{
    strbuf_t sb;

    strbuf_init(&sb);
    for (int i = 0; i < parts->cnt; i++)
        strbuf_appendf(&sb, "%s%s:%" PRId32, i ? "," : "", parts->elems[i].topic,
                       parts->elems[i].partition);
    char *s = strbuf_take(&sb);
    log_info(msg, "partitions=%s", s && *s ? s : "none");
    free(s);
}

/*
 * A pause survives in librdkafka across assignments, so each assigned
 * partition is set as its stuck flag says: resumed before the assignment
 * starts its fetcher (stuck = 0), paused after (stuck = 1). Never resumed after: each pause or
 * resume makes the partition's fetch state newer, and a start offset
 * being looked up then (BEGINNING, a fresh group's partitions) comes back
 * outdated and is asked again only after librdkafka's offset query
 * backoff: no message for half a second.
 */
static void set_pauses(consumer_t *c, const rd_kafka_topic_partition_list_t *parts, int stuck)
{
    for (int i = 0; parts && i < parts->cnt; i++) {
        const assigned_tp_t *tp =
            consumer_find_tp(c, parts->elems[i].topic, parts->elems[i].partition);

        if (tp && tp->stuck == stuck)
            consumer_set_paused(c, tp->topic, tp->partition, stuck);
    }
}

/*
 * Commits to Kafka the stored offsets of the partitions just assigned
 * (parts, each at its start; those without a stored offset, or stuck,
 * left out). Kafka's group offsets only serve lag tools, and the worker
 * commits them after each batch; but a member thrown out of the group
 * (PostgreSQL held a batch past max.poll.interval.ms) has that commit
 * refused, and on a quiet stream nothing would commit again: the tools
 * would show a lag that is not there. Asynchronous: commit_cb hears how
 * it went.
 */
static void commit_assigned(consumer_t *c, rd_kafka_t *rk,
                            const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; list && i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        const assigned_tp_t *tp = consumer_find_tp(c, p->topic, p->partition);
        if (tp && !tp->stuck && p->offset >= 0)
            rd_kafka_topic_partition_list_add(list, p->topic, p->partition)->offset = p->offset;
    }
    if (list && list->cnt > 0) {
        (void)consumer_commit_mark(list);
        rd_kafka_commit(rk, list, 1);
    }
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
}

static void on_assign(consumer_t *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int coop)
{
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int ok = c->db.load(c->db.ctx) == 0;

    if (ok) /* before placing, which stores a row for a partition without */
        consumer_warn_kafka_ahead(c, rk, parts);
    for (int i = 0; ok && i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        placement_t pl;

        consumer_place(c, p->topic, p->partition, c->db.stored(c->db.ctx, p->topic, p->partition),
                       &pl);
        p->offset = pl.start;
        if (add_tp(c, p->topic, p->partition, &pl) < 0)
            ok = 0;
    }
    if (!ok) {
        /* stopping (or out of memory): take nothing, so that no batch is
         * read from a position the database did not give */
        log_error("partitions not taken: stored offsets unavailable", "partitions=%d", parts->cnt);
        for (int i = 0; i < parts->cnt; i++)
            remove_tp(c, parts->elems[i].topic, parts->elems[i].partition);
        parts = NULL;
    }
    if (ok)
        log_partitions("partitions assigned", parts);
    set_pauses(c, parts, 0);
    if (coop)
        error = parts ? rd_kafka_incremental_assign(rk, parts) : NULL;
    else
        err = rd_kafka_assign(rk, parts);
    if (error) {
        log_error("incremental assign failed", "error=%s",
                  rd_kafka_err2name(rd_kafka_error_code(error)));
        rd_kafka_error_destroy(error);
    } else if (err) {
        log_error("assign failed", "error=%s", rd_kafka_err2name(err));
    } else if (parts) {
        commit_assigned(c, rk, parts);
    }
    set_pauses(c, parts, 1);
}

static void on_revoke(consumer_t *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int coop)
{
    rd_kafka_error_t *error = NULL;

    if (c->hooks.before_revoke)
        c->hooks.before_revoke(c->hooks.ctx, !coop);
    log_partitions("partitions revoked", parts);
    if (coop) {
        for (int i = 0; i < parts->cnt; i++)
            remove_tp(c, parts->elems[i].topic, parts->elems[i].partition);
        error = rd_kafka_incremental_unassign(rk, parts);
    } else {
        clear_tps(c);
        rd_kafka_assign(rk, NULL);
    }
    if (error) {
        log_error("incremental unassign failed", "error=%s",
                  rd_kafka_err2name(rd_kafka_error_code(error)));
        rd_kafka_error_destroy(error);
    }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    consumer_t *c = opaque;
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");

    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        on_assign(c, rk, parts, coop);
    else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        on_revoke(c, rk, parts, coop);
    else {
        log_error("rebalance failed", "error=%s", rd_kafka_err2name(err));
        clear_tps(c);
        rd_kafka_assign(rk, NULL);
    }
}

static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    (void)offsets;
    (void)opaque;
    /* Kafka's group offsets only serve lag tools; the database is the
     * truth, so a failed commit is not an error of the worker. */
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        log_debug("kafka offset commit failed", "error=%s", rd_kafka_err2name(err));
}

consumer_t *consumer_new(const tm_config_t *conf, const consumer_hooks_t *hooks,
                         const consumer_offsets_t *offsets, char *errstr, size_t errstr_size)
{
    consumer_t *c = calloc(1, sizeof(*c));

    if (!c) {
        errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    c->db = *offsets;
    c->conf = conf;
    c->oor = conf->offset_out_of_range;
    c->group_id = conf->group_id;
    if (hooks)
        c->hooks = *hooks;
    /* never a silent jump: consumer_poll() handles the error; the end of
     * a partition is an event, for consumer_caught_up() */
    static const kafka_prop_t props[] = {{"auto.offset.reset", "error"},
                                         {"enable.partition.eof", "true"}};
    /* flat memory whatever the backlog: librdkafka prefetches up to 64 MiB
     * and 100000 messages a partition by default (its fetch.max.bytes
     * follows the first unless set); a subscribed topic that does not
     * exist yet (a stream just added, its topic made by the producer's
     * first run) is looked for again at each metadata refresh, every 5
     * minutes by default: 10 s. [kafka] may say otherwise */
    static const kafka_prop_t defaults[] = {{"queued.max.messages.kbytes", "4096"},
                                            {"queued.min.messages", "20000"},
                                            {"topic.metadata.refresh.interval.ms", "10000"}};
    const kafka_client_opts_t opts = {
        .defaults = defaults,
        .n_defaults = sizeof(defaults) / sizeof(defaults[0]),
        .client_id = "tidemark-worker",
        .group_id = conf->group_id,
        .manual_offsets = 1,
        .props = props,
        .n_props = sizeof(props) / sizeof(props[0]),
        .opaque = c,
        .rebalance_cb = rebalance_cb,
        .offset_commit_cb = commit_cb,
    };
    c->rk = kafka_client_new(conf, RD_KAFKA_CONSUMER, &opts, errstr, errstr_size);
    if (!c->rk) {
        free(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);
    c->wake = fetchwake_start(c->rk);
    if (!c->wake)
        log_warn("no thread to wake the Kafka fetchers; they wake by themselves", "thread=%s",
                 "fetchwake");
    return c;
}

int consumer_is_coop(const consumer_t *c)
{
    return !strcmp(rd_kafka_rebalance_protocol(c->rk), "COOPERATIVE");
}

/*
 * Takes a handle on each topic so that librdkafka knows its partitions,
 * and hands each to its leader's broker thread, from the first metadata
 * on, long before the group assigns them. Without it the partitions are
 * made when assigned, and one whose broker thread has not yet taken it
 * when its start offset is looked up has "no current leader": librdkafka
 * asks again only 500 ms later. That is how a worker sat idle for the
 * first half second of about one run in four, on every broker. A handle that
 * cannot be had is only slower.
 */
static void hold_topics(consumer_t *c, const char *const *topics, size_t n)
{
    if (!(c->topics = calloc(n, sizeof(*c->topics))))
        return;
    for (size_t i = 0; i < n; i++)
        if ((c->topics[c->n_topics] = rd_kafka_topic_new(c->rk, topics[i], NULL)))
            c->n_topics++;
}

static void release_topics(consumer_t *c)
{
    while (c->n_topics > 0)
        rd_kafka_topic_destroy(c->topics[--c->n_topics]);
    free(c->topics);
    c->topics = NULL;
}

int consumer_subscribe(consumer_t *c, const char *const *topics, size_t n, char *errstr,
                       size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);

    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        errstr_set(errstr, errstr_size, "subscribe: %s", rd_kafka_err2str(err));
        return -1;
    }
    if (!c->topics)
        hold_topics(c, topics, n);
    return 0;
}

/* An end-of-partition event: where the fetcher found the partition's end
 * (not one fetched before a seek). */
static void note_end(consumer_t *c, const rd_kafka_message_t *m)
{
    assigned_tp_t *tp =
        m->rkt ? consumer_find_tp(c, rd_kafka_topic_name(m->rkt), m->partition) : NULL;

    if (tp && (tp->floor < 0 || m->offset >= tp->floor))
        tp->end_at = m->offset;
}

/* Tells hooks.refused what now stands. */
static void refusals_changed(consumer_t *c)
{
    char why[512];

    refusals_describe(&c->refusals, why, sizeof(why));
    if (c->hooks.refused)
        c->hooks.refused(c->hooks.ctx, why);
}

/* A message or end of partition of topic arrived: Kafka lets us read it. */
static void topic_readable(consumer_t *c, const char *topic)
{
    if (c->refusals.n > 0 && refusals_clear(&c->refusals, topic)) {
        log_info("Kafka serves the topic again", "topic=%s", topic);
        refusals_changed(c);
    }
}

/* The topic an error event is about: its topic handle, or for a
 * subscribed topic librdkafka cannot see the one its message names
 * ("Subscribed topic not available: TOPIC: ..."); NULL when none. The
 * name is copied into buf. */
static const char *error_topic(const rd_kafka_message_t *m, char *buf, size_t size)
{
    static const char prefix[] = "Subscribed topic not available: ";

    if (m->rkt)
        return rd_kafka_topic_name(m->rkt);
    const char *what = rd_kafka_message_errstr(m), *end;
    if (!what || strncmp(what, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    what += sizeof(prefix) - 1;
    if (!(end = strstr(what, ": ")) || end == what || (size_t)(end - what) >= size)
        return NULL;
    memcpy(buf, what, (size_t)(end - what));
    buf[end - what] = '\0';
    return buf;
}

/* A refusal by ACL of a topic: remembered (refusals.h) until the topic
 * is read again, since librdkafka says it only once. */
static void note_refusal(consumer_t *c, const rd_kafka_message_t *m, const char *topic)
{
    int changed = refusals_note(&c->refusals, topic, rd_kafka_err2name(m->err),
                                rd_kafka_message_errstr(m), isotime_monotonic_ms());
    if (changed < 0)
        log_warn("cannot remember the refusal", "topic=%s error=\"out of memory\"", topic);
    else if (changed)
        refusals_changed(c);
}

/* Repeats the warning about each refused topic, about once a minute:
 * librdkafka retries them in silence. */
static void warn_refusals(consumer_t *c)
{
    if (!refusals_due(&c->refusals, isotime_monotonic_ms()))
        return;
    for (size_t i = 0; i < c->refusals.n; i++) {
        const refusal_t *f = &c->refusals.items[i];
        char q[1100];
        log_warn("Kafka still refuses the topic; nothing of it is applied until its ACL allows it",
                 "topic=%s error=%s detail=%s", f->topic, f->error,
                 log_quote(q, sizeof(q), f->what));
    }
}

/* Handles an error event from the consumer queue. */
static void on_error_message(consumer_t *c, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (m->rkt)
            topic_readable(c, rd_kafka_topic_name(m->rkt));
        note_end(c, m);
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        char errstr[512];
        char q[600];
        rd_kafka_resp_err_t ferr = rd_kafka_fatal_error(c->rk, errstr, sizeof(errstr));
        /* a copied configuration: the other process took this one's place */
        log_error(ferr == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID
                      ? "another consumer joined the group with this worker's [kafka] "
                        "group.instance.id and took its place: give each worker its own"
                      : "fatal consumer error",
                  "error=%s reason=%s", rd_kafka_err2name(ferr), log_quote(q, sizeof(q), errstr));
        c->failed = 1;
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET && m->rkt) {
        consumer_on_offset_reset(c, rd_kafka_topic_name(m->rkt), m->partition, m->offset);
        return;
    }
    char name[256];
    const char *topic = error_topic(m, name, sizeof(name));
    if (topic && kafka_err_is_refusal(m->err))
        note_refusal(c, m, topic);
    log_warn(rd_kafka_message_errstr(m), "error=%s topic=%s partition=%" PRId32,
             rd_kafka_err2name(m->err), m->rkt ? rd_kafka_topic_name(m->rkt) : "-", m->partition);
}

/* Wakes the fetchers of the assigned partitions when librdkafka's queue
 * runs low (fetchwake.h). */
static void wake_fetchers(consumer_t *c)
{
    if (c->n_tps == 0 || !fetchwake_wanted(c->wake))
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->n_tps);
    for (size_t i = 0; i < c->n_tps; i++)
        if (!c->tps[i].stuck && !c->tps[i].held)
            rd_kafka_topic_partition_list_add(l, c->tps[i].topic, c->tps[i].partition)->offset =
                RD_KAFKA_OFFSET_END;
    fetchwake_poke(c->wake, l);
}

/* The most events and dropped messages one consumer_poll() handles
 * without returning: a queue of them is read through, not ended early. */
#define POLL_SKIPS_MAX 256

rd_kafka_message_t *consumer_poll(consumer_t *c, int timeout_ms)
{
    wake_fetchers(c);
    warn_refusals(c);
    for (int i = 0; i < POLL_SKIPS_MAX; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, i ? 0 : timeout_ms);

        if (!m)
            return NULL;
        if (m->err) {
            on_error_message(c, m);
            rd_kafka_message_destroy(m);
            continue;
        }
        topic_readable(c, rd_kafka_topic_name(m->rkt));
        assigned_tp_t *tp = consumer_find_tp(c, rd_kafka_topic_name(m->rkt), m->partition);
        if (!tp || tp->stuck || tp->held || (tp->floor >= 0 && m->offset < tp->floor)) {
            /* not ours any more, not applied (stuck, held), or fetched
             * before a seek */
            rd_kafka_message_destroy(m);
            continue;
        }
        tp->next = m->offset + 1;
        fetchwake_note(c->wake, m->len + m->key_len);
        return m;
    }
    return NULL;
}

/* Whether tp has been polled to where its last fetch found the end: the
 * high watermark librdkafka keeps (no request), reached by the messages
 * polled or by an end-of-partition event (a partition that ends in a
 * transaction marker has no message at high watermark - 1). An open
 * transaction's end lies below the high watermark: not caught up, and
 * the batch waits as long as it may. */
static int tp_caught_up(const consumer_t *c, const assigned_tp_t *tp)
{
    int64_t low, high, reached = tp->next > tp->end_at ? tp->next : tp->end_at;

    if (tp->stuck || tp->held)
        return 1;
    return reached >= 0 &&
           rd_kafka_get_watermark_offsets(c->rk, tp->topic, tp->partition, &low, &high) ==
               RD_KAFKA_RESP_ERR_NO_ERROR &&
           high >= 0 && reached >= high;
}

int consumer_caught_up(const consumer_t *c)
{
    for (size_t i = 0; i < c->n_tps; i++)
        if (!tp_caught_up(c, &c->tps[i]))
            return 0;
    return c->n_tps > 0;
}

int consumer_failed(const consumer_t *c)
{
    return c->failed;
}

int consumer_commit_mark(rd_kafka_topic_partition_list_t *l)
{
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *p = &l->elems[i];
        free(p->metadata); /* the list frees what it holds with free() */
        p->metadata = strdup(CONSUMER_COMMIT_METADATA);
        p->metadata_size = p->metadata ? strlen(CONSUMER_COMMIT_METADATA) : 0;
        if (!p->metadata)
            return -1;
    }
    return 0;
}

void consumer_commit_async(consumer_t *c, const rd_kafka_topic_partition_list_t *offsets)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(offsets);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__FAIL;

    if (l) {
        (void)consumer_commit_mark(l); /* unmarked, only a warning may follow */
        err = rd_kafka_commit(c->rk, l, 1);
        rd_kafka_topic_partition_list_destroy(l);
    }
    if (err)
        log_debug("kafka offset commit not sent", "error=%s", rd_kafka_err2name(err));
}

size_t consumer_n_stuck(const consumer_t *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n_tps; i++)
        n += c->tps[i].stuck != 0;
    return n;
}

char *consumer_stuck_json(const consumer_t *c)
{
    json_t *a = json_array();
    char *text = NULL;
    int bad = !a;

    for (size_t i = 0; !bad && i < c->n_tps; i++) {
        if (!c->tps[i].stuck && !c->tps[i].held)
            continue;
        char p[16];
        snprintf(p, sizeof(p), "%" PRId32, c->tps[i].partition);
        bad = json_array_append_new(
                  a, json_pack("{s:s, s:s}", "topic", c->tps[i].topic, "partition", p)) < 0;
    }
    if (!bad)
        text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

int64_t consumer_expected_offset(const consumer_t *c, const char *topic, int32_t partition)
{
    const assigned_tp_t *tp = consumer_find_tp(c, topic, partition);
    int64_t expected = tp ? consumer_tp_expected(c, tp) : -1;
    return expected >= 0 ? expected : -1;
}

int consumer_has_topic(const consumer_t *c, const char *topic)
{
    for (size_t i = 0; i < c->n_tps; i++)
        if (!strcmp(c->tps[i].topic, topic))
            return 1;
    return 0;
}

int consumer_topic_caught_up(const consumer_t *c, const char *topic)
{
    int any = 0;

    for (size_t i = 0; i < c->n_tps; i++) {
        const assigned_tp_t *tp = &c->tps[i];

        if (strcmp(tp->topic, topic) != 0)
            continue;
        if (tp->held || !tp_caught_up(c, tp))
            return 0;
        any = 1;
    }
    return any;
}

size_t consumer_n_assigned(const consumer_t *c)
{
    return c->n_tps;
}

rd_kafka_t *consumer_handle(const consumer_t *c)
{
    return c->rk;
}

/* How long the worker waits for rd_kafka_destroy at exit (see below). */
#define DESTROY_WAIT_MS 10000

typedef struct destroyer {
    rd_kafka_t *rk;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} destroyer_t;

static void *destroy_thread(void *arg)
{
    destroyer_t *d = arg;
    rd_kafka_destroy(d->rk);
    pthread_mutex_lock(&d->lock);
    d->done = 1;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

/*
 * rd_kafka_destroy of a group consumer can hang for ever in librdkafka 2.0
 * (Debian 12's) once a partition's topic went away and came back: a
 * partition reference is leaked and a broker thread never ends
 * (confluentinc/librdkafka#4674). By then rd_kafka_consumer_close has
 * committed and left the group, and the process is about to exit: a
 * destroy that has not finished in DESTROY_WAIT_MS is abandoned (logged)
 * rather than keeping the worker from stopping. Its thread and state are
 * left to the exit.
 */
void consumer_destroy_client(rd_kafka_t *rk)
{
    destroyer_t *d = calloc(1, sizeof(*d));
    if (!d) {
        rd_kafka_destroy(rk);
        return;
    }
    d->rk = rk;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, destroy_thread, d) != 0) {
        rd_kafka_destroy(rk);
        pthread_cond_destroy(&d->cond);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DESTROY_WAIT_MS / 1000;
    pthread_mutex_lock(&d->lock);
    while (!d->done && pthread_cond_timedwait(&d->cond, &d->lock, &until) == 0)
        ;
    int done = d->done;
    pthread_mutex_unlock(&d->lock);
    if (!done) {
        pthread_detach(th);
        log_warn("the Kafka client did not finish shutting down; exiting without it",
                 "wait_ms=%d known_issue=librdkafka#4674", DESTROY_WAIT_MS);
        return; /* d is still the thread's: left to the exit */
    }
    pthread_join(th, NULL);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void consumer_close(consumer_t *c)
{
    if (!c || c->closed)
        return;
    c->closed = 1;
    fetchwake_stop(c->wake); /* its requests use the client */
    c->wake = NULL;
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
    if (err)
        log_warn("consumer close failed", "error=%s", rd_kafka_err2name(err));
}

void consumer_close_destroy(consumer_t *c)
{
    if (!c)
        return;
    consumer_close(c);
    release_topics(c); /* before the client: they are its */
    consumer_destroy_client(c->rk);
    if (c->probe)
        consumer_destroy_client(c->probe);
    clear_tps(c);
    free(c->tps);
    refusals_free(&c->refusals);
    free(c);
}
