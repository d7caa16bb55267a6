/*
 * follow.c - `run` and `reset` (see follow.h).
 */
#include "follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "checkpoint.h"
#include "errstr.h"
#include "http.h"
#include "isotime.h"
#include "log.h"
#include "publisher.h"
#include "signals.h"
#include "run.h"
#include "schemareg.h"
#include "runlock.h"
#include "runmode.h"
#include "stats.h"
#include "stats_metrics.h"
#include "topics.h"

static void log_err(const char *msg, const char *err)
{
    char q[600];
    log_error(msg, "error=%s", log_quote(q, sizeof(q), err));
}

#define PASS_REFUSED (-2) /* one_pass: the registry refused a stream's schema */

/*
 * What follow mode keeps of each stream from pass to pass.
 *
 * The streams take their turns one after another on this thread, so a
 * run that waits holds the others' turns up. In follow mode with more
 * than one stream a Retry-After longer than poll.interval (the HTTP
 * client's wait limit, http.h), before the run's first answer, is not
 * waited: the run fails (its
 * checkpoint keeps the last durable HWM: the next run starts from it) and
 * the stream sits out the passes until the wait is over, so its API is
 * not asked again before then. The backoff (5 s at most) is waited in
 * place, so that a long run does not fail at its first 503. --once, and
 * a single stream, wait in place.
 */
typedef struct stream_turn {
    /* --full (and --allow-mass-delete) not yet applied to the stream: its
     * first run under them, whichever pass that is (a pass that left it
     * out must not drop them) */
    unsigned char full_pending;
    int64_t retry_due_ms; /* no run before then (isotime_monotonic_ms()); 0: none */
    /* runs in a row that did not wait a wait their deleted endpoint
     * asked for, on the records' origin (run_opts_t.deleted_deferrals) */
    int deleted_deferrals;
} stream_turn_t;

/*
 * One pass runs every stream that is due (stream_turn_t); the checkpoints
 * of those sitting out are read with theirs (one read) and not used.
 * Runs of one stream must not overlap (runlock.h). A pass takes each
 * due stream's run lock before it reads the checkpoints, so that a
 * checkpoint it uses is never read while another process's run is under
 * way (it would be taken for one that was abandoned). A stream whose lock is held
 * elsewhere is left out of a follow-mode pass (the next one tries again);
 * under --once, after the other streams, the pass waits for the lock and
 * then reads that stream's checkpoint anew. One lock is held at a time
 * while waiting: no two producers wait on each other.
 */
typedef struct pass {
    const tm_config_t *conf;
    stream_set_t *set;
    publisher_t *pub;
    run_opts_t so;
    const run_cmd_opts_t *opts;
    int once;
    runlock_t *locks;
    unsigned char *busy; /* its lock was held elsewhere at the pass's start */
    stream_turn_t *turns;
    int64_t wait_limit_ms; /* the longest Retry-After a run waits in place; 0: any */
    run_record_t **cps;
    int busy_any, failed, refused;
} pass_t;

/* 1 when stream i is to run in this pass: no wait of its API is under way. */
static int stream_due(const pass_t *p, size_t i)
{
    return p->turns[i].retry_due_ms <= isotime_monotonic_ms();
}

/* Takes every lock it can without waiting, of the streams that are due.
 * Returns how many streams are due. */
static size_t take_free_locks(pass_t *p)
{
    char err[1024], q[1100];
    size_t due = 0;
    for (size_t i = 0; i < p->set->n; i++) {
        const char *name = p->set->items[i].sc->name;
        if (!stream_due(p, i))
            continue;
        due++;
        runlock_result_t rc = runlock_take(p->conf, name, 0, &p->locks[i], err, sizeof(err));
        if (rc == RUNLOCK_BUSY) {
            p->busy[i] = p->busy_any = 1;
            if (!p->once) /* --once waits for it, saying so */
                log_warn("run not started: this stream's run lock is held; the next pass tries "
                         "again",
                         "stream=%s error=%s", name, log_quote(q, sizeof(q), err));
        } else if (rc == RUNLOCK_ERROR) {
            log_error("run not started", "stream=%s error=%s", name, log_quote(q, sizeof(q), err));
            producer_stats_not_run(name, LAST_FAILED_LOCK);
            p->failed++;
        }
    }
    return due;
}

/* Stream i's run, its lock held; then the lock is released. */
static void run_locked(pass_t *p, size_t i)
{
    char err[1024], when[ISOTIME_BUFSIZE];
    stream_turn_t *t = &p->turns[i];
    p->so.auth = oauth2_auth(p->set->items[i].oauth2);
    p->so.absent = p->set->items[i].absent;
    p->so.force_full = t->full_pending && p->opts->full;
    p->so.allow_mass_delete = t->full_pending && p->opts->allow_mass_delete;
    t->full_pending = 0;
    p->so.wait_limit_ms = p->wait_limit_ms;
    p->so.retry_due_ms = &t->retry_due_ms;
    int walked = 0, deleted_deferred = 0;
    p->so.records_walked = &walked;
    p->so.deleted_deferred = &deleted_deferred;
    p->so.deleted_deferrals = t->deleted_deferrals;
    if (run_once(p->conf, p->set->items[i].sc, p->set->items[i].es, p->pub, p->cps[i], &p->so, err,
                 sizeof(err)) != 0)
        p->failed++; /* run_once logged it with its context */
    runlock_release(&p->locks[i]);
    t->deleted_deferrals = deleted_deferred ? t->deleted_deferrals + 1 : 0;
    int64_t now = isotime_monotonic_ms();
    if (t->retry_due_ms > now) {
        /* --full asked for a full run: one the API cut short before its
         * records walk was whole (so without its reconciliation) is asked
         * again; --allow-mass-delete with it, still once */
        t->full_pending = p->so.force_full && !walked;
        isotime_format(isotime_now_ms() + (t->retry_due_ms - now), when, sizeof(when));
        log_warn("the stream's API asked to wait: the stream sits out the passes until then",
                 "stream=%s until=%s", p->set->items[i].sc->name, when);
    }
}

/* --once: each stream whose lock was held, once its holder let it go,
 * with its checkpoint read then. */
static void run_after_wait(pass_t *p, size_t i)
{
    char err[1024], q[1100];
    const char *name = p->set->items[i].sc->name;
    if (runlock_take(p->conf, name, 1, &p->locks[i], err, sizeof(err)) != RUNLOCK_HELD) {
        log_error("run not started", "stream=%s error=%s", name, log_quote(q, sizeof(q), err));
        producer_stats_not_run(name, LAST_FAILED_LOCK);
        p->failed++;
        return;
    }
    run_record_destroy(p->cps[i]);
    p->cps[i] = NULL;
    if (checkpoint_read(p->conf, &name, 1, &p->cps[i], err, sizeof(err)) != 0) {
        log_err("cannot read the checkpoint", err);
        producer_stats_not_run(name, LAST_FAILED_CHECKPOINT);
        p->failed++;
        runlock_release(&p->locks[i]);
        return;
    }
    run_locked(p, i);
}

/* The checkpoints of every stream (names) into p->cps: 0, or -1 after
 * logging why and counting it against each stream that is due. */
static int read_checkpoints(pass_t *p, const char **names)
{
    char err[1024];
    for (size_t i = 0; i < p->set->n; i++)
        names[i] = p->set->items[i].sc->name;
    if (checkpoint_read(p->conf, names, p->set->n, p->cps, err, sizeof(err)) == 0)
        return 0;
    log_err("cannot read the checkpoints", err);
    for (size_t i = 0; i < p->set->n; i++)
        if (stream_due(p, i))
            producer_stats_not_run(names[i], LAST_FAILED_CHECKPOINT);
    return -1;
}

/* One pass over every stream that is due. Returns the number of failed
 * runs (a run not started under --once counts), -1 if the checkpoints
 * could not be read, PASS_REFUSED (the pass stopped) when the schema
 * registry refused a stream's schema: registered late, after an outage at
 * start, it stops the producer as a refusal at start does. */
static int one_pass(const tm_config_t *conf, stream_set_t *set, publisher_t *pub,
                    schema_registry_t *registry, const run_cmd_opts_t *opts, stream_turn_t *turns)
{
    size_t n = set->n ? set->n : 1;
    const char **names = calloc(n, sizeof(*names));
    pass_t p = {.conf = conf,
                .set = set,
                .pub = pub,
                .opts = opts,
                .turns = turns,
                .wait_limit_ms = opts->once || set->n < 2 ? 0 : conf->poll_interval_ms,
                .once = opts->once,
                .locks = calloc(n, sizeof(runlock_t)),
                .busy = calloc(n, 1),
                .cps = calloc(n, sizeof(run_record_t *))};
    if (!names || !p.cps || !p.locks || !p.busy) {
        free(names);
        free(p.cps);
        free(p.locks);
        free(p.busy);
        log_err("cannot read the checkpoints", "out of memory");
        return -1;
    }
    p.so = (run_opts_t){.registry = registry, .registry_refused = &p.refused};
    for (size_t i = 0; i < set->n; i++)
        p.locks[i] = (runlock_t)RUNLOCK_INIT;
    /* no stream due: no checkpoint to read */
    int read_failed = take_free_locks(&p) ? read_checkpoints(&p, names) != 0 : 0;
    for (size_t i = 0; i < set->n && !read_failed && !p.refused && tm_running; i++)
        if (p.locks[i].fd >= 0)
            run_locked(&p, i);
    for (size_t i = 0;
         i < set->n && opts->once && p.busy_any && !read_failed && !p.refused && tm_running; i++)
        if (p.busy[i])
            run_after_wait(&p, i);
    for (size_t i = 0; i < set->n; i++) {
        runlock_release(&p.locks[i]);
        run_record_destroy(p.cps[i]);
    }
    free(names);
    free(p.cps);
    free(p.locks);
    free(p.busy);
    if (p.refused)
        return PASS_REFUSED;
    return read_failed ? -1 : p.failed;
}

/* With [schema_registry]: its client, every stream's schema registered
 * (schemareg.h). 0 (*out NULL without a registry), or -1 after logging
 * why: a refusal stops the producer at start, and so does an unavailable
 * registry under --once (its one pass could only fail); follow mode goes
 * on, each run trying again before its first event. */
static int registry_start(const tm_config_t *conf, stream_set_t *set, int once,
                          schema_registry_t **out)
{
    char err[1024], q[1100];
    *out = NULL;
    if (!conf->registry_url)
        return 0;
    if (!(*out = schema_registry_new(conf, err, sizeof(err)))) {
        log_err("cannot start the schema registry client", err);
        return -1;
    }
    schemareg_result_t rc = schemareg_start(conf, *out, set, err, sizeof(err));
    if (rc == SCHEMAREG_UNAVAILABLE && !once) {
        log_warn("cannot register the schemas yet: each run tries again before its first event",
                 "error=%s", log_quote(q, sizeof(q), err));
    } else if (rc != SCHEMAREG_OK) {
        log_err(rc == SCHEMAREG_REFUSED ? "the schema registry refused a stream's schema"
                                        : "the schema registry is unavailable: no event written",
                err);
        schema_registry_destroy(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int follow_run(const tm_config_t *conf, stream_set_t *set, const run_cmd_opts_t *opts)
{
    char err[1024];
    if (http_global_init(err, sizeof(err)) != 0) {
        log_err("cannot start", err);
        return 1;
    }
    schema_registry_t *registry = NULL;
    producer_metrics_t *metrics = NULL;
    publisher_t *pub = NULL;
    /* the endpoint first: /healthz answers while the registry is asked
     * (a minute and more when it does not answer), else a liveness probe
     * kills a producer that follow mode would keep waiting */
    int started = producer_metrics_start(conf, set, &metrics, err, sizeof(err)) == 0;
    if (!started)
        log_err("cannot start the metrics endpoint", err);
    if (started && registry_start(conf, set, opts->once, &registry) != 0)
        started = 0; /* it logged why */
    if (started && !(pub = publisher_new(conf, err, sizeof(err))))
        log_err("cannot start the Kafka producer", err);
    if (!pub) {
        producer_metrics_stop(metrics);
        schema_registry_destroy(registry);
        http_global_cleanup();
        return 1;
    }
    int status = 0;
    stream_turn_t *turns = calloc(set->n ? set->n : 1, sizeof(*turns));
    if (turns) {
        for (size_t i = 0; i < set->n; i++)
            turns[i].full_pending = 1;
    } else {
        log_err("cannot start", "out of memory");
        status = 1;
    }
    while (turns && tm_running) {
        int failed = one_pass(conf, set, pub, registry, opts, turns);
        if (publisher_is_fatal(pub)) {
            /* A fatal producer error outlives the run: start afresh. */
            log_warn("replacing the Kafka producer after a fatal error", "%s", "");
            publisher_destroy(pub);
            if (!(pub = publisher_new(conf, err, sizeof(err)))) {
                log_err("cannot restart the Kafka producer", err);
                free(turns);
                producer_metrics_stop(metrics);
                schema_registry_destroy(registry);
                http_global_cleanup();
                return 1;
            }
        }
        if (failed == PASS_REFUSED) {
            log_err("the schema registry refused a stream's schema",
                    "stopping: its run failed with the registry's answer");
            status = 1;
            break;
        }
        if (opts->once) {
            status = failed != 0 || !tm_running;
            break;
        }
        (void)backoff_sleep_ms(conf->poll_interval_ms); /* -1: tm_running ends the loop */
    }
    free(turns);
    publisher_destroy(pub);
    producer_metrics_stop(metrics);
    schema_registry_destroy(registry);
    http_global_cleanup();
    return status;
}

/*
 * A mark after a reset, the records' HWM and the deleted endpoint's alike:
 * a replay from the API replays its deletions too, or a table restored
 * from before them keeps their rows live for good (a full run deletes
 * only ids still live in Kafka, and a compacted or retained topic may
 * have forgotten them). --since TS: the lower of the old mark and TS (at
 * TS with no ids: every record or deletion from TS on is read again; a
 * deletion the records' replay outdates is dropped as stale); none when
 * there was none. A reset moves a checkpoint back, never forward: a TS
 * past the HWM (a mistyped year) skipped every change before it until a
 * full run. --full: none, from the start. 0, or -1 on ENOMEM.
 */
static int reset_hwm(run_hwm_t *out, const run_hwm_t *old, int has_since, int64_t since_ms)
{
    if (!has_since || !old || !old->has_value)
        return 0;
    if (old->value_ms <= since_ms)
        return run_hwm_copy(out, old);
    out->has_value = 1;
    out->value_ms = since_ms;
    return 0;
}

static int reset_locked(const tm_config_t *conf, const char *stream, int has_since,
                        int64_t since_ms)
{
    char err[1024], topic[512];
    run_record_t *cp = NULL;
    if (checkpoint_read(conf, &stream, 1, &cp, err, sizeof(err)) != 0) {
        log_err("cannot read the checkpoint", err);
        return 1;
    }
    publisher_t *pub = publisher_new(conf, err, sizeof(err));
    if (!pub) {
        log_err("cannot start the Kafka producer", err);
        run_record_destroy(cp);
        return 1;
    }
    topic_sync_runs(conf, topic, sizeof(topic));
    /* a run left running: marked failed (a killed producer's), and if its
     * producer is in fact still at it, its end writes over this reset */
    if (cp && cp->status == RUN_STATUS_RUNNING && cp->run_id) {
        log_warn("the stream's latest run record says running: if a producer is still running "
                 "it, its end will write its checkpoint over this reset; stop it and reset again",
                 "stream=%s run_id=%s", stream, cp->run_id);
        if (checkpoint_write_abandoned(pub, topic, cp, "reset", err, sizeof(err)) != 0) {
            log_err("cannot mark the run that did not end failed", err);
            run_record_destroy(cp);
            publisher_destroy(pub);
            return 1;
        }
    }
    int64_t now = isotime_now_ms();
    char run_id[RUN_ID_SIZE];
    run_id_make(stream, now, run_id, sizeof(run_id));
    run_record_t rr = {0};
    char source[RUN_SOURCE_SIZE];
    const stream_conf_t *sc = config_stream(conf, stream);
    /* The url the HWM is for: without it the next run is full. --since
     * moves the checkpoint's HWM back, which stays the endpoint's it was
     * taken from: its word on that is kept (none from an older build).
     * Stamped with the current url, a reset after url changed made the
     * next run incremental from --since, and the records the changed url
     * serves below it were never read (t_reset_after_url_change). */
    if (has_since && cp) {
        rr.source = cp->source;
    } else if (sc) {
        run_source_digest(sc->url, source);
        rr.source = source;
    }
    rr.stream = (char *)stream;
    rr.run_id = run_id;
    rr.mode = has_since ? RUN_MODE_INCREMENTAL : RUN_MODE_FULL;
    rr.status = RUN_STATUS_COMPLETED;
    int rc = 0;
    if (reset_hwm(&rr.hwm, cp ? &cp->hwm : NULL, has_since, since_ms) != 0 ||
        reset_hwm(&rr.deleted_hwm, cp ? &cp->deleted_hwm : NULL, has_since, since_ms) != 0) {
        errstr_set(err, sizeof(err), "out of memory");
        rc = -1;
    }
    rr.started_at_ms = rr.finished_at_ms = now;
    rr.last_full_at_ms = cp ? cp->last_full_at_ms : 0;
    if (rc == 0)
        rc = checkpoint_write(pub, topic, &rr, err, sizeof(err));
    char when[ISOTIME_BUFSIZE] = "none", asked[ISOTIME_BUFSIZE];
    if (rr.hwm.has_value)
        isotime_format(rr.hwm.value_ms, when, sizeof(when));
    int kept = has_since && (!rr.hwm.has_value || rr.hwm.value_ms < since_ms);
    run_hwm_clear(&rr.hwm);
    run_hwm_clear(&rr.deleted_hwm);
    run_record_destroy(cp);
    publisher_destroy(pub);
    if (rc != 0) {
        log_err("cannot write the reset run record", err);
        return 1;
    }
    if (kept) {
        isotime_format(since_ms, asked, sizeof(asked));
        log_warn("--since is past the checkpoint: it is kept there (a reset moves it back, never "
                 "forward)",
                 "stream=%s since=%s hwm=%s", stream, asked, when);
    }
    log_info("checkpoint reset", "stream=%s run_id=%s hwm=%s", stream, run_id, when);
    return 0;
}

/* Under the stream's run lock: a run under way on this host would write
 * its checkpoint over the reset when it ends. */
int follow_reset(const tm_config_t *conf, const char *stream, int has_since, int64_t since_ms)
{
    runlock_t lock = RUNLOCK_INIT;
    char err[1024];
    if (runlock_take(conf, stream, 1, &lock, err, sizeof(err)) != RUNLOCK_HELD) {
        log_err("checkpoint not reset: stop the producer running the stream, then reset", err);
        return 1;
    }
    int rc = reset_locked(conf, stream, has_since, since_ms);
    runlock_release(&lock);
    return rc;
}
