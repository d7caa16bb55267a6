/*
 * checkpoint.c - read and write checkpoints on Kafka: one scan of
 * <prefix>.sync-runs into the collector, and the chunks, heads and
 * tombstones of a run (see checkpoint.h for the design).
 */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errstr.h"
#include "idset.h"
#include "isotime.h"
#include "log.h"
#include "topics.h"
#include "topicscan.h"

/*
 * What the reads of <prefix>.sync-runs keep from one to the next: the
 * collector fed every message read so far, and where the reads stand. A
 * follow-mode producer reads the checkpoints at every pass. Read whole
 * each time, the topic cost each pass about 12 µs for every message that
 * compaction had not removed yet (Kafka compacts only closed segments,
 * which segment.ms, 7 days by default, rolls), and every pass writes two
 * run records a stream (as its run starts and as it ends): at
 * poll.interval = 1s, 2 s more a pass after a day. Now a pass reads what
 * is new, and the whole topic again only when it is not where the last
 * read left it (topicscan.h). Kept for one topic and one list of streams
 * (follow mode's passes ask for all of them); a read for another list
 * reads the topic whole into a collector of its own, which is kept
 * instead. What it costs: the candidates' heads and every live chunk of
 * the streams, which a read held anyway while it ran, now held between
 * passes too. Main thread.
 */
static struct {
    checkpoint_collector_t *c;
    char **streams; /* copies: the collector borrows them */
    size_t n;
    char topic[512];
    topicscan_marks_t marks;
    long long handed; /* messages the last read handed to take(), for the log */
    int whole;        /* whether it read the topic whole */
} kept;

void checkpoint_read_close(void)
{
    checkpoint_collector_destroy(kept.c);
    for (size_t i = 0; i < kept.n; i++)
        free(kept.streams[i]);
    free(kept.streams);
    topicscan_marks_clear(&kept.marks);
    kept.c = NULL;
    kept.streams = NULL;
    kept.n = 0;
    kept.topic[0] = '\0';
}

static int kept_fits(const char *topic, const char *const *streams, size_t n)
{
    if (!kept.c || n != kept.n || strcmp(topic, kept.topic) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(streams[i], kept.streams[i]) != 0)
            return 0;
    return 1;
}

/* A fresh collector for streams, kept in place of the last one: 0, or -1
 * on ENOMEM. */
static int kept_start(const char *topic, const char *const *streams, size_t n)
{
    checkpoint_read_close();
    snprintf(kept.topic, sizeof(kept.topic), "%s", topic);
    if (!(kept.streams = calloc(n ? n : 1, sizeof(*kept.streams))))
        return -1;
    for (; kept.n < n; kept.n++)
        if (!(kept.streams[kept.n] = strdup(streams[kept.n])))
            return -1;
    kept.c = checkpoint_collector_new((const char *const *)kept.streams, n);
    return kept.c ? 0 : -1;
}

static int take(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    kept.handed++;
    if (checkpoint_collect(opaque, m->key, m->key_len, m->payload, m->len, m->partition, m->offset,
                           rd_kafka_message_timestamp(m, NULL)) != 0) {
        errstr_set(errstr, errstr_size, "out of memory reading checkpoints");
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

/* Feeds the kept collector what the topic holds past the kept marks (all
 * of it after kept_start()), or, when the topic is not where the last
 * read left it, the whole topic into a fresh one. 0, or -1 with errstr. */
static int read_on(const tm_config_t *conf, const char *topic, const char *const *streams, size_t n,
                   char *errstr, size_t errstr_size)
{
    char q[600];
    kept.whole = !kept.marks.valid || kept.marks.n == 0; /* n 0: the topic was not there */
    int rc = topicscan_read_on(conf, topic, &kept.marks, take, kept.c, errstr, errstr_size);
    if (rc == TOPICSCAN_MOVED) {
        log_info("reading the checkpoints anew: the topic is not where the last read left it, "
                 "or went back under this one",
                 "topic=%s reason=%s", topic, log_quote(q, sizeof(q), errstr));
        if (kept_start(topic, streams, n) != 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            return PRODUCER_FAILED;
        }
        kept.whole = 1;
        kept.handed = 0;
        rc = topicscan_read_on(conf, topic, &kept.marks, take, kept.c, errstr, errstr_size);
    }
    return rc == 0 ? PRODUCER_OK : PRODUCER_FAILED;
}

int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size)
{
    char topic[512];
    topic_sync_runs(conf, topic, sizeof(topic));
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (!kept_fits(topic, streams, n) && kept_start(topic, streams, n) != 0) {
        checkpoint_read_close();
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    int64_t t0 = isotime_monotonic_ms();
    kept.handed = 0;
    if (read_on(conf, topic, streams, n, errstr, errstr_size) != 0) {
        checkpoint_read_close(); /* a read cut short: what it added is not all */
        return PRODUCER_FAILED;
    }
    log_debug("checkpoints read", "topic=%s read=%s messages=%lld duration_ms=%lld", topic,
              kept.whole ? "whole" : "new", kept.handed, (long long)(isotime_monotonic_ms() - t0));
    for (size_t i = 0; i < n; i++) {
        if (checkpoint_collector_pick(kept.c, i, &out[i]) != 0) {
            for (size_t j = 0; j < i; j++) {
                run_record_destroy(out[j]);
                out[j] = NULL;
            }
            errstr_set(errstr, errstr_size, "out of memory");
            return PRODUCER_FAILED;
        }
    }
    return PRODUCER_OK;
}

/* ---- writing -------------------------------------------------------- */

int checkpoint_write(publisher_t *pub, const char *topic, const run_record_t *rr, char *errstr,
                     size_t errstr_size)
{
    char *json = run_record_to_json(rr);
    if (!json) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    size_t len = strlen(json), max_message = publisher_max_message_bytes(pub),
           max = checkpoint_head_max(max_message);
    if (len > max) {
        errstr_set(errstr, errstr_size,
                   "run record of %zu bytes, over the %zu a checkpoint may take with "
                   "message.max.bytes = %zu (%zu chunks of ids at the HWM): raise [kafka] "
                   "message.max.bytes, and the topic's max.message.bytes, to hold the HWM's ties",
                   len, max, max_message, rr->hwm.n_chunks + rr->deleted_hwm.n_chunks);
        free(json);
        return PRODUCER_FAILED;
    }
    pub_delivery_t d = {0};
    int rc = publisher_produce(pub, topic, rr->stream, json, len, NULL, 0, &d, errstr, errstr_size);
    free(json);
    /* Only this record's own report decides: the caller flushed and checked
     * the events before it (and a failed-run record must still go out). */
    if (rc == 0) {
        char ferr[256];
        int frc = publisher_flush(pub, ferr, sizeof(ferr)); /* settles d in any case */
        (void)frc;
    }
    if (rc == 0 && (!d.done || d.err)) {
        errstr_set(errstr, errstr_size, "run record to %s: %s", topic,
                   d.done ? rd_kafka_err2str(d.err) : "no delivery report");
        rc = PRODUCER_FAILED;
    }
    return rc;
}

/* Produces the chunks and waits until each one is acknowledged. */
static int write_chunks(publisher_t *pub, const char *topic, const checkpoint_chunks_t *cs,
                        char *errstr, size_t errstr_size)
{
    pub_delivery_t *d = calloc(cs->n, sizeof(*d));
    if (!d) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    int rc = 0;
    size_t sent = 0;
    for (; sent < cs->n && rc == 0; sent++)
        rc = publisher_produce(pub, topic, cs->items[sent].ref.key, cs->items[sent].value,
                               (size_t)cs->items[sent].ref.bytes, NULL, 0, &d[sent], errstr,
                               errstr_size);
    char ferr[256];
    int frc = publisher_flush(pub, ferr, sizeof(ferr)); /* settles every d */
    (void)frc;
    for (size_t i = 0; rc == 0 && i < sent; i++) {
        if (!d[i].done || d[i].err) {
            errstr_set(errstr, errstr_size, "checkpoint chunk %s to %s: %s", cs->items[i].ref.key,
                       topic, d[i].done ? rd_kafka_err2str(d[i].err) : "no delivery report");
            rc = PRODUCER_FAILED;
        }
    }
    free(d);
    return rc;
}

int checkpoint_prepare(publisher_t *pub, const char *topic, const char *stream, const char *run_id,
                       unsigned *seq, hwm_tracker_t *t, run_hwm_t *head, char *errstr,
                       size_t errstr_size)
{
    checkpoint_chunks_t cs;
    memset(head, 0, sizeof(*head));
    checkpoint_sizes_t sizes = checkpoint_sizes(publisher_max_message_bytes(pub));
    if (checkpoint_plan(t, &sizes, stream, run_id, seq, &cs, errstr, errstr_size) != 0)
        return PRODUCER_FAILED;
    int rc = 0;
    if (cs.n > 0) {
        size_t bytes = 0, ids = 0;
        for (size_t i = 0; i < cs.n; i++) {
            bytes += (size_t)cs.items[i].ref.bytes;
            ids += (size_t)cs.items[i].ref.ids;
        }
        rc = write_chunks(pub, topic, &cs, errstr, errstr_size);
        run_chunk_ref_t *refs = rc == 0 ? calloc(cs.n, sizeof(*refs)) : NULL;
        if (rc == 0) {
            for (size_t i = 0; refs && i < cs.n; i++)
                refs[i] = cs.items[i].ref; /* shallow: chunked() copies them */
            if (!refs || hwm_tracker_chunked(t, refs, cs.n, cs.replace) != 0) {
                errstr_set(errstr, errstr_size, "out of memory");
                rc = PRODUCER_FAILED;
            }
            free(refs);
        }
        if (rc == 0)
            log_info("checkpoint chunks written",
                     "stream=%s run_id=%s chunks=%zu ids=%zu bytes=%zu rewrite=%s "
                     "chunks_in_set=%zu ids_in_set=%zu",
                     stream, run_id, cs.n, ids, bytes, cs.replace ? "true" : "false", t->n_chunks,
                     hwm_tracker_count(t));
    }
    checkpoint_chunks_clear(&cs);
    if (rc == 0 && checkpoint_head_view(t, head) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        rc = PRODUCER_FAILED;
    }
    return rc;
}

static int drop(publisher_t *pub, const char *topic, const char *key, char *errstr,
                size_t errstr_size)
{
    return publisher_produce(pub, topic, key, NULL, 0, NULL, 0, NULL, errstr, errstr_size);
}

int checkpoint_drop_unused(publisher_t *pub, const char *topic, const run_hwm_t *old,
                           const run_hwm_t *cur, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < old->n_chunks; i++) {
        int used = 0;
        for (size_t j = 0; cur && !used && j < cur->n_chunks; j++)
            used = strcmp(old->chunks[i].key, cur->chunks[j].key) == 0;
        if (!used && drop(pub, topic, old->chunks[i].key, errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

int checkpoint_drop_keys(publisher_t *pub, const char *topic, char *const *keys, size_t n,
                         char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < n; i++)
        if (drop(pub, topic, keys[i], errstr, errstr_size) != 0)
            return PRODUCER_FAILED;
    return PRODUCER_OK;
}

int checkpoint_write_abandoned(publisher_t *pub, const char *topic, const run_record_t *cp,
                               const char *by, char *errstr, size_t errstr_size)
{
    run_record_t rr = *cp; /* borrowed: only serialized */
    rr.status = RUN_STATUS_FAILED;
    rr.finished_at_ms = isotime_now_ms();
    rr.error = (char *)"abandoned: its producer stopped before the run ended (killed or "
                       "crashed); a later run resumed from its last checkpoint";
    if (checkpoint_write(pub, topic, &rr, errstr, errstr_size) != 0)
        return -1;
    log_warn("the last run did not end: marked failed", "stream=%s run_id=%s by=%s", cp->stream,
             cp->run_id, by);
    return 0;
}
