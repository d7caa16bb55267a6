/*
 * sync.c - one run of one stream (see sync.h).
 *
 * The tracker (a run_hwm_t) is the HWM this run has reached: the largest
 * cursor published and the ids + digests at its bucket. `durable` is the
 * last HWM a written run record holds; a failed run writes that one back,
 * so a crash or failure re-publishes and never skips.
 */
#include "sync.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boundary.h"
#include "checkpoint.h"
#include "dlq.h"
#include "http.h"
#include "isotime.h"
#include "kafka_conf.h"
#include "log.h"
#include "reconcile.h"
#include "schemapub.h"
#include "signals.h"
#include "source.h"

typedef struct run {
    const tm_config_t *conf;
    const stream_conf_t *sc;
    envelope_schema_t *es;
    publisher_t *pub;
    const run_record_t *cp;
    http_client_t *hc;
    char topic[512], dlq_topic[512], runs_topic[512];
    char run_id[128];
    int full;
    int64_t started_at, last_full_at;
    run_hwm_t tracker, del_tracker;   /* reached by this run */
    run_hwm_t durable, del_durable;   /* in the last run record written */
    int64_t fetched, published, deletes, skipped, failed;
    int64_t vanished;                 /* of deletes: found by reconciliation */
    int64_t since_progress;
    reconcile_t *recon;               /* full runs: the ids Kafka holds */
    run_record_t *written;            /* copy of the last record written */
} run_t;

void sync_make_run_id(const char *stream, int64_t now_ms, char *buf, size_t size)
{
    unsigned char rnd[4] = {0};
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
        unsigned x = (unsigned)now_ms ^ (unsigned)getpid() * 2654435761u;
        memcpy(rnd, &x, sizeof rnd);
    }
    if (fd >= 0)
        close(fd);
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, size, "%s-%s-%02x%02x%02x%02x", stream, when, rnd[0], rnd[1], rnd[2],
             rnd[3]);
}

/* Writes a run record with the given hwm/status; on success remembers a copy. */
static int write_record(run_t *r, run_status_t status, const run_hwm_t *hwm,
                        const run_hwm_t *del, const char *error, char *errstr,
                        size_t errstr_size)
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
    rr.last_full_at_ms =
        (r->full && status == RUN_STATUS_COMPLETED) ? r->started_at : r->last_full_at;
    rr.error = (char *)error;
    if (publisher_end_offsets(r->pub, r->topic, &rr.end_offsets, &rr.n_end_offsets) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = checkpoint_write(r->pub, r->runs_topic, &rr, errstr, errstr_size);
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

/* dst = deep copy of src, freeing what dst held (run_hwm_copy does not). */
static int hwm_assign(run_hwm_t *dst, const run_hwm_t *src)
{
    run_hwm_t tmp;
    if (run_hwm_copy(&tmp, src) != 0)
        return -1;
    run_hwm_clear(dst);
    *dst = tmp;
    return 0;
}

/*
 * Flushes, then writes a checkpoint of the tracker (status running or
 * completed). Only after both does the tracker become the durable HWM.
 */
static int checkpoint(run_t *r, run_status_t status, char *errstr, size_t errstr_size)
{
    if (publisher_flush(r->pub, errstr, errstr_size) != 0)
        return -1;
    if (write_record(r, status, &r->tracker, &r->del_tracker, NULL, errstr, errstr_size) != 0)
        return -1;
    if (hwm_assign(&r->durable, &r->tracker) != 0 ||
        hwm_assign(&r->del_durable, &r->del_tracker) != 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    r->since_progress = 0;
    return 0;
}

/* The record's id as text: a string as is, an integer in decimal. */
static int record_id(const json_t *rec, const char *field, char *buf, size_t size)
{
    json_t *v = json_is_object(rec) ? json_object_get(rec, field) : NULL;
    if (json_is_string(v) && json_string_length(v) > 0) {
        if (json_string_length(v) >= size)
            return -1;
        memcpy(buf, json_string_value(v), json_string_length(v) + 1);
        return 0;
    }
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return 0;
    }
    return -1;
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

/* Encodes and produces one event (+ a tombstone after a delete). */
static int publish(run_t *r, change_op_t op, const char *id, int64_t source_ts,
                   const json_t *rec, const char *url, int *dlqd, char *errstr,
                   size_t errstr_size)
{
    void *buf = NULL;
    size_t len = 0;
    char why[512];
    *dlqd = 0;
    if (envelope_encode(r->es, op, id, source_ts, r->run_id, r->full, isotime_now_ms(),
                        op == CHANGE_OP_UPSERT ? rec : NULL, &buf, &len, why,
                        sizeof why) != 0) {
        *dlqd = 1; /* a per-record error: dead-letter it, the run goes on */
        return dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    const pub_header_t hdrs[] = {
        {"tidemark.op", op == CHANGE_OP_DELETE ? "delete" : "upsert"},
        {"tidemark.run", r->run_id},
    };
    int rc = publisher_produce(r->pub, r->topic, id, buf, len, hdrs, 2, NULL, errstr,
                               errstr_size);
    free(buf);
    if (rc == 0 && op == CHANGE_OP_DELETE) /* lets compaction drop the key */
        rc = publisher_produce(r->pub, r->topic, id, NULL, 0, hdrs, 2, NULL, errstr,
                               errstr_size);
    return rc;
}

static int maybe_progress(run_t *r, char *errstr, size_t errstr_size)
{
    if (++r->since_progress < SYNC_PROGRESS_EVERY)
        return 0;
    return checkpoint(r, RUN_STATUS_RUNNING, errstr, errstr_size);
}

static int oom(char *errstr, size_t errstr_size)
{
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

/* Step 4 of a run for one record (see the brief / README). */
static int handle_record(run_t *r, const json_t *rec, const char *url, char *errstr,
                         size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    char id[256], why[512], digest[BOUNDARY_DIGEST_SIZE];
    int64_t cursor;
    r->fetched++;
    if (record_id(rec, sc->id_field, id, sizeof id) != 0) {
        snprintf(why, sizeof why, "id field '%s' is missing or not a string or integer",
                 sc->id_field);
        return dead_letter(r, NULL, rec, why, url, errstr, errstr_size);
    }
    if (r->recon)
        reconcile_seen(r->recon, id); /* served, whatever becomes of it */
    json_t *cv = json_object_get(rec, sc->cursor_field);
    char perr[200];
    if (!json_is_string(cv) ||
        isotime_parse(json_string_value(cv), &cursor, NULL, perr, sizeof perr) != 0) {
        snprintf(why, sizeof why, "cursor field '%s': %s", sc->cursor_field,
                 json_is_string(cv) ? perr : "missing or not a string");
        return dead_letter(r, id, rec, why, url, errstr, errstr_size);
    }
    if (boundary_digest(rec, digest, sizeof digest) != 0)
        return oom(errstr, errstr_size);
    if (boundary_should_skip(&r->tracker, sc->cursor_precision, id, cursor, digest)) {
        r->skipped++;
        return 0; /* already observed at this bucket with this digest */
    }
    json_t *sd = sc->soft_delete_field ? json_object_get(rec, sc->soft_delete_field) : NULL;
    change_op_t op = json_is_true(sd) ? CHANGE_OP_DELETE : CHANGE_OP_UPSERT;
    int dlqd;
    if (publish(r, op, id, cursor, rec, url, &dlqd, errstr, errstr_size) != 0)
        return -1;
    if (!dlqd) {
        if (op == CHANGE_OP_DELETE)
            r->deletes++;
        else
            r->published++;
    }
    /* A dead-lettered record is durably handled too: keep it at the HWM so
     * the next run does not dead-letter it again. */
    if (boundary_observe(&r->tracker, sc->cursor_precision, id, cursor, digest) != 0)
        return oom(errstr, errstr_size);
    return maybe_progress(r, errstr, errstr_size);
}

static int fetch_records(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    source_t *src = source_new(sc, r->hc);
    if (!src)
        return oom(errstr, errstr_size);
    int64_t since = r->tracker.value_ms - sc->lookback_ms;
    source_start(src, r->tracker.has_value, since);
    json_t *records;
    const char *url;
    int rc;
    while ((rc = source_next_page(src, &records, &url, errstr, errstr_size)) == 1) {
        size_t i;
        json_t *rec;
        json_array_foreach(records, i, rec) {
            if (handle_record(r, rec, url, errstr, errstr_size) != 0) {
                source_destroy(src);
                return -1;
            }
        }
        if (!tm_running) {
            snprintf(errstr, errstr_size, "interrupted");
            rc = -1;
            break;
        }
    }
    source_destroy(src);
    return rc;
}

/* One item of the deleted endpoint: an id, or an object with id.field. */
static int handle_deleted(run_t *r, const json_t *item, int64_t polled_at,
                          const char *url, char *errstr, size_t errstr_size)
{
    char id[256], why[512];
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
    int bad = record_id(holder, r->sc->id_field, id, sizeof id) != 0;
    json_decref(wrap);
    if (bad) {
        snprintf(why, sizeof why, "deleted item: id field '%s' is missing or not a string or integer",
                 r->sc->id_field);
        return dead_letter(r, NULL, item, why, url, errstr, errstr_size);
    }
    if (r->recon)
        reconcile_seen(r->recon, id); /* its deletion is this endpoint's */
    json_t *da = json_is_object(item) ? json_object_get(item, "deleted_at") : NULL;
    char perr[200];
    if (json_is_string(da) &&
        isotime_parse(json_string_value(da), &ts, NULL, perr, sizeof perr) != 0) {
        snprintf(why, sizeof why, "deleted_at: %s", perr);
        return dead_letter(r, id, item, why, url, errstr, errstr_size);
    }
    if (boundary_should_skip(&r->del_tracker, CURSOR_PRECISION_TIMESTAMP, id, ts, NULL)) {
        r->skipped++;
        return 0;
    }
    int dlqd;
    if (publish(r, CHANGE_OP_DELETE, id, ts, NULL, url, &dlqd, errstr, errstr_size) != 0)
        return -1;
    if (!dlqd)
        r->deletes++;
    if (boundary_observe(&r->del_tracker, CURSOR_PRECISION_TIMESTAMP, id, ts, "") != 0)
        return oom(errstr, errstr_size);
    return maybe_progress(r, errstr, errstr_size);
}

static int fetch_deleted(run_t *r, char *errstr, size_t errstr_size)
{
    const stream_conf_t *sc = r->sc;
    char since[ISOTIME_BUFSIZE];
    if (r->del_tracker.has_value)
        isotime_format(r->del_tracker.value_ms, since, sizeof since);
    const char *pairs[] = {sc->deleted_param, r->del_tracker.has_value ? since : NULL};
    char *url = source_url_with(sc->deleted_url, pairs, 1);
    if (!url)
        return oom(errstr, errstr_size);
    json_t *root = NULL, *items = NULL;
    /* when the request was sent, not when the answer came: a deletion
     * between the two may be missing from the answer, and a mark past it
     * would skip it for good */
    int64_t polled_at = 0;
    int rc = source_get_records(r->hc, url, sc->records_path, &root, &items, &polled_at,
                                errstr, errstr_size);
    size_t i;
    json_t *item;
    if (rc == 0)
        json_array_foreach(items, i, item) {
            if ((rc = handle_deleted(r, item, polled_at, url, errstr, errstr_size)) != 0)
                break;
        }
    json_decref(root);
    free(url);
    return rc;
}

static void log_done(const run_t *r, const char *msg, const char *error)
{
    char hwm[ISOTIME_BUFSIZE] = "-", q[600];
    const run_hwm_t *h = error ? &r->durable : &r->tracker;
    if (h->has_value)
        isotime_format(h->value_ms, hwm, sizeof hwm);
    log_write(error ? LOG_ERROR : LOG_INFO, msg,
              "stream=%s run_id=%s mode=%s fetched=%lld published=%lld deletes=%lld "
              "vanished=%lld skipped=%lld failed=%lld hwm=%s duration_ms=%lld%s%s",
              r->sc->name, r->run_id, r->full ? "full" : "incremental",
              (long long)r->fetched, (long long)r->published, (long long)r->deletes,
              (long long)r->vanished, (long long)r->skipped, (long long)r->failed, hwm,
              (long long)(isotime_now_ms() - r->started_at), error ? " error=" : "",
              error ? log_quote(q, sizeof q, error) : "");
}

static int decide_mode(const tm_config_t *conf, const run_record_t *cp,
                       const sync_opts_t *opts, int64_t now)
{
    /* No HWM (first run, or a `reset --full`) means reading everything. */
    if (!cp || !cp->hwm.has_value || (opts && opts->force_full))
        return 1;
    return conf->full_sync_every_ms > 0 &&
           now - cp->last_full_at_ms >= conf->full_sync_every_ms;
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
    sync_make_run_id(sc->name, r->started_at, r->run_id, sizeof r->run_id);
    r->last_full_at = r->cp ? r->cp->last_full_at_ms : 0;
    if (r->cp && (run_hwm_copy(&r->durable, &r->cp->hwm) != 0 ||
                  run_hwm_copy(&r->del_durable, &r->cp->deleted_hwm) != 0))
        return oom(errstr, errstr_size);
    /* A full run re-reads everything; the deleted endpoint keeps its HWM. */
    if ((!r->full && run_hwm_copy(&r->tracker, &r->durable) != 0) ||
        run_hwm_copy(&r->del_tracker, &r->del_durable) != 0)
        return oom(errstr, errstr_size);
    r->hc = http_client_new(sc->auth_header, sc->timeout_ms, sc->max_retries, errstr,
                            errstr_size);
    if (!r->hc)
        return -1;
    /* before the first event: a worker on another schema version needs it */
    return schemapub_publish(r->conf, r->pub, r->es, errstr, errstr_size);
}

static void run_free(run_t *r)
{
    http_client_destroy(r->hc);
    run_hwm_clear(&r->tracker);
    run_hwm_clear(&r->del_tracker);
    run_hwm_clear(&r->durable);
    run_hwm_clear(&r->del_durable);
    run_record_destroy(r->written);
    reconcile_destroy(r->recon);
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
 * After a full fetch that completed (every page read, no HTTP failure):
 * a delete event (+ tombstone) for every id live in Kafka that the API
 * did not serve. source_ts is when it was detected: the run's start.
 */
static int publish_vanished(run_t *r, char *errstr, size_t errstr_size)
{
    size_t pos = 0;
    const char *id;
    reconcile_stats_t st;

    /* An API that answers a full fetch with nothing at all is far more
     * likely broken (wrong filter, empty replica) than emptied: deleting
     * every row on its word is not worth the risk. */
    reconcile_get_stats(r->recon, &st);
    if (r->fetched == 0 && st.live > 0) {
        log_warn("full fetch served no records: not treating every id as "
                 "vanished", "stream=%s live=%zu", r->sc->name, st.live);
        return 0;
    }
    while (reconcile_next_vanished(r->recon, &pos, &id)) {
        if (!tm_running) {
            snprintf(errstr, errstr_size, "interrupted");
            return -1;
        }
        int dlqd;
        if (publish(r, CHANGE_OP_DELETE, id, r->started_at, NULL, r->sc->url, &dlqd,
                    errstr, errstr_size) != 0)
            return -1;
        if (!dlqd) {
            r->deletes++;
            r->vanished++;
        }
        if (maybe_progress(r, errstr, errstr_size) != 0)
            return -1;
    }
    return 0;
}

/* Steps 2-6 once the run is set up. */
static int run_body(run_t *r, char *errstr, size_t errstr_size)
{
    /* Marks the start for the worker; hwm unchanged, so a crash is harmless. */
    if (write_record(r, RUN_STATUS_RUNNING, &r->durable, &r->del_durable, NULL, errstr,
                     errstr_size) != 0)
        return -1;
    if (r->full && scan_topic(r, errstr, errstr_size) != 0)
        return -1;
    if (fetch_records(r, errstr, errstr_size) != 0)
        return -1;
    if (r->sc->deleted_url && fetch_deleted(r, errstr, errstr_size) != 0)
        return -1;
    /* Only here: a fetch that failed or was interrupted never gets here. */
    if (r->recon && publish_vanished(r, errstr, errstr_size) != 0)
        return -1;
    return checkpoint(r, RUN_STATUS_COMPLETED, errstr, errstr_size);
}

int sync_run(const tm_config_t *conf, const stream_conf_t *sc, envelope_schema_t *es,
             publisher_t *pub, const run_record_t *cp, const sync_opts_t *opts,
             run_record_t **next_cp, char *errstr, size_t errstr_size)
{
    run_t r = {.conf = conf, .sc = sc, .es = es, .pub = pub, .cp = cp};
    r.full = decide_mode(conf, cp, opts, isotime_now_ms());
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
        log_done(&r, "run failed", errstr);
        /* Keep the last durable HWM: the next run re-reads from there. */
        char werr[512], q[600];
        /* Settle the delivery reports first, so the record's end_offsets
         * cover what this run did get acknowledged; its failure, if any,
         * is the one already being reported. */
        if (r.run_id[0] && publisher_flush(r.pub, werr, sizeof werr) != 0)
            log_debug("flush before the failed run record", "stream=%s", sc->name);
        if (r.run_id[0] &&
            write_record(&r, RUN_STATUS_FAILED, &r.durable, &r.del_durable, errstr, werr,
                         sizeof werr) != 0)
            log_error("cannot write the failed run record", "stream=%s run_id=%s error=%s",
                      sc->name, r.run_id, log_quote(q, sizeof q, werr));
    }
    if (next_cp) {
        *next_cp = r.written;
        r.written = NULL; /* now owned by the caller */
    }
    run_free(&r);
    return rc;
}
