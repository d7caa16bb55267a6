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
#include "offsets.h"
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
            parts[n].next = m->offset + 1;
            n++;
        } else if (m->offset + 1 > parts[j].next) {
            parts[j].next = m->offset + 1;
        }
    }
    *out = parts;
    *n_out = n;
    return 0;
}

void apply_result_clear(apply_result_t *res)
{
    free(res->parts);
    memset(res, 0, sizeof(*res));
}

static apply_status_t to_apply_status(pg_status_t st)
{
    return st == PG_TRANSIENT ? APPLY_TRANSIENT : APPLY_FATAL;
}

/* Compare-and-set of every partition; *fenced set on the first miss. */
static pg_status_t fence(apply_ctx_t *ctx, apply_result_t *res, int *fenced, char *errstr,
                         size_t errstr_size)
{
    size_t i;

    *fenced = 0;
    for (i = 0; i < res->n_parts; i++) {
        part_range_t *p = &res->parts[i];
        int moved = 0;
        pg_status_t st;

        if (consumer_expected(ctx->consumer, p->topic, p->partition, &p->expected) < 0) {
            *fenced = 1; /* no longer ours */
        } else {
            st = offsets_cas(ctx->pg, ctx->conf->group_id, p->topic, p->partition, p->expected,
                             p->next, &moved, errstr, errstr_size);
            if (st != PG_OK)
                return st;
            *fenced = !moved;
        }
        if (*fenced) {
            res->fenced_topic = p->topic;
            res->fenced_partition = p->partition;
            res->fenced_expected = p->expected;
            return PG_OK;
        }
    }
    return PG_OK;
}

typedef struct run_ref {
    const char *run_id;
    size_t event; /* index into decoded_t.events */
} run_ref_t;

static int run_ref_cmp(const void *pa, const void *pb)
{
    const run_ref_t *a = pa, *b = pb;
    int c = strcmp(a->run_id, b->run_id);

    return c ? c : (a->event > b->event) - (a->event < b->event);
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
    size_t i;

    for (i = 0; i < p->n_bad; i++)
        free(p->bad_runs[i]);
    free(p->bad_runs);
    free(p->run_dead);
    memset(p, 0, sizeof(*p));
}

static int is_bad_run(const poison_t *p, const char *run_id)
{
    size_t i;

    for (i = 0; i < p->n_bad; i++)
        if (!strcmp(p->bad_runs[i], run_id))
            return 1;
    return 0;
}

/* Dead-letters message msg of b with "sync_metadata: why". */
static pg_status_t dead_letter_msg(apply_ctx_t *ctx, const batch_t *b, size_t msg, const char *why,
                                   apply_result_t *res, char *errstr, size_t errstr_size)
{
    char reason[700];

    snprintf(reason, sizeof(reason), "sync_metadata: %s", why);
    res->dead_letters++;
    if (decode_dead_letter(ctx->dlq, &b->msgs[msg], reason, errstr, errstr_size) < 0)
        return PG_TRANSIENT;
    return PG_OK;
}

/*
 * A run's sync_metadata row cannot be written (its run_id is too long for
 * the index, say): every event of the run that is still alive is poison.
 * Their rows are in the table already, so the body is done again without
 * them (p->redo).
 */
static pg_status_t poison_run(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                              const char *run_id, const char *why, apply_result_t *res,
                              char *errstr, size_t errstr_size)
{
    char **nb = realloc(p->bad_runs, (p->n_bad + 1) * sizeof(*nb));
    pg_status_t st = PG_OK;
    size_t i;

    if (!nb || !(nb[p->n_bad] = strdup(run_id))) {
        if (nb)
            p->bad_runs = nb;
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    p->bad_runs = nb;
    p->n_bad++;
    p->redo = 1;
    for (i = 0; st == PG_OK && i < d->n_events; i++) {
        decoded_event_t *de = &d->events[i];

        if (de->dead || strcmp(de->ev->run_id, run_id))
            continue;
        de->dead = 1;
        st = dead_letter_msg(ctx, b, de->msg, why, res, errstr, errstr_size);
    }
    return st;
}

/* A savepoint around one sync_metadata statement: savepoint_end() rolls
 * back to it on PG_DATA (returned as is, the transaction usable again)
 * and releases it otherwise. */
static pg_status_t savepoint_begin(pg_t *pg, char *errstr, size_t errstr_size)
{
    return pg_cmd(pg, "SAVEPOINT tm_meta", errstr, errstr_size);
}

static pg_status_t savepoint_end(pg_t *pg, pg_status_t st, char *errstr, size_t errstr_size)
{
    pg_status_t st2;

    if (st == PG_OK)
        return pg_cmd(pg, "RELEASE SAVEPOINT tm_meta", errstr, errstr_size);
    if (st != PG_DATA)
        return st;
    st2 = pg_cmd(pg, "ROLLBACK TO SAVEPOINT tm_meta", errstr, errstr_size);
    if (st2 == PG_OK)
        st2 = pg_cmd(pg, "RELEASE SAVEPOINT tm_meta", errstr, errstr_size);
    return st2 == PG_OK ? PG_DATA : st2;
}

/* Counts the batch's events per run, runs in run_id order (a stable lock
 * order between workers). A run whose row fails is poisoned (above). */
static pg_status_t count_runs(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                              apply_result_t *res, char *errstr, size_t errstr_size)
{
    run_ref_t *refs = malloc((d->n_events + 1) * sizeof(*refs));
    runcount_event_t *evs = malloc((d->n_events + 1) * sizeof(*evs));
    char why[512];
    pg_status_t st = PG_OK;
    size_t i, start;

    if (!refs || !evs) {
        free(refs);
        free(evs);
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    for (i = 0; i < d->n_events; i++) {
        refs[i].run_id = d->events[i].ev->run_id;
        refs[i].event = i;
    }
    qsort(refs, d->n_events, sizeof(*refs), run_ref_cmp);
    for (start = 0; st == PG_OK && !p->redo && start < d->n_events; start = i) {
        const decoded_event_t *first = &d->events[refs[start].event];
        size_t n = 0;

        for (i = start; i < d->n_events && !strcmp(refs[i].run_id, refs[start].run_id); i++) {
            const decoded_event_t *de = &d->events[refs[i].event];

            evs[n].partition = b->msgs[de->msg].partition;
            evs[n].offset = b->msgs[de->msg].offset;
            evs[n].is_delete = de->ev->op == CHANGE_OP_DELETE;
            evs[n].countable = !de->dead;
            n++;
        }
        if (is_bad_run(p, first->ev->run_id))
            continue;
        st = savepoint_begin(ctx->pg, errstr, errstr_size);
        if (st != PG_OK)
            break;
        st =
            metadata_count_events(ctx->pg, first->ev->run_id, first->ws->sc->name, first->ws->topic,
                                  first->ev->full_sync, evs, n, why, sizeof(why));
        if (st != PG_OK && st != PG_DATA)
            errstr_set(errstr, errstr_size, "%s", why);
        st = savepoint_end(ctx->pg, st, errstr, errstr_size);
        if (st == PG_DATA)
            st = poison_run(ctx, b, d, p, first->ev->run_id, why, res, errstr, errstr_size);
    }
    free(refs);
    free(evs);
    return st;
}

/* Each run record under its own savepoint: one the database refuses (a
 * date out of its range, a run_id too long for the index) is
 * dead-lettered. */
static pg_status_t apply_run_records(apply_ctx_t *ctx, const batch_t *b, const decoded_t *d,
                                     poison_t *p, apply_result_t *res, char *errstr,
                                     size_t errstr_size)
{
    char topic[256], why[512];
    pg_status_t st = PG_OK;
    size_t i;

    for (i = 0; st == PG_OK && i < d->n_runs; i++) {
        const run_record_t *rr = d->runs[i].rr;

        if (p->run_dead[i])
            continue;
        topic_for_stream(ctx->conf, rr->stream, topic, sizeof(topic));
        st = savepoint_begin(ctx->pg, errstr, errstr_size);
        if (st != PG_OK)
            break;
        st = metadata_apply_run_record(ctx->pg, rr, topic, why, sizeof(why));
        if (st != PG_OK && st != PG_DATA)
            errstr_set(errstr, errstr_size, "%s", why);
        st = savepoint_end(ctx->pg, st, errstr, errstr_size);
        if (st == PG_DATA) {
            p->run_dead[i] = 1;
            st = dead_letter_msg(ctx, b, d->runs[i].msg, why, res, errstr, errstr_size);
        }
    }
    return st;
}

static pg_status_t complete_runs(apply_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    char *stuck = consumer_stuck_json(ctx->consumer);
    pg_status_t st;

    if (!stuck) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    st = metadata_complete_runs(ctx->pg, ctx->conf->group_id, stuck, NULL, errstr, errstr_size);
    free(stuck);
    return st;
}

/* Everything between BEGIN and COMMIT except the fence and the dead
 * letters' flush. Sets p->redo when it must be rolled back and done again
 * (with more events marked dead). */
static pg_status_t apply_body(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, poison_t *p,
                              apply_result_t *res, char *errstr, size_t errstr_size)
{
    table_counts_t counts = {0, 0, 0};
    pg_status_t st = PG_OK;
    size_t i;

    p->redo = 0;
    for (i = 0; st == PG_OK && i < ctx->streams->n; i++)
        st = table_apply(ctx->pg, b, d, &ctx->streams->items[i], ctx->dlq, &counts, errstr,
                         errstr_size);
    res->upserts = counts.upserts;
    res->deletes = counts.deletes;
    res->dead_letters += counts.dead_letters;
    if (st == PG_OK)
        st = apply_run_records(ctx, b, d, p, res, errstr, errstr_size);
    if (st == PG_OK)
        st = count_runs(ctx, b, d, p, res, errstr, errstr_size);
    if (st == PG_OK && !p->redo)
        st = complete_runs(ctx, errstr, errstr_size);
    return st;
}

/* The body under a savepoint, done again while it poisons a run. */
static pg_status_t apply_body_redo(apply_ctx_t *ctx, const batch_t *b, decoded_t *d,
                                   apply_result_t *res, char *errstr, size_t errstr_size)
{
    poison_t p;
    pg_status_t st;

    memset(&p, 0, sizeof(p));
    if (!(p.run_dead = calloc(d->n_runs + 1, 1))) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    for (;;) {
        st = pg_cmd(ctx->pg, "SAVEPOINT tm_body", errstr, errstr_size);
        if (st == PG_OK)
            st = apply_body(ctx, b, d, &p, res, errstr, errstr_size);
        if (st != PG_OK || !p.redo)
            break;
        st = pg_cmd(ctx->pg, "ROLLBACK TO SAVEPOINT tm_body", errstr, errstr_size);
        if (st == PG_OK)
            st = pg_cmd(ctx->pg, "RELEASE SAVEPOINT tm_body", errstr, errstr_size);
        if (st != PG_OK)
            break;
        log_info("batch done again without a poisoned run", "bad_runs=%zu", p.n_bad);
    }
    poison_clear(&p);
    if (st == PG_OK && dlq_queue_pending(ctx->dlq) > 0 &&
        dlq_queue_flush(ctx->dlq, DLQ_FLUSH_MS, errstr, errstr_size) < 0)
        st = PG_TRANSIENT; /* not acknowledged: not consumed either */
    return st;
}

static apply_status_t run_tx(apply_ctx_t *ctx, const batch_t *b, decoded_t *d, apply_result_t *res,
                             char *errstr, size_t errstr_size)
{
    int fenced = 0;
    pg_status_t st;

    st = pg_ensure(ctx->pg, errstr, errstr_size);
    if (st == PG_OK)
        st = pg_cmd(ctx->pg, "BEGIN", errstr, errstr_size);
    if (st != PG_OK)
        return to_apply_status(st);
    st = fence(ctx, res, &fenced, errstr, errstr_size);
    if (st == PG_OK && fenced) {
        pg_rollback_quiet(ctx->pg);
        return APPLY_FENCED;
    }
    if (st == PG_OK)
        st = apply_body_redo(ctx, b, d, res, errstr, errstr_size);
    if (st == PG_OK)
        st = pg_cmd(ctx->pg, "COMMIT", errstr, errstr_size);
    if (st != PG_OK) {
        pg_rollback_quiet(ctx->pg);
        return to_apply_status(st);
    }
    return APPLY_OK;
}

apply_status_t apply_batch(apply_ctx_t *ctx, const batch_t *b, apply_result_t *res, char *errstr,
                           size_t errstr_size)
{
    decoded_t d;
    apply_status_t as;

    memset(res, 0, sizeof(*res));
    dlq_queue_discard(ctx->dlq); /* left by an attempt that failed */
    if (apply_part_ranges(b, &res->parts, &res->n_parts) < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        return APPLY_FATAL;
    }
    if (decode_batch(b, ctx->streams, ctx->sync_runs_topic, ctx->dlq, &d, errstr, errstr_size) <
        0) {
        decoded_clear(&d);
        dlq_queue_discard(ctx->dlq);
        return APPLY_TRANSIENT;
    }
    res->events = d.n_events;
    res->run_records = d.n_runs;
    res->dead_letters = d.dead_letters;
    as = run_tx(ctx, b, &d, res, errstr, errstr_size);
    if (as != APPLY_OK)
        dlq_queue_discard(ctx->dlq);
    decoded_clear(&d);
    return as;
}
