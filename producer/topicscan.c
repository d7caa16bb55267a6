/*
 * topicscan.c - read a topic from low to high watermark (see topicscan.h).
 */
#include "errstr.h"
#include "topicscan.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fnv1a.h"
#include "isotime.h"
#include "kafka_client.h"
#include "kafka_meta.h"
#include "random.h"
#include "signals.h"

#define META_TIMEOUT_MS 10000
#define POLL_MS         200
#define CLIENT_ID       "tidemark-producer-reader"

/*
 * The two consumers every scan uses, made by the first one and kept until
 * topicscan_close() or a scan that fails. A pair made and destroyed for
 * each scan was two consumers for every pass of a follow-mode producer
 * (its checkpoints, its schemas), each connecting anew to the brokers it
 * read from, and each rd_kafka_destroy() a chance at librdkafka 2.0's
 * race at destroy (confluentinc/librdkafka#3608: a broker's last
 * reference, let go on another thread, aborts the process with
 * "Assertion `thrd_is_current(rkb->rkb_thread)' failed"). It did abort a
 * producer in the middle of a run. Main thread only.
 */
static struct {
    /* plans each scan (plan()): it reads every message, so its watermarks
     * are the high ones. A reader of committed messages is answered the
     * last stable offsets, and a transaction held open would go unnoticed */
    rd_kafka_t *planner;
    rd_kafka_t *reader; /* committed messages only: what a scan reads */
} scan;

/* The errors rd_kafka_poll() serves from a reader's main queue:
 * librdkafka logged each (log_cb) as it happened, and what fails a scan
 * reaches it through the calls it makes and drain(). */
static void error_said(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk, (void)err, (void)reason, (void)opaque;
}

/* A consumer that reads committed messages only (committed: 1), or every
 * message: its watermark queries answer the last stable offset, or the
 * high watermark. */
static rd_kafka_t *reader_new(const tm_config_t *conf, int committed, char *errstr,
                              size_t errstr_size)
{
    char group[96];
    snprintf(group, sizeof(group), "%s-%s-%d-%08x", CLIENT_ID, committed ? "c" : "u", (int)getpid(),
             (unsigned)random_u32());
    const kafka_prop_t props[] = {
        {"enable.partition.eof", "true"},
        /* the low watermark moved on (retention) since plan(): go on from the
         * new start; "latest" would jump to the end and report EOF, a scan
         * that silently skipped the partition */
        {"auto.offset.reset", "earliest"},
        /* what the worker and every downstream reader see: an aborted
         * transaction's message (another client's: a failed exactly-once
         * job) never happened, and taken for real it made an aborted
         * tombstone hide a vanished record and an aborted run record the
         * checkpoint. librdkafka reports a partition's end at its last
         * stable offset; below the planned stop, the scan waits there for
         * the open transaction to end (ended_short(), drain()). */
        {"isolation.level", committed ? "read_committed" : "read_uncommitted"},
        /* a fetch at a partition's end waits this long at the broker for
         * more, and a broker may answer a connection's requests in order:
         * the next scan's first request (its topic's leaders) waited
         * behind the last scan's fetch, for librdkafka's 500 ms, or for
         * what [kafka] set for the worker (20 s made a follow pass every
         * 20 s on the embedded broker: t_follow_fetch_wait). A scan reads
         * to an end it knows; it has nothing to wait for */
        {"fetch.wait.max.ms", "50"},
    };
    /* the prefetch the worker keeps (4 MiB, not librdkafka's 64): a scan of
     * a long <prefix>.sync-runs history or a full run's topic took the
     * producer from 15 to 99 MiB while it held a few KiB. [kafka] may say
     * otherwise */
    static const kafka_prop_t defaults[] = {
        {"queued.max.messages.kbytes", "4096"},
    };
    const kafka_client_opts_t opts = {
        .client_id = CLIENT_ID,
        .group_id = group,
        .manual_offsets = 1,
        .props = props,
        .n_props = sizeof(props) / sizeof(props[0]),
        .defaults = defaults,
        .n_defaults = sizeof(defaults) / sizeof(defaults[0]),
        .error_cb = error_said,
    };
    return kafka_client_new(conf, RD_KAFKA_CONSUMER, &opts, errstr, errstr_size);
}

/* Another name for "the cluster does not know the topic" from plan(). */
#define PLAN_UNKNOWN 2

/* A partition of one read: where it stops, what the last read left there
 * and what this one leaves. */
typedef struct part {
    const topicscan_mark_t *was; /* the last read's mark, or NULL */
    int check;                   /* the first message read must be was's last one */
    topicscan_mark_t now;        /* this read's mark */
} part_t;

/* One read: the partitions it reads from their start offset to their
 * high watermark (each element's opaque is that watermark, the offset
 * after the last one to read: never 0, since NULL means "done"), and
 * every partition of the topic. */
typedef struct plan {
    rd_kafka_topic_partition_list_t *list;
    part_t *parts;
    size_t n_parts;
} plan_t;

static void plan_clear(plan_t *pl)
{
    if (pl->list)
        rd_kafka_topic_partition_list_destroy(pl->list);
    free(pl->parts);
    *pl = (plan_t){0};
}

int64_t topicscan_start(const topicscan_mark_t *m, int64_t lo, int64_t hi)
{
    if (!m || m->last_offset < 0) /* nothing handed there: nothing to hand twice */
        return lo;
    /* fewer messages than the last read saw (it may have been handed some
     * past its stop, read while other partitions were still to finish) */
    if (hi < m->next || hi <= m->last_offset)
        return -1;
    return lo > m->last_offset ? -1 : m->last_offset; /* removed before read again */
}

/* A message's key as a mark keeps it: 0 for none, the length mixed in. */
static uint64_t key_sum(const void *key, size_t key_len)
{
    return key ? fnv1a64(key, key_len) ^ key_len : 0;
}

int topicscan_mark_matches(const topicscan_mark_t *m, int64_t offset, int64_t ts, const void *key,
                           size_t key_len)
{
    return offset == m->last_offset && ts == m->last_ts && key_sum(key, key_len) == m->last_key_sum;
}

static void mark_last(topicscan_mark_t *m, const rd_kafka_message_t *msg)
{
    m->last_offset = msg->offset;
    m->last_ts = rd_kafka_message_timestamp(msg, NULL);
    m->last_key_sum = key_sum(msg->key, msg->key_len);
}

static const topicscan_mark_t *mark_of(const topicscan_marks_t *marks, int32_t partition)
{
    for (size_t i = 0; marks && marks->valid && i < marks->n; i++)
        if (marks->v[i].partition == partition)
            return &marks->v[i];
    return NULL;
}

/* Whether every partition marks names is among ids[0..n). */
static int marked_partitions_there(const topicscan_marks_t *marks, const int32_t *ids, size_t n,
                                   int32_t *gone)
{
    for (size_t i = 0; marks && marks->valid && i < marks->n; i++) {
        size_t j = 0;
        while (j < n && ids[j] != marks->v[i].partition)
            j++;
        if (j == n) {
            *gone = marks->v[i].partition;
            return 0;
        }
    }
    return 1;
}

/* Plans the read of partition id, holding [lo, hi), after its mark in
 * marks. 0, or TOPICSCAN_MOVED with errstr. */
static int plan_partition(plan_t *pl, const char *topic, int32_t id, int64_t lo, int64_t hi,
                          const topicscan_marks_t *marks, char *errstr, size_t errstr_size)
{
    part_t *p = &pl->parts[pl->n_parts++];
    p->was = mark_of(marks, id);
    p->now =
        p->was ? *p->was : (topicscan_mark_t){.partition = id, .last_offset = -1, .last_ts = -1};
    p->now.next = hi;
    int64_t start = topicscan_start(p->was, lo, hi);
    if (start < 0) {
        errstr_set(errstr, errstr_size,
                   "%s partition %" PRId32 " holds offsets %" PRId64 " to %" PRId64
                   ", and the last read went to %" PRId64 " (its last message at %" PRId64 ")",
                   topic, id, lo, hi, p->was->next, p->was->last_offset);
        return TOPICSCAN_MOVED;
    }
    p->check = p->was && p->was->last_offset >= 0;
    if (hi > start) {
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(pl->list, topic, id);
        tp->offset = start;
        /* remember where to stop: hi, not hi - 1, which is 0 (NULL,
         * "done") for a partition holding one message at offset 0 */
        tp->opaque = (void *)(intptr_t)hi;
    }
    return 0;
}

/*
 * What a read of topic after marks (NULL, or not valid: everything) is to
 * read, into *pl (plan_clear). Returns 0, PLAN_UNKNOWN with nothing to
 * read for a topic the cluster does not know (and never marked),
 * TOPICSCAN_MOVED or -1 with errstr.
 */
static int plan(rd_kafka_t *rk, const char *topic, const topicscan_marks_t *marks, plan_t *pl,
                char *errstr, size_t errstr_size)
{
    int32_t *ids, gone;
    size_t n;
    *pl = (plan_t){0};
    int rc = kafka_topic_partitions(rk, topic, META_TIMEOUT_MS, &ids, &n, errstr, errstr_size);
    if (rc < 0)
        return -1;
    int unknown = rc == 1; /* read as empty: there is nothing to read yet */
    rc = 0;
    if (!marked_partitions_there(marks, ids, n, &gone)) {
        if (unknown)
            errstr_set(errstr, errstr_size, "%s does not exist any more", topic);
        else
            errstr_set(errstr, errstr_size, "%s has no partition %" PRId32 " any more", topic,
                       gone);
        free(ids);
        return TOPICSCAN_MOVED;
    }
    pl->list = rd_kafka_topic_partition_list_new(n ? (int)n : 1);
    pl->parts = calloc(n ? n : 1, sizeof(*pl->parts));
    if (!pl->parts) {
        errstr_set(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t lo, hi;
        rc = kafka_watermarks(rk, topic, ids[i], META_TIMEOUT_MS, &lo, &hi, errstr, errstr_size);
        if (rc == 0)
            rc = plan_partition(pl, topic, ids[i], lo, hi, marks, errstr, errstr_size);
        else
            rc = -1;
    }
    free(ids);
    if (rc)
        plan_clear(pl);
    return rc ? rc : unknown ? PLAN_UNKNOWN : 0;
}

/* The part of pl that m's partition is. */
static part_t *part_of(plan_t *pl, const rd_kafka_message_t *m)
{
    for (size_t i = 0; i < pl->n_parts; i++)
        if (pl->parts[i].now.partition == m->partition)
            return &pl->parts[i];
    return NULL;
}

/* m's partition in list while it is still to be read (its stop offset
 * in opaque), or NULL once it is done. */
static rd_kafka_topic_partition_t *pending_of(const rd_kafka_topic_partition_list_t *list,
                                              const rd_kafka_message_t *m)
{
    for (int i = 0; i < list->cnt; i++)
        if (list->elems[i].partition == m->partition && list->elems[i].opaque)
            return &list->elems[i];
    return NULL;
}

static int64_t stop_of(const rd_kafka_topic_partition_t *tp)
{
    return (int64_t)(intptr_t)tp->opaque;
}

/* Marks m's partition done when m is at (or past) its stop offset, or is
 * its EOF. Returns how many partitions this finished (0 or 1). */
static int settle(rd_kafka_topic_partition_list_t *list, const rd_kafka_message_t *m, int eof)
{
    rd_kafka_topic_partition_t *tp = pending_of(list, m);
    if (!tp || (!eof && m->offset + 1 < stop_of(tp)))
        return 0;
    tp->opaque = NULL; /* done */
    return 1;
}

/*
 * Whether a partition's end (m, its EOF) lies below its stop offset, for
 * a reader of committed messages: the last stable offset, behind which
 * another client's transaction is still open. What follows it (this
 * producer's own events among them) cannot be read yet, and a scan
 * without it would take ids for gone that are not, or a checkpoint for
 * the latest that is not. The scan waits: the end moves on when the
 * transaction ends (an exactly-once job commits every few seconds). 1 with
 * why set, or 0.
 */
static int ended_short(const rd_kafka_topic_partition_list_t *list, const rd_kafka_message_t *m,
                       char *why, size_t why_size)
{
    const rd_kafka_topic_partition_t *tp = pending_of(list, m);
    if (!tp || m->offset >= stop_of(tp))
        return 0;
    errstr_set(why, why_size,
               "%s partition %" PRId32 " can be read only to offset %" PRId64 " of %" PRId64
               ": another client's transaction is open there, and what follows it cannot "
               "be read until it ends",
               tp->topic, m->partition, m->offset, stop_of(tp));
    return 1;
}

/* m, a message of p's partition: handed to fn, or, when it is to be the
 * last read's last message, checked against it. 0, TOPICSCAN_MOVED or
 * fn's -1, with errstr. */
static int take_message(part_t *p, const char *topic, const rd_kafka_message_t *m, topicscan_fn fn,
                        void *opaque, char *errstr, size_t errstr_size)
{
    int rc = 0;
    if (p && !p->check && m->offset <= p->now.last_offset) {
        /* read again from an earlier offset (librdkafka's reset to the
         * earliest after an offset out of range: the log was cut): handed
         * twice, a head would push older ones out of the collector, and in
         * a whole read an older message of a key would stand as its
         * latest (keylatest.c) or be counted again */
        errstr_set(errstr, errstr_size,
                   "%s partition %" PRId32 ": offset %" PRId64 " was read again, after %" PRId64,
                   topic, m->partition, m->offset, p->now.last_offset);
        return TOPICSCAN_MOVED;
    }
    if (p && p->check) {
        p->check = 0;
        if (!topicscan_mark_matches(p->was, m->offset, rd_kafka_message_timestamp(m, NULL), m->key,
                                    m->key_len)) {
            if (m->offset == p->was->last_offset)
                errstr_set(errstr, errstr_size,
                           "%s partition %" PRId32 ": offset %" PRId64
                           " holds another message than the last one read there before",
                           topic, m->partition, m->offset);
            else
                errstr_set(errstr, errstr_size,
                           "%s partition %" PRId32 ": the last message read before, at offset "
                           "%" PRId64 ", is gone (the next one is at %" PRId64 ")",
                           topic, m->partition, p->was->last_offset, m->offset);
            rc = TOPICSCAN_MOVED;
        }
    } else {
        rc = fn(m, opaque, errstr, errstr_size);
    }
    if (p)
        mark_last(&p->now, m);
    return rc;
}

/* Reads every assigned partition (pl->list) up to its stop offset. */
static int drain(rd_kafka_t *rk, plan_t *pl, topicscan_fn fn, void *opaque, char *errstr,
                 size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = pl->list;
    const char *topic = list->elems[0].topic;
    int left = list->cnt, rc = 0;
    int64_t deadline = isotime_monotonic_ms() + TOPICSCAN_IDLE_TIMEOUT_MS;
    char held[512] = "";     /* the last end a transaction held back */
    char last_err[256] = ""; /* the last error, for the timeout's message */
    while (left > 0 && rc == 0) {
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted while reading %s", topic);
            return -1;
        }
        if (isotime_monotonic_ms() > deadline) {
            if (held[0])
                errstr_set(errstr, errstr_size, "%s (waited %d s)", held,
                           TOPICSCAN_IDLE_TIMEOUT_MS / 1000);
            else
                errstr_set(errstr, errstr_size, "timed out reading %s (%d partitions left%s%s)",
                           topic, left, last_err[0] ? "; the last error: " : "", last_err);
            return -1;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, POLL_MS);
        if (!m)
            continue;
        if (m->rkt && strcmp(rd_kafka_topic_name(m->rkt), topic) != 0) {
            /* an earlier scan's (librdkafka drops what an assign() ended;
             * partitions are matched by number below, so not relied on) */
            rd_kafka_message_destroy(m);
            continue;
        }
        /* progress only: a broker that keeps failing, or a transaction
         * that stays open, must not keep the scan alive past the idle
         * timeout */
        int short_end =
            m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && ended_short(list, m, held, sizeof(held));
        if (!m->err || (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && !short_end))
            deadline = isotime_monotonic_ms() + TOPICSCAN_IDLE_TIMEOUT_MS;
        if (short_end) {
            /* not done: its end moves on when the transaction ends */
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            const part_t *p = part_of(pl, m);
            if (p && p->check && pending_of(list, m)) {
                /* its end, and the last read's last message not seen */
                errstr_set(errstr, errstr_size,
                           "%s partition %" PRId32 ": the last message read before, at offset "
                           "%" PRId64 ", is gone",
                           topic, m->partition, p->was->last_offset);
                rc = TOPICSCAN_MOVED;
            }
            left -= settle(list, m, 1);
        } else if (m->err) {
            /* transient errors are retried by librdkafka; a fatal one ends,
             * and so does a refusal (an ACL), which librdkafka says once:
             * the scan would time out 30 s later naming no cause */
            errstr_set(errstr, errstr_size, "reading %s: %s", topic, rd_kafka_message_errstr(m));
            snprintf(last_err, sizeof(last_err), "%s", rd_kafka_message_errstr(m));
            rc = rd_kafka_fatal_error(rk, NULL, 0) || kafka_err_is_refusal(m->err) ? -1 : 0;
        } else {
            rc = take_message(part_of(pl, m), topic, m, fn, opaque, errstr, errstr_size);
            left -= settle(list, m, 0);
        }
        rd_kafka_message_destroy(m);
    }
    return rc;
}

/*
 * Closes a reader. Its throw-away group.id (which assign() needs) makes
 * librdkafka connect to the group coordinator too, and a reader closed
 * while that connection is in its SASL handshake had librdkafka log an
 * "SASL authentication error" at error level on a run that went well:
 * false alarms about credentials. Whatever the reader needed is read, so
 * what librdkafka says while it closes is left below critical.
 */
static void reader_destroy(rd_kafka_t *rk)
{
    if (!rk)
        return;
    rd_kafka_set_log_level(rk, 2); /* syslog's LOG_CRIT */
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

void topicscan_close(void)
{
    reader_destroy(scan.planner);
    reader_destroy(scan.reader);
    scan.planner = scan.reader = NULL;
}

/* The pair of consumers, made if need be: 0, or -1 with errstr. */
static int scan_open(const tm_config_t *conf, char *errstr, size_t errstr_size)
{
    if (!scan.planner && !(scan.planner = reader_new(conf, 0, errstr, errstr_size)))
        return -1;
    if (!scan.reader && !(scan.reader = reader_new(conf, 1, errstr, errstr_size)))
        return -1;
    /* the events librdkafka queued on their main queues since the last
     * scan (an error for each broker that went down, a throttle report
     * for each throttled answer): consumer_poll() serves another queue,
     * and a pair kept for weeks would hold every one of them */
    rd_kafka_poll(scan.planner, 0);
    rd_kafka_poll(scan.reader, 0);
    return 0;
}

/* Reads the planned partitions (a non-empty list) with the reader, which
 * is left with none assigned: a reader kept between scans would
 * otherwise go on fetching, and holding, what nobody reads. */
static int read_planned(plan_t *pl, topicscan_fn fn, void *opaque, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = pl->list;
    /* The reader learns the topic's partition leaders first. A new client
     * asks for them as it connects; a kept one, assigned a topic it has
     * not read before, waited for librdkafka's once-a-second look at
     * topics it knows nothing of: most of a second a scan. */
    int32_t *ids;
    size_t n;
    if (kafka_topic_partitions(scan.reader, list->elems[0].topic, META_TIMEOUT_MS, &ids, &n, errstr,
                               errstr_size) < 0)
        return -1;
    free(ids);
    rd_kafka_resp_err_t err = rd_kafka_assign(scan.reader, list);
    if (err) {
        errstr_set(errstr, errstr_size, "assign %s: %s", list->elems[0].topic,
                   rd_kafka_err2str(err));
        return -1;
    }
    int rc = drain(scan.reader, pl, fn, opaque, errstr, errstr_size);
    err = rd_kafka_assign(scan.reader, NULL);
    if (err && rc == 0) {
        errstr_set(errstr, errstr_size, "unassign %s: %s", list->elems[0].topic,
                   rd_kafka_err2str(err));
        rc = -1;
    }
    return rc;
}

void topicscan_marks_clear(topicscan_marks_t *marks)
{
    free(marks->v);
    *marks = (topicscan_marks_t){0};
}

/* The marks a read of pl that went well leaves: 0, or -1 on ENOMEM. */
static int marks_set(topicscan_marks_t *marks, const plan_t *pl)
{
    topicscan_mark_t *v = malloc((pl->n_parts ? pl->n_parts : 1) * sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < pl->n_parts; i++)
        v[i] = pl->parts[i].now;
    free(marks->v);
    *marks = (topicscan_marks_t){.v = v, .n = pl->n_parts, .valid = 1};
    return 0;
}

int topicscan_read_on(const tm_config_t *conf, const char *topic, topicscan_marks_t *marks,
                      topicscan_fn fn, void *opaque, char *errstr, size_t errstr_size)
{
    plan_t pl = {0};
    int rc = scan_open(conf, errstr, errstr_size), unknown = 0;
    if (rc == 0) {
        rc = plan(scan.planner, topic, marks, &pl, errstr, errstr_size);
        unknown = rc == PLAN_UNKNOWN;
        rc = unknown ? 0 : rc;
    }
    if (rc == 0 && pl.list->cnt > 0)
        rc = read_planned(&pl, fn, opaque, errstr, errstr_size);
    if (rc == 0 && marks_set(marks, &pl) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    if (rc != 0)
        topicscan_marks_clear(marks);
    plan_clear(&pl);
    /* A failed scan's consumers go: librdkafka says a refusal (an ACL)
     * once per client, and a fatal error stays with it; the next scan's
     * fresh pair says what is wrong again. So do they after a topic the
     * cluster does not know: librdkafka 2.0 keeps a topic it was asked
     * about, and asks the cluster about one without partitions every
     * second for as long as the client lives. A read that found the
     * topic moved did not fail: its caller reads it again at once. */
    if ((rc != 0 && rc != TOPICSCAN_MOVED) || unknown)
        topicscan_close();
    return rc;
}

int topicscan_read(const tm_config_t *conf, const char *topic, topicscan_fn fn, void *opaque,
                   char *errstr, size_t errstr_size)
{
    topicscan_marks_t marks = {0};
    int rc = topicscan_read_on(conf, topic, &marks, fn, opaque, errstr, errstr_size);
    topicscan_marks_clear(&marks);
    return rc ? -1 : 0; /* no marks, nothing to have moved: never TOPICSCAN_MOVED */
}
