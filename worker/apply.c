/*
 * apply.c - see apply.h.
 */
#include "apply.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "errstr.h"
#include "log.h"
#include "metadata.h"
#include "reject.h"
#include "runcount.h"
#include "tableapply.h"
#include "topics.h"

#define DLQ_FLUSH_MS 30000

int apply_part_ranges(const batch_t *b, part_range_t **out, size_t *n_out)
{
    part_range_t *parts = malloc((b->n + 1) * sizeof(*parts));
    size_t i, j, n = 0;

    if (!parts)
        return -1;
    for (i = 0; i < b->n; i++) {
        const batch_msg_t *m = &b->msgs[i];

        /* topics are interned: pointer equality is string equality */
        for (j = 0; j < n; j++)
            if (parts[j].topic == m->topic && parts[j].partition == m->partition)
                break;
        if (j == n) {
            parts[n].topic = m->topic;
            parts[n].partition = m->partition;
            parts[n].expected = -1;
            parts[n].first = m->offset;
            parts[n].next = m->offset + 1;
            parts[n].last = offset_mark_of(m->timestamp, m->key, m->key_len);
            n++;
        } else {
            if (m->offset < parts[j].first)
                parts[j].first = m->offset;
            if (m->offset + 1 > parts[j].next) {
                parts[j].next = m->offset + 1;
                parts[j].last = offset_mark_of(m->timestamp, m->key, m->key_len);
            }
        }
    }
    *out = parts;
    *n_out = n;
    return 0;
}

void apply_result_clear(apply_result_t *res)
{
    free(res->parts);
    free(res->per_stream);
    PQclear(res->completed_runs);
    memset(res, 0, sizeof(*res));
}

/* An event to count in its run: decoded, or dead-lettered at decode
 * (decoded_t.lost). */
typedef struct run_ref {
    const char *run_id;
    const worker_stream_t *ws;
    const batch_msg_t *msg;
    int is_delete;
    int countable; /* runcount_event_t's */
    int full_sync; /* the decoded event's; 0 for a lost one */
    int by_header; /* a lost one: its run named by the message's header */
    size_t order;  /* decoded events first: a run's row is created from one */
} run_ref_t;

static int run_ref_cmp(const void *pa, const void *pb)
{
    const run_ref_t *a = pa, *b = pb;
    int c = strcmp(a->run_id, b->run_id);

    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* What the body of a batch learnt about its poison, kept across redos. */
typedef struct poison {
    unsigned char *run_dead; /* per d->runs: dead-lettered */
    char **bad_runs;         /* run_ids whose sync_metadata row fails */
    size_t n_bad;
    int redo; /* the body must be rolled back and done again */
} poison_t;

static void poison_clear(poison_t *p)
{
    for (size_t i = 0; i < p->n_bad; i++)
        free(p->bad_runs[i]);
    free(p->bad_runs);
    free(p->run_dead);
    memset(p, 0, sizeof(*p));
}

static int is_bad_run(const poison_t *p, const char *run_id)
{
    for (size_t i = 0; i < p->n_bad; i++)
        if (!strcmp(p->bad_runs[i], run_id))
            return 1;
    return 0;
}

/* Dead-letters message msg of b with "sync_metadata: why". */
static outcome_t dead_letter_msg(apply_ctx_t *ctx, const batch_t *b, size_t msg, int *dead,
                                 const char *why, apply_result_t *res, char *errstr,
                                 size_t errstr_size)
{
    return reject_message(ctx->dlq, &b->msgs[msg], "sync_metadata", why, dead, &res->dead_letters,
                          errstr, errstr_size);
}

/*
 * A run's sync_metadata row cannot be written (its run_id is too long for
 * the index, say): every event of the run that is still alive is poison.
 * Their rows are in the table already, so the body is done again without
 * them (p->redo).
 */
static outcome_t poison_run(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                            const char *run_id, const char *why, apply_result_t *res, char *errstr,
                            size_t errstr_size)
{
    char **nb = realloc(p->bad_runs, (p->n_bad + 1) * sizeof(*nb));
    outcome_t oc = OUTCOME_OK;

    if (!nb || !(nb[p->n_bad] = strdup(run_id))) {
        if (nb)
            p->bad_runs = nb;
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    p->bad_runs = nb;
    p->n_bad++;
    p->redo = 1;
    for (size_t i = 0; oc == OUTCOME_OK && i < d->n_events; i++) {
        decoded_event_t *de = &d->events[i];

        if (de->dead || strcmp(de->ev->run_id, run_id))
            continue;
        oc = dead_letter_msg(ctx, b, de->msg, &de->dead, why, res, errstr, errstr_size);
    }
    return oc;
}

/* A savepoint around one sync_metadata statement: savepoint_end() rolls
 * back to it on PG_DATA (returned as is, the transaction usable again)
 * and releases it otherwise. SAVEPOINT and RELEASE go with the next
 * statement (pg_defer()). */
static pg_status_t savepoint_begin(pg_t *pg, char *errstr, size_t errstr_size)
{
    return pg_defer(pg, "SAVEPOINT tm_meta", errstr, errstr_size);
}

static pg_status_t savepoint_end(pg_t *pg, pg_status_t st, char *errstr, size_t errstr_size)
{
    pg_status_t st2;

    if (st == PG_OK)
        return pg_defer(pg, "RELEASE SAVEPOINT tm_meta", errstr, errstr_size);
    if (st != PG_DATA)
        return st;
    st2 = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_meta", errstr, errstr_size);
    if (st2 == PG_OK)
        st2 = pg_defer(pg, "RELEASE SAVEPOINT tm_meta", errstr, errstr_size);
    return st2 == PG_OK ? PG_DATA : st2;
}

/* Fills evs with the events of one run (refs[start..*end) share its
 * run_id) for metadata_count_events(); returns how many. */
static size_t run_events(const run_ref_t *refs, size_t n_refs, size_t start, runcount_event_t *evs,
                         size_t *end)
{
    size_t i, n = 0;

    for (i = start; i < n_refs && !strcmp(refs[i].run_id, refs[start].run_id); i++) {
        evs[n].partition = refs[i].msg->partition;
        evs[n].offset = refs[i].msg->offset;
        evs[n].is_delete = refs[i].is_delete;
        evs[n].countable = refs[i].countable;
        evs[n].by_header = refs[i].by_header;
        n++;
    }
    *end = i;
    return n;
}

/* What the batch consumed in topic, one span per partition (runcount.h),
 * into spans (room for res->n_parts); returns how many. A span runs from
 * the batch's first message, not from the stored offset: a consumer reset
 * by offset.out_of_range starts elsewhere, and the offsets between were
 * skipped, not consumed. */
static size_t topic_spans(const apply_result_t *res, const char *topic, runcount_span_t *spans)
{
    size_t n = 0;

    for (size_t i = 0; i < res->n_parts; i++)
        if (!strcmp(res->parts[i].topic, topic))
            spans[n++] =
                (runcount_span_t){res->parts[i].partition, res->parts[i].first, res->parts[i].next};
    return n;
}

/* The batch's events to count, decoded ones first; returns how many. */
static size_t run_refs(const batch_t *b, const decoded_t *d, run_ref_t *refs)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n_events; i++) {
        const decoded_event_t *de = &d->events[i];

        /* the run id an event carries is anyone's to write, as a header
         * is (decode.c): it names a run only in its stream's form */
        if (!run_id_is_of_stream(de->ev->run_id, de->ws->sc->name))
            continue;
        refs[n] = (run_ref_t){.run_id = de->ev->run_id,
                              .ws = de->ws,
                              .msg = &b->msgs[de->msg],
                              .is_delete = de->ev->op == CHANGE_OP_DELETE,
                              .countable = !de->dead,
                              .full_sync = de->ev->full_sync,
                              .order = n};
        n++;
    }
    for (size_t i = 0; i < d->n_lost; i++, n++) {
        const batch_msg_t *m = &b->msgs[d->lost[i].msg];

        refs[n] = (run_ref_t){
            .run_id = d->lost[i].run_id, .ws = d->lost[i].ws, .msg = m, .by_header = 1, .order = n};
    }
    return n;
}

/* Counts the batch's events per run, runs in run_id order (a stable lock
 * order between workers). A run whose row fails is poisoned (above). */
static outcome_t count_runs(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                            apply_result_t *res, char *errstr, size_t errstr_size)
{
    size_t room = d->n_events + d->n_lost + 1;
    run_ref_t *refs = malloc(room * sizeof(*refs));
    runcount_event_t *evs = malloc(room * sizeof(*evs));
    runcount_span_t *spans = malloc((res->n_parts + 1) * sizeof(*spans));
    char why[512];
    outcome_t oc = OUTCOME_OK;

    if (!refs || !evs || !spans) {
        free(refs);
        free(evs);
        free(spans);
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    size_t n_refs = run_refs(b, d, refs);
    qsort(refs, n_refs, sizeof(*refs), run_ref_cmp);
    for (size_t start = 0, end; oc == OUTCOME_OK && !p->redo && start < n_refs; start = end) {
        const run_ref_t *first = &refs[start];
        size_t n = run_events(refs, n_refs, start, evs, &end);

        if (is_bad_run(p, first->run_id))
            continue;
        pg_status_t st = savepoint_begin(ctx->pg, errstr, errstr_size);
        if (st != PG_OK) {
            oc = outcome_from_pg(st);
            break;
        }
        size_t n_spans = topic_spans(res, first->ws->topic, spans);
        st = metadata_count_events(ctx->pg, first->run_id, first->ws->sc->name, first->ws->topic,
                                   first->full_sync, evs, n, spans, n_spans, why, sizeof(why));
        if (st != PG_OK && st != PG_DATA)
            errstr_set(errstr, errstr_size, "%s", why);
        st = savepoint_end(ctx->pg, st, errstr, errstr_size);
        oc = st == PG_DATA ? poison_run(ctx, b, d, p, first->run_id, why, res, errstr, errstr_size)
                           : outcome_from_pg(st);
    }
    free(refs);
    free(evs);
    free(spans);
    return oc;
}

/* Each run record under its own savepoint: one the database refuses (a
 * date out of its range, a run_id too long for the index) is
 * dead-lettered. */
static outcome_t apply_run_records(apply_ctx_t *ctx, const batch_t *b, const decoded_t *d,
                                   poison_t *p, apply_result_t *res, char *errstr,
                                   size_t errstr_size)
{
    char topic[256], why[512];
    outcome_t oc = OUTCOME_OK;

    for (size_t i = 0; oc == OUTCOME_OK && i < d->n_runs; i++) {
        const run_record_t *rr = d->runs[i].rr;

        if (p->run_dead[i])
            continue;
        topic_for_stream(ctx->conf, rr->stream, topic, sizeof(topic));
        pg_status_t st = savepoint_begin(ctx->pg, errstr, errstr_size);
        if (st != PG_OK)
            return outcome_from_pg(st);
        st = metadata_apply_run_record(ctx->pg, rr, topic, d->runs[i].not_configured, why,
                                       sizeof(why));
        if (st != PG_OK && st != PG_DATA)
            errstr_set(errstr, errstr_size, "%s", why);
        st = savepoint_end(ctx->pg, st, errstr, errstr_size);
        if (st == PG_DATA) {
            p->run_dead[i] = 1;
            oc = dead_letter_msg(ctx, b, d->runs[i].msg, NULL, why, res, errstr, errstr_size);
        } else {
            oc = outcome_from_pg(st);
        }
    }
    return oc;
}

static outcome_t complete_runs(apply_ctx_t *ctx, apply_result_t *res, char *errstr,
                               size_t errstr_size)
{
    char *stuck = consumer_stuck_json(ctx->consumer);

    if (!stuck) {
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    PQclear(res->completed_runs); /* a redo's: this body decides afresh */
    res->completed_runs = NULL;
    pg_status_t st = metadata_complete_runs(ctx->pg, ctx->conf, stuck, ctx->tables_json,
                                            &res->completed_runs, errstr, errstr_size);
    free(stuck);
    return outcome_from_pg(st);
}

/* Everything between BEGIN and COMMIT except the fence and the dead
 * letters' flush. Sets p->redo when it must be rolled back and done again
 * (with more events marked dead). */
static outcome_t apply_body(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                            held_stages_t *held, apply_result_t *res, char *errstr,
                            size_t errstr_size)
{
    table_counts_t counts = {0, 0, 0};
    outcome_t oc = OUTCOME_OK;

    p->redo = 0;
    held->n = 0; /* the body starts with the transaction's empty stages */
    for (size_t i = 0; oc == OUTCOME_OK && i < ctx->streams->n; i++) {
        table_counts_t before = counts;
        int refused = 0;
        oc = table_apply(ctx->pg, b, d, &ctx->streams->items[i], held, ctx->dlq, &counts, &refused,
                         errstr, errstr_size);
        if (oc == OUTCOME_RETRY && refused) {
            res->refused = 1;
            res->refused_stream = i;
        }
        if (res->per_stream) /* set, not added: a redo counts afresh */
            res->per_stream[i] =
                (table_counts_t){counts.upserts - before.upserts, counts.deletes - before.deletes,
                                 counts.dead_letters - before.dead_letters};
    }
    res->upserts = counts.upserts;
    res->deletes = counts.deletes;
    res->dead_letters += counts.dead_letters;
    if (oc == OUTCOME_OK)
        oc = apply_run_records(ctx, b, d, p, res, errstr, errstr_size);
    if (oc == OUTCOME_OK)
        oc = count_runs(ctx, b, d, p, res, errstr, errstr_size);
    if (oc == OUTCOME_OK && !p->redo)
        oc = complete_runs(ctx, res, errstr, errstr_size);
    return oc;
}

/* Rolls the body back to its savepoint, for a redo. */
static outcome_t undo_body(pg_t *pg, char *errstr, size_t errstr_size)
{
    pg_status_t st = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_body", errstr, errstr_size);

    if (st == PG_OK)
        st = pg_defer(pg, "RELEASE SAVEPOINT tm_body", errstr, errstr_size);
    return outcome_from_pg(st);
}

/* The body under a savepoint, done again while it poisons a run. */
static outcome_t apply_body_redo(apply_ctx_t *ctx, const batch_t *b, decoded_t *d,
                                 apply_result_t *res, char *errstr, size_t errstr_size)
{
    poison_t p;
    held_stages_t held;
    outcome_t oc;

    memset(&p, 0, sizeof(p));
    if (held_stages_init(&held, ctx->streams->n) < 0 || !(p.run_dead = calloc(d->n_runs + 1, 1))) {
        held_stages_free(&held);
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    for (;;) {
        oc = outcome_from_pg(pg_defer(ctx->pg, "SAVEPOINT tm_body", errstr, errstr_size));
        if (oc == OUTCOME_OK)
            oc = apply_body(ctx, b, d, &p, &held, res, errstr, errstr_size);
        if (oc != OUTCOME_OK || !p.redo)
            break;
        if ((oc = undo_body(ctx->pg, errstr, errstr_size)) != OUTCOME_OK)
            break;
        log_info("batch done again without a poisoned run", "bad_runs=%zu", p.n_bad);
    }
    poison_clear(&p);
    held_stages_free(&held);
    if (oc == OUTCOME_OK && dlq_queue_pending(ctx->dlq) > 0) {
        int fl = dlq_queue_flush(ctx->dlq, DLQ_FLUSH_MS, errstr, errstr_size);
        if (fl == -2)
            oc = OUTCOME_FATAL; /* a new process gets a new producer */
        else if (fl < 0)
            oc = OUTCOME_RETRY; /* not acknowledged: not consumed either */
    }
    return oc;
}

/*
 * COMMIT. A deferred constraint (DEFERRABLE INITIALLY DEFERRED, a user's
 * foreign key say) is checked only here, outside the savepoints where a
 * row's failure is found and dead-lettered: refused (a data error), the
 * whole batch would fail at every attempt and the worker with it. The
 * batch is retried instead with every constraint checked at each
 * statement; the next batch defers them again (rows of two streams may
 * need their deferral to arrive in any order).
 */
static outcome_t commit(apply_ctx_t *ctx, apply_result_t *res, char *errstr, size_t errstr_size)
{
    pg_status_t st = pg_cmd(ctx->pg, "COMMIT", errstr, errstr_size);
    if (st == PG_OK) {
        ctx->immediate_constraints = 0;
        metadata_log_completed(res->completed_runs); /* completed now, not before */
        return OUTCOME_OK;
    }
    if (st != PG_DATA || ctx->immediate_constraints)
        return outcome_from_pg(st);
    res->commit_sent = 0; /* refused: nothing of it is in the database */
    ctx->immediate_constraints = 1;
    char e[1100];
    snprintf(e, sizeof(e), "%s", errstr);
    errstr_set(errstr, errstr_size,
               "COMMIT refused (a deferred constraint); retrying with constraints checked at "
               "each statement: %s",
               e);
    return OUTCOME_RETRY;
}

static outcome_t run_tx(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, apply_result_t *res,
                        char *errstr, size_t errstr_size)
{
    size_t fenced = res->n_parts;
    pg_status_t st = pg_ensure(ctx->pg, errstr, errstr_size);

    if (st == PG_OK && pg_session(ctx->pg) != ctx->staged_session) {
        /* a new connection: its stages, outside the transaction (a
         * rollback would take them away) */
        st = table_stages_create(ctx->pg, ctx->streams, errstr, errstr_size);
        ctx->staged_session = st == PG_OK ? pg_session(ctx->pg) : 0;
    }
    if (st == PG_OK) /* sent with the claim */
        st = pg_defer(ctx->pg, "BEGIN", errstr, errstr_size);
    if (st == PG_OK && ctx->immediate_constraints)
        st = pg_defer(ctx->pg, "SET CONSTRAINTS ALL IMMEDIATE", errstr, errstr_size);
    if (st != PG_OK)
        return outcome_from_pg(st);
    /* first, so that a fenced batch does no work and holds the row lock */
    st = fencing_claim(ctx->fencing, res->parts, res->n_parts, &fenced, errstr, errstr_size);
    if (st == PG_OK && fenced < res->n_parts) {
        pg_rollback_quiet(ctx->pg);
        res->fenced = &res->parts[fenced];
        return OUTCOME_FENCED;
    }
    outcome_t oc = outcome_from_pg(st);
    if (oc == OUTCOME_OK)
        oc = apply_body_redo(ctx, b, d, res, errstr, errstr_size);
    if (oc == OUTCOME_OK) {
        res->commit_sent = 1;
        oc = commit(ctx, res, errstr, errstr_size);
    }
    if (oc != OUTCOME_OK)
        pg_rollback_quiet(ctx->pg);
    return oc;
}

/* Resets res and the dead-letter queue, fills res->parts. */
static outcome_t apply_start(apply_ctx_t *ctx, const batch_t *b, apply_result_t *res, char *errstr,
                             size_t errstr_size)
{
    memset(res, 0, sizeof(*res));
    res->per_stream = calloc(ctx->streams->n + 1, sizeof(*res->per_stream));
    dlq_queue_discard(ctx->dlq); /* left by an attempt that failed */
    if (apply_part_ranges(b, &res->parts, &res->n_parts) < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return OUTCOME_FATAL;
    }
    return OUTCOME_OK;
}

/* The transaction of a decoded batch; its dead letters go with it. */
static outcome_t apply_tx(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, apply_result_t *res,
                          char *errstr, size_t errstr_size)
{
    res->events = d->n_events;
    res->run_records = d->n_runs;
    res->dead_letters = d->dead_letters;
    outcome_t as = run_tx(ctx, b, d, res, errstr, errstr_size);
    if (as != OUTCOME_OK)
        dlq_queue_discard(ctx->dlq);
    return as;
}

outcome_t apply_batch(apply_ctx_t *ctx, const batch_t *b, apply_result_t *res, char *errstr,
                      size_t errstr_size)
{
    decoded_t d;
    outcome_t as = apply_start(ctx, b, res, errstr, errstr_size);

    if (as != OUTCOME_OK)
        return as;
    int rc = decode_batch(b, ctx->streams, ctx->sync_runs_topic, ctx->dlq, &d, errstr, errstr_size);
    if (rc < 0) {
        decoded_clear(&d);
        dlq_queue_discard(ctx->dlq);
        return rc == DECODE_REFUSED ? OUTCOME_FATAL : OUTCOME_RETRY;
    }
    as = apply_tx(ctx, b, &d, res, errstr, errstr_size);
    decoded_clear(&d);
    return as;
}

outcome_t apply_decoded(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, apply_result_t *res,
                        char *errstr, size_t errstr_size)
{
    outcome_t as = apply_start(ctx, b, res, errstr, errstr_size);

    if (as != OUTCOME_OK)
        return as;
    if (decoded_queue_rejects(b, d, ctx->dlq, errstr, errstr_size) < 0) {
        dlq_queue_discard(ctx->dlq);
        return OUTCOME_RETRY;
    }
    return apply_tx(ctx, b, d, res, errstr, errstr_size);
}
