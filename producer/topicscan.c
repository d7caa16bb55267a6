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
    };
    /* the prefetch the worker keeps (4 MiB, not librdkafka's 64): a scan of
     * a long <prefix>.sync-runs history or a full run's topic took the
     * producer from 15 to 99 MiB while it held a few KiB. [kafka] may say
     * otherwise */
    static const kafka_prop_t defaults[] = {
        {"queued.max.messages.kbytes", "4096"},
        /* a fetch at a partition's end waits this long at the broker for
         * more, and a broker answers a connection's requests in order:
         * the next scan's first request (its topic's leaders) waited
         * behind the last scan's fetch for librdkafka's 500 ms */
        {"fetch.wait.max.ms", "50"},
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

/*
 * The partitions of topic with their [low, high) range into *list (only
 * non-empty ones; each element's opaque is its high watermark, the offset
 * after the last one to read: never 0, since NULL means "done").
 * Returns 0, or 1 with an empty list for a topic the cluster does not
 * know, or -1.
 */
static int plan(rd_kafka_t *rk, const char *topic, rd_kafka_topic_partition_list_t **list,
                char *errstr, size_t errstr_size)
{
    int32_t *ids;
    size_t n;
    int rc = kafka_topic_partitions(rk, topic, META_TIMEOUT_MS, &ids, &n, errstr, errstr_size);
    if (rc < 0) {
        *list = NULL;
        return -1;
    }
    if (rc == 1) {
        *list = rd_kafka_topic_partition_list_new(1);
        return 1;
    }
    *list = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t lo, hi;
        if (kafka_watermarks(rk, topic, ids[i], META_TIMEOUT_MS, &lo, &hi, errstr, errstr_size) !=
            0) {
            rc = -1;
        } else if (hi > lo) {
            rd_kafka_topic_partition_t *tp =
                rd_kafka_topic_partition_list_add(*list, topic, ids[i]);
            tp->offset = lo;
            /* remember where to stop: hi, not hi - 1, which is 0 (NULL,
             * "done") for a partition holding one message at offset 0 */
            tp->opaque = (void *)(intptr_t)hi;
        }
    }
    free(ids);
    if (rc) {
        rd_kafka_topic_partition_list_destroy(*list);
        *list = NULL;
    }
    return rc;
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

/* Reads every assigned partition up to its stop offset. */
static int drain(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list, topicscan_fn fn,
                 void *opaque, char *errstr, size_t errstr_size)
{
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
            left -= settle(list, m, 1);
        } else if (m->err) {
            /* transient errors are retried by librdkafka; a fatal one ends,
             * and so does a refusal (an ACL), which librdkafka says once:
             * the scan would time out 30 s later naming no cause */
            errstr_set(errstr, errstr_size, "reading %s: %s", topic, rd_kafka_message_errstr(m));
            snprintf(last_err, sizeof(last_err), "%s", rd_kafka_message_errstr(m));
            rc = rd_kafka_fatal_error(rk, NULL, 0) || kafka_err_is_refusal(m->err) ? -1 : 0;
        } else {
            rc = fn(m, opaque, errstr, errstr_size);
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
static int read_planned(rd_kafka_topic_partition_list_t *list, topicscan_fn fn, void *opaque,
                        char *errstr, size_t errstr_size)
{
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
    int rc = drain(scan.reader, list, fn, opaque, errstr, errstr_size);
    err = rd_kafka_assign(scan.reader, NULL);
    if (err && rc == 0) {
        errstr_set(errstr, errstr_size, "unassign %s: %s", list->elems[0].topic,
                   rd_kafka_err2str(err));
        rc = -1;
    }
    return rc;
}

int topicscan_read(const tm_config_t *conf, const char *topic, topicscan_fn fn, void *opaque,
                   char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = NULL;
    int rc = scan_open(conf, errstr, errstr_size), unknown = 0;
    if (rc == 0) {
        rc = plan(scan.planner, topic, &list, errstr, errstr_size);
        unknown = rc == 1;
        rc = unknown ? 0 : rc;
    }
    if (rc == 0 && list->cnt > 0)
        rc = read_planned(list, fn, opaque, errstr, errstr_size);
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
    /* A failed scan's consumers go: librdkafka says a refusal (an ACL)
     * once per client, and a fatal error stays with it; the next scan's
     * fresh pair says what is wrong again. So do they after a topic the
     * cluster does not know: librdkafka 2.0 keeps a topic it was asked
     * about, and asks the cluster about one without partitions every
     * second for as long as the client lives. */
    if (rc != 0 || unknown)
        topicscan_close();
    return rc;
}
