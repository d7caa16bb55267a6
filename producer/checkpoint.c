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

static int take(const rd_kafka_message_t *m, void *opaque, char *errstr, size_t errstr_size)
{
    if (checkpoint_collect(opaque, m->key, m->key_len, m->payload, m->len, m->partition, m->offset,
                           rd_kafka_message_timestamp(m, NULL)) != 0) {
        errstr_set(errstr, errstr_size, "out of memory reading checkpoints");
        return PRODUCER_FAILED;
    }
    return PRODUCER_OK;
}

int checkpoint_read(const tm_config_t *conf, const char *const *streams, size_t n,
                    run_record_t **out, char *errstr, size_t errstr_size)
{
    char topic[512];
    topic_sync_runs(conf, topic, sizeof(topic));
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    checkpoint_collector_t *c = checkpoint_collector_new(streams, n);
    if (!c) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PRODUCER_FAILED;
    }
    int rc = topicscan_read(conf, topic, take, c, errstr, errstr_size);
    for (size_t i = 0; rc == 0 && i < n; i++)
        out[i] = checkpoint_collector_take(c, i);
    checkpoint_collector_destroy(c);
    return rc;
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
