/*
 * run.c - one run of one stream (see run.h).
 *
 * The tracker (hwm.h) is the HWM this run has reached: the largest
 * cursor published and the ids + digests at its bucket. `durable` is the
 * HWM the last written run record holds, as written (inline ids and chunk
 * references, checkpoint.h). A run record may only hold a HWM below which
 * every record was published: the tracker once its walk is over (held
 * at the walk's start when the pages are not in cursor order, see
 * hold_at_walk_start()) or, during a walk, when the pages come in cursor
 * order; else the durable one. A failed run writes the best such HWM
 * Kafka acknowledged, so a crash or failure re-publishes and never skips.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hwm.h"
#include "checkpoint.h"
#include "dlq_send.h"
#include "errstr.h"
#include "http.h"
#include "isotime.h"
#include "jsonnum.h"
#include "log.h"
#include "random.h"
#include "heldeletes.h"
#include "idset.h"
#include "keylatest.h"
#include "reconcile.h"
#include "schemapub.h"
#include "signals.h"
#include "source.h"
#include "topics.h"

typedef struct run {
    const tm_config_t *conf;
    const stream_conf_t *sc;
    envelope_schema_t *es;
    publisher_t *pub;
    const run_record_t *cp;
    int allow_mass_delete; /* --allow-mass-delete */
    http_client_t *hc;
    char topic[512], dlq_topic[512], runs_topic[512];
    char run_id[128];
    int full;
    int resumed; /* a full run going on from a progress checkpoint */
    int64_t started_at, last_full_at;
    hwm_tracker_t tracker, del_tracker; /* reached by this run */
    run_hwm_t durable, del_durable;     /* in the last run record written */
    unsigned chunk_seq;                 /* numbers this run's checkpoint chunks */
    int stale_dropped;                  /* cp->stale_chunks tombstoned */
    int64_t fetched, published, deletes, skipped, failed;
    int64_t vanished; /* of deletes: found by reconciliation */
    int64_t since_progress;
    int records_done;     /* every page of the records endpoint handled */
    int deletes_done;     /* ... and of the deleted endpoint (or none) */
    int fetch_complete;   /* the records walk ended by its end rule */
    int64_t unidentified; /* records dead-lettered for want of an id */
    idset_t *dlq_digests; /* digests of records dead-lettered without a
                           * cursor this run (each once a run) */
    int progress_off_logged;
    int reconciled;        /* a full run's reconciliation is done */
    heldeletes_t *held;    /* the deleted endpoint's, until the records walk */
    int64_t stale_deletes; /* held deletions older than a version served */
    int walk_has_since;    /* where the records walk started */
    int64_t walk_since;
    int has_max_cursor;    /* once the records walk is over: */
    int64_t max_cursor;    /* the largest cursor published (outrank()) */
    reconcile_t *recon;    /* full runs: the ids Kafka holds */
    run_record_t *written; /* copy of the last record written */
} run_t;

void run_make_id(const char *stream, int64_t now_ms, char *buf, size_t size)
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, size, "%s-%s-%08x", stream, when, (unsigned)random_u32());
}

/*
 * Whether this run, written with status, is the full sync that
 * full_sync.every waits for. A full run that reconciled counts even when
 * its deleted endpoint failed: else a deleted endpoint that fails for good
 * would make every later run a full one, publishing every record again. A
 * resumed full run reconciles nothing (it did not walk every record), so
 * it counts only when it finishes the first load: before that no record
 * was ever published, so there was nothing to reconcile.
 */
static int counts_as_full(const run_t *r, run_status_t status)
{
    if (!r->full || (r->resumed && r->last_full_at != 0))
        return 0;
    return status == RUN_STATUS_COMPLETED || r->reconciled;
}

/* Writes a run record with the given hwm/status; on success remembers a copy. */
static int write_record(run_t *r, run_status_t status, const run_hwm_t *hwm, const run_hwm_t *del,
                        const char *error, char *errstr, size_t errstr_size)
{
    run_record_t rr = {0};
    rr.stream = r->sc->name;
    rr.run_id = r->run_id;
    rr.mode = r->full ? RUN_MODE_FULL : RUN_MODE_INCREMENTAL;
    rr.status = status;
    rr.hwm = *hwm; /* borrowed: rr is only serialized, never destroyed */
    rr.deleted_hwm = *del;
    rr.records = r->published;
    rr.deletes = r->deletes;
    rr.failed_records = r->failed;
    rr.started_at_ms = r->started_at;
    rr.finished_at_ms = status == RUN_STATUS_RUNNING ? 0 : isotime_now_ms();
    /* A full run that reconciled counts as one even when its deleted
     * endpoint failed: else a deleted endpoint that fails for good would
     * make every later run a full one, publishing every record again. */
    rr.last_full_at_ms = counts_as_full(r, status) ? r->started_at : r->last_full_at;
    rr.error = (char *)error;
    if (publisher_end_offsets(r->pub, r->topic, &rr.end_offsets, &rr.n_end_offsets) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = checkpoint_write(r->pub, r->runs_topic, &rr, errstr, errstr_size);
    if (rc == 0 && !r->stale_dropped && r->cp) {
        /* chunks no head uses (a crash between chunk writes, an older
         * set): only tidy-up, so a failure here is only logged */
        char derr[256];
        r->stale_dropped = 1;
        if (checkpoint_drop_keys(r->pub, r->runs_topic, r->cp->stale_chunks, r->cp->n_stale_chunks,
                                 derr, sizeof derr) != 0)
            log_warn("stale checkpoint chunks not dropped", "stream=%s error=\"%s\"", r->sc->name,
                     derr);
    }
    if (rc == 0) {
        char *json = run_record_to_json(&rr);
        char e[128];
        run_record_t *copy = json ? run_record_from_json(json, strlen(json), e, sizeof e) : NULL;
        free(json);
        if (copy) {
            run_record_destroy(r->written);
            r->written = copy;
        }
    }
    free(rr.end_offsets);
    return rc;
}

/*
 * What a run record may hold for one side: the tracker when use_tracker
 * (its chunks written first, checkpoint.h), else a copy of the durable
 * HWM. *head is zeroed first; the caller run_hwm_clear()s it.
 */
static int head_of(run_t *r, int use_tracker, hwm_tracker_t *t, const run_hwm_t *durable,
                   run_hwm_t *head, char *errstr, size_t errstr_size)
{
    if (use_tracker)
        return checkpoint_prepare(r->pub, r->runs_topic, r->sc->name, r->run_id, &r->chunk_seq, t,
                                  head, errstr, errstr_size);
    if (run_hwm_copy(head, durable) != 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

/*
 * Writes a checkpoint (run record with status and error) whose HWMs are
 * the trackers' where records/deletes say so, else the durable ones: the
 * chunks it needs, then the run record. Only after both does it become the
 * durable HWM; then the chunks the previous one used and this one does not
 * are dropped. Its cost follows what changed since the last one, not the
 * size of the id set. The caller has flushed the events it covers.
 */
static int write_checkpoint(run_t *r, run_status_t status, int records, int deletes,
                            const char *error, char *errstr, size_t errstr_size)
{
    run_hwm_t head = {0}, del = {0};
    int rc = head_of(r, records, &r->tracker, &r->durable, &head, errstr, errstr_size);
    if (rc == 0)
        rc = head_of(r, deletes, &r->del_tracker, &r->del_durable, &del, errstr, errstr_size);
    if (rc == 0)
        rc = write_record(r, status, &head, &del, error, errstr, errstr_size);
    if (rc != 0) {
        run_hwm_clear(&head);
        run_hwm_clear(&del);
        return -1;
    }
    /* the old chunks are only tidied up: a failure is only logged */
    char derr[256];
    if (checkpoint_drop_unused(r->pub, r->runs_topic, &r->durable, &head, derr, sizeof derr) != 0 ||
        checkpoint_drop_unused(r->pub, r->runs_topic, &r->del_durable, &del, derr, sizeof derr) !=
            0)
        log_warn("unused checkpoint chunks not dropped", "stream=%s error=\"%s\"", r->sc->name,
                 derr);
    run_hwm_clear(&r->durable);
    run_hwm_clear(&r->del_durable);
    r->durable = head; /* moved */
    r->del_durable = del;
    r->since_progress = 0;
    return 0;
}

/* Flushes, then write_checkpoint() (status running or completed). */
static int checkpoint_at(run_t *r, run_status_t status, int records, int deletes, char *errstr,
                         size_t errstr_size)
{
    if (publisher_flush(r->pub, errstr, errstr_size) != 0)
        return -1;
    return write_checkpoint(r, status, records, deletes, NULL, errstr, errstr_size);
}

/* The run's end: both trackers, every walk being over. */
static int checkpoint(run_t *r, run_status_t status, char *errstr, size_t errstr_size)
{
    return checkpoint_at(r, status, 1, 1, errstr, errstr_size);
}

record_id_result_t record_id_read(const json_t *rec, const char *field, char *buf, size_t size)
{
    json_t *v = json_is_object(rec) ? json_object_get(rec, field) : NULL;
    const char *text = NULL;
    size_t len = 0;
    char num[24];
    if (jsonnum_is_integer(v)) {
        text = jsonnum_text(v);
        len = strlen(text);
    } else if (jsonnum_is_string(v) && json_string_length(v) > 0) {
        text = json_string_value(v);
        len = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        text = num;
        len = strlen(num);
    } else {
        return RECORD_ID_MISSING;
    }
    if (len >= size)
        return RECORD_ID_TOO_LONG;
    memcpy(buf, text, len + 1);
    return RECORD_ID_OK;
}

/* The DLQ reason for an id record_id_read() refused (what, "" or
 * "deleted item: ", leads it). */
static void id_refused(const stream_conf_t *sc, record_id_result_t res, const char *what, char *why,
                       size_t size)
{
    if (res == RECORD_ID_TOO_LONG)
        snprintf(why, size, "%sid field '%s': id is longer than %d bytes", what, sc->id_field,
                 IDSET_MAX_KEY);
    else
        snprintf(why, size, "%sid field '%s' is missing or not a string or integer", what,
                 sc->id_field);
}

static int dead_letter(run_t *r, const char *id, const json_t *rec, const char *why,
                       const char *url, char *errstr, size_t errstr_size)
{
    char qid[300], qwhy[600];
    log_warn("record dead-lettered", "stream=%s id=%s error=%s", r->sc->name,
             log_quote(qid, sizeof qid, id ? id : "-"), log_quote(qwhy, sizeof qwhy, why));
    r->failed++;
    return dlq_send(r->pub, r->dlq_topic, id, rec, why, url, errstr, errstr_size);
}

/* A bad item of a page (not valid JSON): its raw bytes and the reason. */
static int dead_letter_raw(run_t *r, const char *id, const jsonpage_bad_t *bad, const char *url,
                           char *errstr, size_t errstr_size)
{
    char qid[300], qwhy[600];
    log_warn("record dead-lettered", "stream=%s id=%s error=%s", r->sc->name,
             log_quote(qid, sizeof qid, id ? id : "-"), log_quote(qwhy, sizeof qwhy, bad->reason));
    r->failed++;
    return dlq_send_raw(r->pub, r->dlq_topic, id, bad->raw, bad->raw_len, bad->reason, url, errstr,
                        errstr_size);
}

/* Encodes and produces one event (+ a tombstone after a delete). */
static int publish(run_t *r, change_op_t op, const char *id, int64_t source_ts, const json_t *rec,
                   const char *url, int *dlqd, char *errstr, size_t errstr_size)
{
    void *buf = NULL;
    size_t len = 0;
    char why[512];
    *dlqd = 0;
    if (envelope_encode(r->es, op, id, source_ts, r->run_id, r->full, isotime_now_ms(),
                        op == CHANGE_OP_UPSERT ? rec : NULL, &buf, &len, why, sizeof why) != 0) {
        *dlqd = 1; /* a per-record error: dead-letter it, the run goes on */
        return dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    const pub_header_t hdrs[] = {
        {"tidemark.op", op == CHANGE_OP_DELETE ? "delete" : "upsert"},
        {"tidemark.run", r->run_id},
    };
    int rc = publisher_produce(r->pub, r->topic, id, buf, len, hdrs, 2, NULL, why, sizeof(why));
    free(buf);
    if (rc == PUBLISHER_TOO_LARGE) {
        /* Kafka will never take it: dead-letter it, or it blocks the
         * stream on every run. */
        *dlqd = 1;
        return dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    if (rc != 0) {
        errstr_set(errstr, errstr_size, "%s", why);
        return -1;
    }
    if (op == CHANGE_OP_DELETE) /* lets compaction drop the key */
        rc = publisher_produce(r->pub, r->topic, id, NULL, 0, hdrs, 2, NULL, errstr, errstr_size);
    return rc;
}

/*
 * Every SYNC_PROGRESS_EVERY events, a `running` record with the HWMs it is
 * safe to resume from. The records' tracker is safe once their walk is
 * over, and during it only when the pages come in cursor order
 * (cursor.sorted): then no record below the largest cursor seen is still
 * to come. Cursor or Link pages in the API's own order (by id, say) prove
 * nothing of the kind: a record with a smaller cursor may be on the next
 * page, and a resume past it would skip it for good. The deleted tracker
 * is safe only once the deleted walk is over (items without deleted_at
 * all carry the walk's clock mark). When neither may move, nothing is
 * written.
 */
static int maybe_progress(run_t *r, char *errstr, size_t errstr_size)
{
    if (++r->since_progress < SYNC_PROGRESS_EVERY)
        return 0;
    int records = r->records_done || r->sc->cursor_sorted;
    if (!records && !r->deletes_done) {
        if (!r->progress_off_logged)
            log_info("no progress checkpoint: the pages are not in cursor order "
                     "(cursor.sorted = false); the HWM moves when the walk is over",
                     "stream=%s run_id=%s", r->sc->name, r->run_id);
        r->progress_off_logged = 1;
        r->since_progress = 0;
        return 0;
    }
    return checkpoint_at(r, RUN_STATUS_RUNNING, records, r->deletes_done, errstr, errstr_size);
}

static int oom(char *errstr, size_t errstr_size)
{
    errstr_set(errstr, errstr_size, "out of memory");
    return -1;
}

/*
 * One record of a page: skipped, published or dead-lettered. bad: the record
 * is a bad item of its page (rec is its lenient stand-in, NULL-safe): it
 * goes to the DLQ as raw bytes, but its id and cursor, when they can be
 * read, still count (reconciliation, the HWM and the skip rule, with a
 * digest of its bytes), so that the next run does not dead-letter it again.
 */
static int handle_record(run_t *r, const json_t *rec, const jsonpage_bad_t *bad, const char *url,
                         char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    char id[RECORD_ID_SIZE], why[512], digest[BOUNDARY_DIGEST_SIZE];
    int64_t cursor;
    cursor_clock_t clock = hwm_clock(sc);
    r->fetched++;
    if ((bad ? hwm_digest_bytes(bad->raw, bad->raw_len, digest, sizeof digest)
             : hwm_digest(rec, digest, sizeof digest)) != 0)
        return oom(errstr, errstr_size);
    record_id_result_t idr = record_id_read(rec, sc->id_field, id, sizeof id);
    if (idr != RECORD_ID_OK) {
        /* which id it was, reconciliation cannot tell: a bad item's stand-in
         * as much as a well-formed record, or one whose id no id set can
         * hold (it may be any live id) */
        r->unidentified++;
        id_refused(sc, idr, "", why, sizeof why);
    }
    json_t *cv = json_is_object(rec) ? json_object_get(rec, sc->cursor_field) : NULL;
    char perr[200];
    int no_cursor = !jsonnum_is_string(cv) ||
                    isotime_parse(json_string_value(cv), &cursor, NULL, perr, sizeof perr) != 0;
    if (idr == RECORD_ID_OK && r->recon)
        reconcile_seen(r->recon, id); /* served, whatever becomes of it */
    if (no_cursor) {
        /* The HWM cannot cover it: a walk may serve it again (a seek walk
         * at the same since), so it is dead-lettered once a run. */
        int added = 0;
        if (!r->dlq_digests && !(r->dlq_digests = idset_new(0)))
            return oom(errstr, errstr_size);
        if (!idset_add(r->dlq_digests, digest, strlen(digest), &added))
            return oom(errstr, errstr_size);
        if (!added) {
            r->skipped++;
            return 0;
        }
        const char *qid = idr == RECORD_ID_OK ? id : NULL;
        if (bad)
            return dead_letter_raw(r, qid, bad, url, errstr, errstr_size);
        if (idr == RECORD_ID_OK)
            snprintf(why, sizeof why, "cursor field '%s': %s", sc->cursor_field,
                     jsonnum_is_string(cv) ? perr : "missing or not a string");
        return dead_letter(r, qid, rec, why, url, errstr, errstr_size);
    }
    if (idr != RECORD_ID_OK) {
        /* Kept at the HWM under a stand-in id made of its digest, so that
         * the HWM moves past it and it is not dead-lettered again. A real
         * id equal to the stand-in would hold another digest: it is never
         * taken for this record. */
        id[0] = '\x7f';
        memcpy(id + 1, digest, strlen(digest) + 1);
        if (hwm_should_skip(&r->tracker, &clock, id, cursor, digest)) {
            r->skipped++;
            return 0;
        }
        if ((bad ? dead_letter_raw(r, NULL, bad, url, errstr, errstr_size)
                 : dead_letter(r, NULL, rec, why, url, errstr, errstr_size)) != 0)
            return -1;
        if (hwm_observe(&r->tracker, &clock, id, cursor, digest) != 0)
            return oom(errstr, errstr_size);
        return maybe_progress(r, errstr, errstr_size);
    }
    if (r->held) /* a version served, published now or before */
        heldeletes_served(r->held, id, cursor);
    if (hwm_should_skip(&r->tracker, &clock, id, cursor, digest)) {
        r->skipped++;
        return 0; /* already observed at this bucket with this digest */
    }
    json_t *sd = sc->soft_delete_field ? json_object_get(rec, sc->soft_delete_field) : NULL;
    change_op_t op = json_is_true(sd) ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT;
    int dlqd = 1;
    if (bad ? dead_letter_raw(r, id, bad, url, errstr, errstr_size)
            : publish(r, op, id, cursor, rec, url, &dlqd, errstr, errstr_size))
        return -1;
    if (!dlqd) {
        if (op == CHANGE_OP_DELETE)
            r->deletes++;
        else
            r->published++;
    }
    /* A dead-lettered record is durably handled too: keep it at the HWM so
     * the next run does not dead-letter it again. */
    if (hwm_observe(&r->tracker, &clock, id, cursor, digest) != 0)
        return oom(errstr, errstr_size);
    return maybe_progress(r, errstr, errstr_size);
}

/*
 * Once the records walk is over: the largest cursor this producer is
 * known to have published for the stream, from the tracker (every cursor
 * this walk served, and the HWM it started from) and the HWMs of the last
 * run record and of this run's last checkpoint.
 */
static void note_max_cursor(run_t *r)
{
    const int64_t v[3] = {r->tracker.value_ms, r->durable.value_ms,
                          r->cp ? r->cp->hwm.value_ms : 0};
    const int has[3] = {r->tracker.has_value, r->durable.has_value, r->cp && r->cp->hwm.has_value};
    for (int i = 0; i < 3; i++) {
        if (has[i] && (!r->has_max_cursor || v[i] > r->max_cursor))
            r->max_cursor = v[i];
        r->has_max_cursor = r->has_max_cursor || has[i];
    }
}

/*
 * The source_ts of a deletion that has no time of its own in the API's
 * clock (an item without deleted_at, a reconciliation delete), given the
 * producer's clock mark for it: it happened after every version published
 * so far, so it must outrank them in the worker's version guard even when
 * the API's clock runs ahead of the producer's (the cursors are the API's
 * clock): the mark, or 1 ms past the largest cursor published when that
 * is later. Comparing the two clocks is not the point: the larger one wins.
 */
static int64_t outrank(const run_t *r, int64_t mark)
{
    if (r->has_max_cursor && r->max_cursor < INT64_MAX && r->max_cursor + 1 > mark)
        return r->max_cursor + 1;
    return mark;
}

/*
 * After a walk whose pages are not in cursor order (cursor.sorted =
 * false): a record on a page already read that changed during the walk
 * got a cursor at or after the walk's start, perhaps below the largest
 * cursor seen, and was not served again. So the HWM may not pass the
 * walk's start in the API's clock (mark, source_api_started_at()):
 * min(largest cursor seen, mark), with an empty id set when lowered
 * (hwm_tracker_cap()). The records between the two are read, and
 * published, again by the next run: duplicates, which the worker ignores.
 */
static void hold_at_walk_start(run_t *r, int64_t mark)
{
    int64_t largest = r->tracker.value_ms;
    cursor_clock_t clock = hwm_clock(r->sc);
    if (mark <= 0 || !hwm_tracker_cap(&r->tracker, &clock, mark))
        return;
    char a[ISOTIME_BUFSIZE], b[ISOTIME_BUFSIZE];
    isotime_format(largest, a, sizeof a);
    isotime_format(mark, b, sizeof b);
    log_info("HWM held at the walk's start: the pages are not in cursor order "
             "(cursor.sorted = false), a record changed during the walk may lie below "
             "the largest cursor seen",
             "stream=%s run_id=%s largest=%s hwm=%s", r->sc->name, r->run_id, a, b);
}

static int fetch_records(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    source_t *src = source_new(sc, r->hc);
    if (!src)
        return oom(errstr, errstr_size);
    /* A walk that feeds reconciliation must prove it read every page: a
     * short page mid-stream (a cap by bytes) is no end there. Elsewhere a
     * premature end only stops the HWM early; the next run goes on. */
    if (r->recon)
        source_require_empty_end(src);
    r->walk_has_since = r->tracker.has_value;
    r->walk_since = r->tracker.value_ms - sc->lookback_ms;
    source_start(src, r->walk_has_since, r->walk_since);
    json_t *records;
    const char *url;
    int rc;
    while ((rc = source_next_page(src, &records, &url, errstr, errstr_size)) == 1) {
        const jsonpage_bad_t *bad;
        size_t i, n_bad = source_bad_items(src, &bad), b = 0;
        json_t *rec;
        json_array_foreach(records, i, rec)
        {
            const jsonpage_bad_t *bi = b < n_bad && bad[b].index == i ? &bad[b++] : NULL;
            if (handle_record(r, rec, bi, url, errstr, errstr_size) != 0) {
                source_destroy(src);
                return -1;
            }
        }
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            rc = -1;
            break;
        }
    }
    r->fetch_complete = rc == 0 && source_complete(src);
    if (rc == 0) {
        note_max_cursor(r);
        if (!sc->cursor_sorted)
            hold_at_walk_start(r, source_api_started_at(src));
    }
    r->records_done = rc == 0;
    source_destroy(src);
    return rc;
}

/* One item of the deleted endpoint: an id, or an object with id.field.
 * bad: as for handle_record (item is the stand-in). */
static int handle_deleted(run_t *r, const json_t *item, const jsonpage_bad_t *bad,
                          int64_t polled_at, const char *url, char *errstr, size_t errstr_size)
{
    char id[RECORD_ID_SIZE], why[512];
    int64_t ts = polled_at; /* the documented clock stand-in */
    const json_t *holder = item;
    json_t *wrap = NULL;
    if (!json_is_object(item)) {
        wrap = json_object();
        if (!wrap || json_object_set(wrap, r->sc->id_field, (json_t *)item) != 0) {
            json_decref(wrap);
            return oom(errstr, errstr_size);
        }
        holder = wrap;
    }
    record_id_result_t idr = record_id_read(holder, r->sc->id_field, id, sizeof id);
    json_decref(wrap);
    if (idr != RECORD_ID_OK) {
        if (bad)
            return dead_letter_raw(r, NULL, bad, url, errstr, errstr_size);
        id_refused(r->sc, idr, "deleted item: ", why, sizeof why);
        return dead_letter(r, NULL, item, why, url, errstr, errstr_size);
    }
    if (r->recon)
        reconcile_seen(r->recon, id); /* its deletion is this endpoint's */
    json_t *da = json_is_object(item) ? json_object_get(item, "deleted_at") : NULL;
    char perr[200];
    int undated = !jsonnum_is_string(da); /* ts is the producer's clock mark */
    if (!undated && isotime_parse(json_string_value(da), &ts, NULL, perr, sizeof perr) != 0) {
        if (bad)
            return dead_letter_raw(r, id, bad, url, errstr, errstr_size);
        snprintf(why, sizeof why, "deleted_at: %s", perr);
        return dead_letter(r, id, item, why, url, errstr, errstr_size);
    }
    /* A deletion is stored with digest "", a dead-lettered bad item with
     * its bytes' digest: once the API mends the item, it is no longer
     * taken as the one already handled. */
    char digest[BOUNDARY_DIGEST_SIZE] = "";
    if (bad && hwm_digest_bytes(bad->raw, bad->raw_len, digest, sizeof digest) != 0)
        return oom(errstr, errstr_size);
    if (hwm_should_skip(&r->del_tracker, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, ts,
                        digest)) {
        r->skipped++;
        return 0;
    }
    /* A deletion waits for the records walk (heldeletes.h). */
    if (bad ? dead_letter_raw(r, id, bad, url, errstr, errstr_size)
        : heldeletes_hold(r->held, id, ts, undated) != 0 ? oom(errstr, errstr_size)
                                                         : 0)
        return -1;
    if (hwm_observe(&r->del_tracker, CURSOR_CLOCK(CURSOR_PRECISION_TIMESTAMP), id, ts, digest) != 0)
        return oom(errstr, errstr_size);
    return 0; /* published, and checkpointed, after the records walk */
}

/*
 * The deleted endpoint as a stream of its own for source.h: its URL and
 * parameter, its paging keys (deleted.* or the main ones), and deleted_at
 * as the seek walk's cursor. Borrows sc's strings.
 */
static stream_conf_t deleted_conf(const stream_conf_t *sc)
{
    stream_conf_t d = *sc;
    d.url = sc->deleted_url;
    d.cursor_field = (char *)"deleted_at";
    d.cursor_param = sc->deleted_param;
    d.cursor_precision = CURSOR_PRECISION_TIMESTAMP;
    d.pagination = sc->deleted_pagination;
    d.records_path = sc->deleted_records_path;
    d.next_path = sc->deleted_next_path;
    return d;
}

/* Walks the deleted endpoint from the deleted HWM (minus lookback). */
static int fetch_deleted(run_t *r, char *errstr, size_t errstr_size)
{
    stream_conf_t dsc = deleted_conf(r->sc);
    if (!(r->held = heldeletes_new()))
        return oom(errstr, errstr_size);
    source_t *src = source_new(&dsc, r->hc);
    if (!src)
        return oom(errstr, errstr_size);
    source_start(src, r->del_tracker.has_value, r->del_tracker.value_ms - r->sc->lookback_ms);
    json_t *items;
    const char *url;
    int rc;
    while ((rc = source_next_page(src, &items, &url, errstr, errstr_size)) == 1) {
        /* The mark of an item without deleted_at: when the walk's first
         * request was sent, not when an answer came. A deletion after that
         * may be missing from the answers, and a mark past it would skip
         * it for good. */
        int64_t polled_at = source_started_at(src);
        const jsonpage_bad_t *bad;
        size_t i, n_bad = source_bad_items(src, &bad), b = 0;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            const jsonpage_bad_t *bi = b < n_bad && bad[b].index == i ? &bad[b++] : NULL;
            if (handle_deleted(r, item, bi, polled_at, url, errstr, errstr_size) != 0) {
                source_destroy(src);
                return -1;
            }
        }
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            rc = -1;
            break;
        }
    }
    source_destroy(src);
    return rc;
}

/*
 * The deletions a records walk that began at `since` cannot vouch for: one
 * older than the walk's start may concern a restore that an earlier run
 * published and this walk did not serve again. Asks the topic about them
 * (keylatest.h); *kl is NULL when there are none.
 */
static int check_late_deletes(run_t *r, keylatest_t **kl, char *errstr, size_t errstr_size)
{
    *kl = NULL;
    if (!r->walk_has_since)
        return 0; /* the walk served every record there is */
    cursor_clock_t clock = hwm_clock(r->sc);
    int64_t since = hwm_bucket(&clock, r->walk_since);
    size_t pos = 0, late = 0;
    const char *id;
    int64_t at;
    int stale, undated;
    keylatest_t *k = keylatest_new();
    if (!k)
        return oom(errstr, errstr_size);
    while (heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        /* an undated deletion is later than every version published
         * before this run: the topic cannot hold a newer one */
        if (stale || undated || at >= since)
            continue;
        late++;
        if (keylatest_want(k, id) != 0) {
            keylatest_destroy(k);
            return oom(errstr, errstr_size);
        }
    }
    if (late == 0) {
        keylatest_destroy(k);
        return 0;
    }
    int64_t t0 = isotime_monotonic_ms();
    if (keylatest_scan(k, r->conf, r->topic, errstr, errstr_size) != 0) {
        keylatest_destroy(k);
        return -1;
    }
    log_info("topic read for late deletions", "stream=%s run_id=%s late=%zu duration_ms=%lld",
             r->sc->name, r->run_id, late, (long long)(isotime_monotonic_ms() - t0));
    *kl = k;
    return 0;
}

/*
 * After the records walk: publishes the held deletions (heldeletes.h),
 * less the stale ones (a newer version was served, or the topic already
 * holds one), each with its tombstone, at its deleted_at; an undated one
 * (no deleted_at) at its clock mark or past every cursor published
 * (outrank()). Then the deleted HWM may move.
 */
static int publish_held(run_t *r, char *errstr, size_t errstr_size)
{
    keylatest_t *kl;
    if (check_late_deletes(r, &kl, errstr, errstr_size) != 0)
        return -1;
    size_t pos = 0;
    const char *id;
    int64_t at, newer;
    int stale, undated, rc = 0;
    while (rc == 0 && heldeletes_next(r->held, &pos, &id, &at, &undated, &stale)) {
        if (stale ||
            (!undated && kl && keylatest_get(kl, id, &newer) == KEYLATEST_UPSERT && newer > at)) {
            r->stale_deletes++;
            continue;
        }
        int dlqd;
        rc = publish(r, CHANGE_OP_DELETE, id, undated ? outrank(r, at) : at, NULL,
                     r->sc->deleted_url, &dlqd, errstr, errstr_size);
        if (rc == 0 && !dlqd)
            r->deletes++;
        if (rc == 0)
            rc = maybe_progress(r, errstr, errstr_size);
    }
    keylatest_destroy(kl);
    if (rc == 0)
        r->deletes_done = 1;
    return rc;
}

static void log_done(const run_t *r, const char *msg, const char *error)
{
    char hwm[ISOTIME_BUFSIZE] = "-", q[600];
    if (error ? r->durable.has_value : r->tracker.has_value)
        isotime_format(error ? r->durable.value_ms : r->tracker.value_ms, hwm, sizeof hwm);
    log_write(error ? LOG_ERROR : LOG_INFO, msg,
              "stream=%s run_id=%s mode=%s fetched=%lld published=%lld deletes=%lld "
              "vanished=%lld stale_deletes=%lld skipped=%lld failed=%lld hwm=%s "
              "duration_ms=%lld%s%s",
              r->sc->name, r->run_id, r->full ? "full" : "incremental", (long long)r->fetched,
              (long long)r->published, (long long)r->deletes, (long long)r->vanished,
              (long long)r->stale_deletes, (long long)r->skipped, (long long)r->failed, hwm,
              (long long)(isotime_now_ms() - r->started_at), error ? " error=" : "",
              error ? log_quote(q, sizeof q, error) : "");
}

/*
 * A full run that did not finish (it failed, or the process died while it
 * ran) and left a HWM: the next run goes on from there instead of starting
 * again, or a huge first load on a flaky API might never finish. A full
 * run that reconciled finished its walk (last_full_at is its start).
 */
static int unfinished_full(const run_record_t *cp)
{
    return cp && cp->mode == RUN_MODE_FULL && cp->status != RUN_STATUS_COMPLETED &&
           cp->last_full_at_ms != cp->started_at_ms && cp->hwm.has_value;
}

/* Sets r->full and r->resumed for the run about to start. */
static void decide_mode(run_t *r, const run_opts_t *opts, int64_t now)
{
    const run_record_t *cp = r->cp;
    /* No HWM (first run, or a `reset --full`) means reading everything;
     * so does --full, even while a full run is unfinished. */
    if (!cp || !cp->hwm.has_value || (opts && opts->force_full)) {
        r->full = 1;
        return;
    }
    if (unfinished_full(cp)) {
        r->full = r->resumed = 1;
        return;
    }
    r->full =
        r->conf->full_sync_every_ms > 0 && now - cp->last_full_at_ms >= r->conf->full_sync_every_ms;
}

static int run_init(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    topic_for_stream(r->conf, sc->name, r->topic, sizeof r->topic);
    topic_dlq(r->conf, r->dlq_topic, sizeof r->dlq_topic);
    topic_sync_runs(r->conf, r->runs_topic, sizeof r->runs_topic);
    publisher_warm_topic(r->pub, r->runs_topic);
    publisher_warm_topic(r->pub, r->topic);
    r->started_at = isotime_now_ms();
    run_make_id(sc->name, r->started_at, r->run_id, sizeof r->run_id);
    r->last_full_at = r->cp ? r->cp->last_full_at_ms : 0;
    if (r->cp && (run_hwm_copy(&r->durable, &r->cp->hwm) != 0 ||
                  run_hwm_copy(&r->del_durable, &r->cp->deleted_hwm) != 0))
        return oom(errstr, errstr_size);
    /* A full run re-reads everything (a resumed one from where it got to);
     * the deleted endpoint keeps its HWM. */
    if (r->cp && (((!r->full || r->resumed) &&
                   checkpoint_load_tracker(&r->tracker, &r->cp->hwm, sc->name) != 0) ||
                  checkpoint_load_tracker(&r->del_tracker, &r->cp->deleted_hwm, sc->name) != 0))
        return oom(errstr, errstr_size);
    r->hc = http_client_for_stream(sc, errstr, errstr_size);
    if (!r->hc)
        return -1;
    /* before the first event: a worker on another schema version needs it */
    return schemapub_publish(r->conf, r->pub, r->es, errstr, errstr_size);
}

static void run_free(run_t *r)
{
    http_client_destroy(r->hc);
    hwm_tracker_clear(&r->tracker);
    hwm_tracker_clear(&r->del_tracker);
    run_hwm_clear(&r->durable);
    run_hwm_clear(&r->del_durable);
    run_record_destroy(r->written);
    reconcile_destroy(r->recon);
    heldeletes_destroy(r->held);
    idset_destroy(r->dlq_digests);
}

/*
 * Before a full run fetches: which ids the stream's topic holds as live.
 * Read before this run publishes anything, so it is what earlier runs
 * left there.
 */
static int scan_topic(run_t *r, char *errstr, size_t errstr_size)
{
    int64_t t0 = isotime_monotonic_ms();
    if (!(r->recon = reconcile_new()))
        return oom(errstr, errstr_size);
    if (reconcile_scan(r->recon, r->conf, r->topic, errstr, errstr_size) != 0)
        return -1;
    reconcile_stats_t st;
    reconcile_get_stats(r->recon, &st);
    log_info("topic scanned for reconciliation",
             "stream=%s run_id=%s topic=%s messages=%lld keys=%zu live=%zu memory_kb=%zu "
             "duration_ms=%lld",
             r->sc->name, r->run_id, r->topic, (long long)st.messages, st.keys, st.live,
             st.memory / 1024, (long long)(isotime_monotonic_ms() - t0));
    return 0;
}

/*
 * Whether the ids this full run did not see may be deleted: 1 yes, 0 no
 * (logged: the run goes on and deletes nothing), -1 with errstr when they
 * are more than full_sync.max_delete_ratio of the live ids (the run fails,
 * nothing is deleted) and --allow-mass-delete was not given.
 */
static int may_reconcile(run_t *r, char *errstr, size_t errstr_size)
{
    reconcile_stats_t st;
    reconcile_get_stats(r->recon, &st);
    /* Every page read by the walk's end rule: never a walk cut short. */
    if (!r->fetch_complete) {
        log_warn("full fetch not provably complete: no id treated as vanished",
                 "stream=%s run_id=%s", r->sc->name, r->run_id);
        return 0;
    }
    /* A record without a usable id may be any of the live ids. */
    if (r->unidentified > 0) {
        log_warn("full fetch served records without an id: no id treated as vanished",
                 "stream=%s run_id=%s unidentified=%lld", r->sc->name, r->run_id,
                 (long long)r->unidentified);
        return 0;
    }
    /* An API that answers a full fetch with nothing at all is far more
     * likely broken (wrong filter, empty replica) than emptied: deleting
     * every row on its word is not worth the risk. */
    if (r->fetched == 0 && st.live > 0) {
        log_warn("full fetch served no records: not treating every id as "
                 "vanished",
                 "stream=%s live=%zu", r->sc->name, st.live);
        return 0;
    }
    size_t n = 0, pos = 0;
    const char *id;
    while (reconcile_next_vanished(r->recon, &pos, &id))
        n++;
    double ratio = r->conf->full_sync_max_delete_ratio;
    if (n == 0 || (double)n <= ratio * (double)st.live)
        return 1;
    if (r->allow_mass_delete) {
        log_warn("deleting more vanished ids than full_sync.max_delete_ratio allows "
                 "(--allow-mass-delete)",
                 "stream=%s run_id=%s vanished=%zu live=%zu max_delete_ratio=%g", r->sc->name,
                 r->run_id, n, st.live, ratio);
        return 1;
    }
    errstr_set(errstr, errstr_size,
               "full sync would delete %zu of the %zu ids live in Kafka (%.1f%%), more than "
               "full_sync.max_delete_ratio = %g allows: nothing deleted. Check the API; "
               "if those records are really gone, run `tidemark-producer run --once --full "
               "--allow-mass-delete --stream %s`",
               n, st.live, 100.0 * (double)n / (double)st.live, ratio, r->sc->name);
    return -1;
}

/*
 * After a full fetch that completed (every page read, no HTTP failure):
 * a delete event (+ tombstone) for every id live in Kafka that the API
 * did not serve, unless may_reconcile() says otherwise. source_ts is when
 * it was detected, the run's start (the producer's clock), or past the
 * largest cursor published when the API's clock is ahead (outrank()).
 */
static int publish_vanished(run_t *r, char *errstr, size_t errstr_size)
{
    size_t pos = 0;
    const char *id;
    int may = may_reconcile(r, errstr, errstr_size);
    if (may < 0)
        return -1;
    if (may == 0) {
        r->reconciled = 1; /* decided: nothing to delete */
        return 0;
    }
    while (reconcile_next_vanished(r->recon, &pos, &id)) {
        if (!tm_running) {
            errstr_set(errstr, errstr_size, "interrupted");
            return -1;
        }
        int dlqd;
        if (publish(r, CHANGE_OP_DELETE, id, outrank(r, r->started_at), NULL, r->sc->url, &dlqd,
                    errstr, errstr_size) != 0)
            return -1;
        if (!dlqd) {
            r->deletes++;
            r->vanished++;
        }
        if (maybe_progress(r, errstr, errstr_size) != 0)
            return -1;
    }
    r->reconciled = 1;
    return 0;
}

/* Steps 2-6 once the run is set up. */
static int run_body(run_t *r, char *errstr, size_t errstr_size)
{
    /* Marks the start for the worker; hwm unchanged, so a crash is harmless. */
    if (write_record(r, RUN_STATUS_RUNNING, &r->durable, &r->del_durable, NULL, errstr,
                     errstr_size) != 0)
        return -1;
    if (r->resumed)
        log_info("full run resumed from the last progress checkpoint: no reconciliation "
                 "(it needs a walk over every record)",
                 "stream=%s run_id=%s resumed_run_id=%s", r->sc->name, r->run_id, r->cp->run_id);
    else if (r->full && scan_topic(r, errstr, errstr_size) != 0)
        return -1;
    /* The deleted endpoint first: its deletions are held until the
     * records walk has shown which are stale (heldeletes.h). One that
     * fails for good must not make every run publish the same records
     * again: the records go on and their HWM moves, the deleted HWM stays,
     * and the run fails with the deleted endpoint's error. Reconciliation
     * needs only the complete records walk, so a full run still does it. */
    char del_err[1024] = "";
    if (r->sc->deleted_url && fetch_deleted(r, errstr, errstr_size) != 0) {
        if (!tm_running)
            return -1;
        snprintf(del_err, sizeof del_err, "deleted endpoint: %s", errstr);
        heldeletes_destroy(r->held); /* a part of a walk proves nothing */
        r->held = NULL;
    }
    if (fetch_records(r, errstr, errstr_size) != 0)
        return -1;
    if (r->held && publish_held(r, errstr, errstr_size) != 0)
        return -1;
    if (!r->sc->deleted_url)
        r->deletes_done = 1;
    /* Only here: a records walk that failed or was interrupted never gets
     * here. */
    if (r->recon && publish_vanished(r, errstr, errstr_size) != 0)
        return -1;
    if (del_err[0]) {
        errstr_set(errstr, errstr_size, "%s", del_err);
        return -1;
    }
    return checkpoint(r, RUN_STATUS_COMPLETED, errstr, errstr_size);
}

int run_once(const tm_config_t *conf, const stream_conf_t *sc, envelope_schema_t *es,
             publisher_t *pub, const run_record_t *cp, const run_opts_t *opts,
             run_record_t **next_cp, char *errstr, size_t errstr_size)
{
    run_t r = {.conf = conf,
               .sc = sc,
               .es = es,
               .pub = pub,
               .cp = cp,
               .allow_mass_delete = opts && opts->allow_mass_delete};
    decide_mode(&r, opts, isotime_now_ms());
    publisher_reset(pub);
    int rc = run_init(&r, errstr, errstr_size);
    if (rc == 0) {
        log_info("run started", "stream=%s run_id=%s mode=%s", sc->name, r.run_id,
                 r.full ? "full" : "incremental");
        rc = run_body(&r, errstr, errstr_size);
    }
    if (rc == 0) {
        log_done(&r, "run completed", NULL);
    } else {
        char werr[512], q[600];
        /* Settle the delivery reports first, so the record's end_offsets
         * cover what this run did get acknowledged; its failure, if any,
         * is the one being reported. */
        int acked = r.run_id[0] && publisher_flush(r.pub, werr, sizeof werr) == 0;
        if (r.run_id[0] && !acked)
            log_debug("flush before the failed run record", "stream=%s", sc->name);
        /* A walk that was read to its end and acknowledged is durable (the
         * records before a failing deleted endpoint); else the last durable
         * HWM stays, and the next run re-reads from there. */
        if (r.run_id[0] &&
            write_checkpoint(&r, RUN_STATUS_FAILED, acked && r.records_done,
                             acked && r.deletes_done, errstr, werr, sizeof werr) != 0)
            log_error("cannot write the failed run record", "stream=%s run_id=%s error=%s",
                      sc->name, r.run_id, log_quote(q, sizeof q, werr));
        log_done(&r, "run failed", errstr);
    }
    if (next_cp) {
        *next_cp = r.written;
        r.written = NULL; /* now owned by the caller */
    }
    run_free(&r);
    return rc;
}
