/*
 * fencing.c - see fencing.h.
 */
#include "fencing.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "errstr.h"
#include "log.h"
#include "offsets.h"

struct fencing {
    pg_t *pg;
    const char *group;
    stored_offsets_t stored;   /* the last read of the group's rows */
    stored_offsets_t expected; /* the assigned partitions' expected offsets */
    stored_offsets_t warned;   /* partitions warned about a row of another table */
    fencing_table_fn table_of;
    void *table_ctx;
};

fencing_t *fencing_new(pg_t *pg, const char *group)
{
    fencing_t *f = malloc(sizeof(*f));

    if (f)
        *f = (fencing_t){.pg = pg, .group = group};
    return f;
}

void fencing_set_tables(fencing_t *f, fencing_table_fn table_of, void *ctx)
{
    f->table_of = table_of;
    f->table_ctx = ctx;
}

static const char *table_of(const fencing_t *f, const char *topic)
{
    return f->table_of ? f->table_of(f->table_ctx, topic) : NULL;
}

void fencing_destroy(fencing_t *f)
{
    if (f) {
        offsets_clear(&f->warned);
        offsets_clear(&f->expected);
        offsets_clear(&f->stored);
    }
    free(f);
}

int fencing_expected(const fencing_t *f, const char *topic, int32_t partition, int64_t *out)
{
    const stored_offset_t *e = offsets_find(&f->expected, topic, partition);

    if (!e)
        return -1;
    *out = e->next_offset;
    return 0;
}

/* Reads the group's stored offsets into f->stored. */
static pg_status_t read_stored(fencing_t *f, char *errstr, size_t errstr_size)
{
    offsets_clear(&f->stored);
    pg_status_t st = pg_ensure(f->pg, errstr, errstr_size);
    if (st == PG_OK)
        st = offsets_read_group(f->pg, f->group, &f->stored, errstr, errstr_size);
    return st;
}

/* consumer_offsets_t.load: retries transient failures until it works or
 * the worker is stopping (the assignment waits for the database). */
static int load(void *ctx)
{
    fencing_t *f = ctx;

    for (int attempt = 0;; attempt++) {
        char err[512];

        if (read_stored(f, err, sizeof(err)) == PG_OK)
            return 0;
        char qb[600];
        log_warn("cannot read stored offsets; retrying", "error=%s",
                 log_quote(qb, sizeof(qb), err));
        if (backoff_sleep(attempt) < 0)
            return -1;
    }
}

/* The stored offset of (topic, partition) as this worker reads it: -1
 * when none, or when the row was applied to another table. */
static int64_t lookup(const fencing_t *f, const char *topic, int32_t partition)
{
    const stored_offset_t *e = offsets_find(&f->stored, topic, partition);

    if (!e)
        return -1;
    return offsets_same_table(e->applied_table, table_of(f, topic)) ? e->next_offset : -1;
}

static int64_t stored(void *ctx, const char *topic, int32_t partition)
{
    fencing_t *f = ctx;
    const stored_offset_t *e = offsets_find(&f->stored, topic, partition);
    const char *table = table_of(f, topic);

    if (e && !offsets_same_table(e->applied_table, table) &&
        !offsets_find(&f->warned, topic, partition)) {
        /* names as PostgreSQL writes them: a quoted one ("Customers") is
         * no plain token, and applied_table is whatever the row holds */
        char qt[300], qa[300];
        log_warn("the group's members disagree on the table: the partition's stored offset was "
                 "applied to another table (`table` changed, and a worker on the other "
                 "configuration, or this group before this start, applied it); the partition is "
                 "replayed into this worker's table from its first message. While the workers' "
                 "configurations differ, a partition may move between them and be replayed into "
                 "each one's table",
                 "topic=%s partition=%" PRId32 " table=%s applied_table=%s stored=%" PRId64, topic,
                 partition, log_quote(qt, sizeof(qt), table),
                 log_quote(qa, sizeof(qa), e->applied_table), e->next_offset);
        if (offsets_set(&f->warned, topic, partition, e->next_offset) != 0)
            log_debug("out of memory: the partition is warned of again", "topic=%s", topic);
    }
    return lookup(f, topic, partition);
}

static int has_topic(void *ctx, const char *topic)
{
    const fencing_t *f = ctx;

    return offsets_has_topic(&f->stored, topic, table_of(f, topic));
}

static int has_row(void *ctx, const char *topic, int32_t partition)
{
    const fencing_t *f = ctx;
    const stored_offset_t *e = offsets_find(&f->stored, topic, partition);

    return e && e->next_offset >= 0;
}

/* consumer_offsets_t.store: in its own transaction (autocommit: no batch
 * is open when the consumer places a partition). */
static int store(void *ctx, const char *topic, int32_t partition, int64_t from, int64_t to)
{
    fencing_t *f = ctx;
    char err[512];
    int moved = 0;
    pg_status_t st = pg_ensure(f->pg, err, sizeof(err));

    if (st == PG_OK)
        st = offsets_cas(f->pg, f->group, topic, partition, table_of(f, topic), from, to, &moved,
                         err, sizeof(err));
    if (st != PG_OK) {
        char q[600];
        log_warn("cannot store the new offset; the next batch will",
                 "topic=%s partition=%" PRId32 " error=%s", topic, partition,
                 log_quote(q, sizeof(q), err));
    }
    return st == PG_OK && moved;
}

static int64_t expected(void *ctx, const char *topic, int32_t partition)
{
    int64_t out = -1;

    return fencing_expected(ctx, topic, partition, &out) == 0 ? out : -1;
}

static int set_expected(void *ctx, const char *topic, int32_t partition, int64_t value)
{
    fencing_t *f = ctx;

    return offsets_set(&f->expected, topic, partition, value);
}

static void forget(void *ctx, const char *topic, int32_t partition)
{
    fencing_t *f = ctx;

    offsets_remove(&f->expected, topic, partition);
}

static int mark(void *ctx, const char *topic, int32_t partition, offset_mark_t *out)
{
    const fencing_t *f = ctx;
    const stored_offset_t *e = offsets_find(&f->stored, topic, partition);

    if (!e || !e->mark.known || lookup(f, topic, partition) < 0)
        return 0;
    *out = e->mark;
    return 1;
}

consumer_offsets_t fencing_offsets(fencing_t *f)
{
    consumer_offsets_t o = {load,  stored,   has_topic,    has_row, mark,
                            store, expected, set_expected, forget,  f};

    return o;
}

pg_status_t fencing_claim(fencing_t *f, part_range_t *parts, size_t n, size_t *fenced, char *errstr,
                          size_t errstr_size)
{
    size_t k = 0; /* parts[0, k) are assigned */

    while (k < n &&
           fencing_expected(f, parts[k].topic, parts[k].partition, &parts[k].expected) == 0)
        k++;
    *fenced = k;
    if (k == 0)
        return PG_OK;
    offset_move_t *moves = calloc(k, sizeof(*moves));
    if (!moves) {
        errstr_set(errstr, errstr_size, "out of memory");
        return PG_FATAL;
    }
    for (size_t i = 0; i < k; i++)
        moves[i] = (offset_move_t){parts[i].topic,
                                   parts[i].partition,
                                   parts[i].expected,
                                   parts[i].next,
                                   0,
                                   table_of(f, parts[i].topic),
                                   parts[i].last};
    /* one statement: a round trip per partition would cost more than the rows */
    pg_status_t st = offsets_cas_all(f->pg, f->group, moves, k, errstr, errstr_size);
    for (size_t i = 0; st == PG_OK && i < k; i++)
        if (!moves[i].moved) { /* moved under us */
            *fenced = i;
            break;
        }
    free(moves);
    return st;
}

void fencing_committed(fencing_t *f, const part_range_t *parts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        stored_offset_t *e = offsets_find(&f->expected, parts[i].topic, parts[i].partition);

        if (e)
            e->next_offset = parts[i].next;
    }
}

int fencing_applied(fencing_t *f, const part_range_t *parts, size_t n)
{
    char err[512];

    if (read_stored(f, err, sizeof(err)) != PG_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lookup(f, parts[i].topic, parts[i].partition) != parts[i].next)
            return 0;
    return n > 0;
}

void fencing_log_fenced(fencing_t *f, const part_range_t *p, int64_t dead_letters_produced)
{
    char err[512];
    int64_t now = -1;

    if (read_stored(f, err, sizeof(err)) == PG_OK)
        now = offsets_lookup(&f->stored, p->topic, p->partition);
    log_warn("offset moved under this worker; batch rolled back",
             "topic=%s partition=%" PRId32 " expected=%" PRId64 " stored=%" PRId64
             " dead_letters_produced=%" PRId64,
             p->topic, p->partition, p->expected, now, dead_letters_produced);
}

outcome_t fencing_resync(fencing_t *f, consumer_t *c, int all, int *n_moved, char *errstr,
                         size_t errstr_size)
{
    if (n_moved)
        *n_moved = 0;
    pg_status_t st = read_stored(f, errstr, errstr_size);
    if (st != PG_OK)
        return outcome_from_pg(st);
    return consumer_reposition(c, all, n_moved, errstr, errstr_size);
}

/*
 * The compare-and-set only checks the stored offset against the expected
 * one, not that a batch starts there, so a partition left past the dropped
 * messages would commit its next batch over a gap and lose them: hence
 * the retries until it worked, the worker stops or a fatal error.
 */
outcome_t fencing_reseek(fencing_t *f, consumer_t *c)
{
    for (int attempt = 0;; attempt++) {
        char err[512];
        outcome_t oc = fencing_resync(f, c, 1, NULL, err, sizeof(err));

        if (oc == OUTCOME_OK)
            return oc;
        char qb[600];
        log_quote(qb, sizeof(qb), err);
        if (oc == OUTCOME_FATAL) {
            log_error("cannot re-read stored offsets; stopping", "error=%s", qb);
            return oc;
        }
        log_warn("cannot re-read stored offsets; retrying", "error=%s attempt=%d", qb, attempt + 1);
        if (backoff_sleep(attempt) < 0)
            return OUTCOME_RETRY; /* stopping: no further batch will be applied */
    }
}
