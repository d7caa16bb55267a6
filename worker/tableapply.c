/*
 * tableapply.c - see tableapply.h.
 */
#include "tableapply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyrow.h"
#include "dedupe.h"
#include "errstr.h"
#include "idkey.h"
#include "reject.h"
#include "rowsahead.h"
#include "tablerows.h"

/* The most COPY text and rows of one statement: a statement that fails
 * is searched for its culprits by halves, and its text is held whole. */
#define STMT_MAX_BYTES ((size_t)64 << 20)
#define STMT_MAX_ROWS  5000

typedef struct table_ctx {
    pg_t *pg;
    const batch_t *b;
    decoded_t *d;
    const stream_sql_t *sql;
    held_stages_t *held;
    dlq_queue_t *dlq;
    table_counts_t *counts;
    int *refused; /* table_apply()'s */
} table_ctx_t;

int held_stages_init(held_stages_t *hs, size_t n_streams)
{
    hs->n = 0;
    hs->cap = n_streams;
    hs->names = calloc(n_streams + 1, sizeof(*hs->names));
    return hs->names ? 0 : -1;
}

void held_stages_free(held_stages_t *hs)
{
    free(hs->names);
    memset(hs, 0, sizeof(*hs));
}

static int stage_held(const held_stages_t *hs, const char *stage)
{
    for (size_t i = 0; i < hs->n; i++)
        if (!strcmp(hs->names[i], stage))
            return 1;
    return 0;
}

/* Never full: each stage is some stream's, and there is room for one per
 * stream. */
static void hold_stage(held_stages_t *hs, const char *stage)
{
    if (!stage_held(hs, stage) && hs->n < hs->cap)
        hs->names[hs->n++] = stage;
}

/* ev: an index into d->events, or n_events + an index into d->tombs. */
static outcome_t dead_letter(table_ctx_t *tc, size_t ev, const char *why, char *errstr,
                             size_t errstr_size)
{
    const decoded_t *d = tc->d;
    size_t msg = ev < d->n_events ? d->events[ev].msg : d->tombs[ev - d->n_events].msg;
    int *dead = ev < d->n_events ? &d->events[ev].dead : &d->tombs[ev - d->n_events].dead;

    return reject_message(tc->dlq, &tc->b->msgs[msg], "apply", why, dead, &tc->counts->dead_letters,
                          errstr, errstr_size);
}

static size_t row_start(const row_set_t *rs, size_t i)
{
    return i ? rs->end[i - 1] : 0;
}

/* Stages rows [lo, hi) and applies them. The stage holds rows from then
 * on; a rollback to the caller's savepoint gives it back what it held
 * before, which tc->held still says. */
static pg_status_t stage_and_apply(table_ctx_t *tc, const row_set_t *rs, size_t lo, size_t hi,
                                   char *why, size_t why_size)
{
    size_t from = row_start(rs, lo);
    pg_status_t st = PG_OK;

    if (stage_held(tc->held, tc->sql->stage))
        st = pg_cmd(tc->pg, tc->sql->empty_stage, why, why_size);
    if (st == PG_OK)
        st = pg_copy_in(tc->pg, rs->copy, rs->text.buf + from, rs->end[hi - 1] - from, why,
                        why_size);
    if (st == PG_OK)
        st = pg_exec_prepared(tc->pg, rs->name, rs->sql, 0, NULL, NULL, why, why_size);
    if (st == PG_OK)
        hold_stage(tc->held, tc->sql->stage);
    return st;
}

/*
 * A NOT NULL violation (sqlstate) in a column (col) the stream does not
 * write, that has no default, is not generated and that no BEFORE INSERT
 * row trigger of the table may fill (a user's column added bare) is no
 * row's fault: every row would be refused, updates too (the proposed row is
 * checked before ON CONFLICT finds the existing one), and dead-lettering
 * them all would empty the stream into the DLQ. It is retried, as a
 * missing grant is, until the column gets a default or allows NULL. 1
 * when that is the failure, with errstr saying so. Where a default or a
 * trigger fills the column, a NULL there is that row's: 0. (tgtype bits:
 * ROW 1, BEFORE 2, INSERT 4. A BEFORE UPDATE trigger, the usual
 * updated_at = now(), never sees the proposed row that NOT NULL refuses.)
 */
#define NOT_NULL_BARE_SQL                                                                          \
    "SELECT 1 FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2"              \
    " AND NOT a.attisdropped AND NOT a.atthasdef AND a.attgenerated = ''"                          \
    " AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = a.attrelid"                     \
    " AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 7) = 7)"

static int foreign_not_null(const table_ctx_t *tc, const char *sqlstate, const char *col,
                            const char *why, char *errstr, size_t errstr_size)
{
    if (strcmp(sqlstate, "23502") != 0 || !col[0] || stream_sql_writes(tc->sql, col))
        return 0;
    const char *params[2] = {tc->sql->table, col};
    PGresult *res = NULL;
    char e[256];
    int bare = pg_exec(tc->pg, NOT_NULL_BARE_SQL, 2, params, &res, e, sizeof(e)) == PG_OK &&
               PQntuples(res) > 0;
    PQclear(res);
    if (!bare)
        return 0;
    errstr_set(errstr, errstr_size,
               "%s: column \"%s\" is NOT NULL without a default, and the stream does not write "
               "it: no row can be written until it has a default or allows NULL (%s)",
               tc->sql->table, col, why);
    return 1;
}

/*
 * A statement of the stream failed transiently (why): when the failure is
 * its table's (a missing privilege, 42501; a lock or an object in use,
 * class 55), notes it as the table's refusal and, for a lock timeout,
 * names the table. Anything else (the connection, the server's
 * resources, a cancel at stop) is every stream's.
 */
static void transient_failure(table_ctx_t *tc, const char *why, char *errstr, size_t errstr_size)
{
    const char *sqlstate = pg_last_sqlstate(tc->pg);

    if (!strcmp(sqlstate, "55P03"))
        errstr_set(errstr, errstr_size, "%s (on table %s)", why, tc->sql->table);
    else
        errstr_set(errstr, errstr_size, "%s", why);
    if (!strcmp(sqlstate, "42501") || !strncmp(sqlstate, "55", 2))
        *tc->refused = 1;
}

/* Rows of a set that failed alone, to be tried again (exec_sets()). */
typedef struct lone_rows {
    const row_set_t *rs; /* the set they are rows of */
    size_t *idx;
    size_t n;
    /* What the n failed alone with: how many with a class that may be
     * the table's refusal (table_wide(); the first one's SQLSTATE, for
     * the log), and how many on one NOT NULL column that the stream does
     * not write (unfilled_column(); the first such column). */
    size_t n_wide, n_unfilled;
    char sqlstate[8];
    char column[64];
} lone_rows_t;

/*
 * Whether a refusal of every row may be the table's rather than the rows':
 * a trigger's RAISE (class P0: a "maintenance" trigger refuses all), any
 * other failure of a trigger or routine (classes 09, 27, 2F, 38, 39: a
 * trigger broken for every row) and a row-level security policy (42501:
 * one that no row of this worker's passes). A constraint's (class 23, 22)
 * is the rows' even for all of them: a CHECK the data does not meet.
 */
static int table_wide(const char *sqlstate)
{
    static const char *const classes[] = {"P0", "09", "27", "2F", "38", "39"};

    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (!strncmp(sqlstate, classes[i], 2))
            return 1;
    return !strcmp(sqlstate, "42501");
}

/*
 * Whether a row failed for a NOT NULL column the stream does not write.
 * Where a trigger or default might fill it, foreign_not_null() leaves the
 * failure to the row; but when every row fails alone on it (a BEFORE
 * INSERT OR UPDATE trigger setting updated_at and nothing else), that is
 * the table's, and dead-lettering them all would empty the stream into
 * the DLQ.
 */
static int unfilled_column(const table_ctx_t *tc, const char *sqlstate, const char *col)
{
    return !strcmp(sqlstate, "23502") && col[0] && !stream_sql_writes(tc->sql, col);
}

/* Adds row to later, the set's rows that failed alone (with sqlstate, on
 * column col) to be tried again. */
static void lone_add(const table_ctx_t *tc, lone_rows_t *later, size_t row, const char *sqlstate,
                     const char *col)
{
    if (later->n == 0) {
        later->n_wide = later->n_unfilled = 0;
        later->sqlstate[0] = later->column[0] = '\0';
    }
    if (table_wide(sqlstate) && later->n_wide++ == 0)
        snprintf(later->sqlstate, sizeof(later->sqlstate), "%s", sqlstate);
    if (unfilled_column(tc, sqlstate, col) && (!later->column[0] || !strcmp(col, later->column))) {
        snprintf(later->column, sizeof(later->column), "%s", col);
        later->n_unfilled++;
    }
    later->idx[later->n++] = row;
}

/*
 * Runs rows [lo, hi) in one statement under a savepoint. When the content
 * of a row fails it (PG_DATA), the savepoint is rolled back (the stage
 * with it) and each half is tried on its own, down to the row that fails
 * alone: that one goes to later (room for every row of the set), or is
 * dead-lettered when later is NULL; the others are applied. SAVEPOINT
 * and RELEASE go with the next statement (pg_defer()).
 */
static outcome_t exec_range(table_ctx_t *tc, const row_set_t *rs, size_t lo, size_t hi,
                            lone_rows_t *later, char *errstr, size_t errstr_size)
{
    char why[512];
    pg_status_t st = pg_defer(tc->pg, "SAVEPOINT tm_rows", errstr, errstr_size);

    if (st != PG_OK)
        return outcome_from_pg(st);
    st = stage_and_apply(tc, rs, lo, hi, why, sizeof(why));
    if (st == PG_OK)
        return outcome_from_pg(pg_defer(tc->pg, "RELEASE SAVEPOINT tm_rows", errstr, errstr_size));
    if (st == PG_TRANSIENT)
        transient_failure(tc, why, errstr, errstr_size);
    else if (st != PG_DATA)
        errstr_set(errstr, errstr_size, "%s", why);
    if (st != PG_DATA)
        return outcome_from_pg(st);
    char sqlstate[8], col[64]; /* the failure's, before the rollback forgets them */
    snprintf(sqlstate, sizeof(sqlstate), "%s", pg_last_sqlstate(tc->pg));
    snprintf(col, sizeof(col), "%s", pg_last_column(tc->pg));
    st = pg_cmd(tc->pg, "ROLLBACK TO SAVEPOINT tm_rows", errstr, errstr_size);
    if (st == PG_OK)
        st = pg_defer(tc->pg, "RELEASE SAVEPOINT tm_rows", errstr, errstr_size);
    if (st != PG_OK)
        return outcome_from_pg(st);
    if (foreign_not_null(tc, sqlstate, col, why, errstr, errstr_size)) {
        *tc->refused = 1;
        return OUTCOME_RETRY;
    }
    if (hi - lo == 1 && later) {
        lone_add(tc, later, lo, sqlstate, col);
        return OUTCOME_OK;
    }
    if (hi - lo == 1)
        return dead_letter(tc, rs->ev[lo], why, errstr, errstr_size);
    size_t mid = lo + (hi - lo) / 2;
    outcome_t oc = exec_range(tc, rs, lo, mid, later, errstr, errstr_size);
    return oc == OUTCOME_OK ? exec_range(tc, rs, mid, hi, later, errstr, errstr_size) : oc;
}

/* The most row sets tried together (a stream's upserts and deletes). */
#define LONE_SETS_MAX 2

static size_t lone_total(const lone_rows_t *sets, size_t n_sets)
{
    size_t n = 0;
    for (size_t s = 0; s < n_sets; s++)
        n += sets[s].n;
    return n;
}

/* OUTCOME_RETRY with errstr when the n rows of later that failed alone in
 * a round that applied nothing are every row of their set, and most of
 * them, two at least, were refused by a trigger or a row-level security
 * policy (table_wide()) or for one NOT NULL column the stream does not
 * write (unfilled_column()): the table's refusal (a maintenance trigger,
 * with a row of its own failure or two among them: they wait with the
 * batch), not the rows'. OUTCOME_OK otherwise, dead-lettering them: a
 * CHECK failure and one trigger refusal are two rows' own. */
static outcome_t refused_by_table(table_ctx_t *tc, const lone_rows_t *later, size_t n, char *errstr,
                                  size_t errstr_size)
{
    if (n != later->rs->n || n < 2)
        return OUTCOME_OK;
    if (later->n_wide >= 2 && later->n_wide * 2 > n) {
        errstr_set(errstr, errstr_size,
                   "%s: every row of the statement was refused alone, most with %s: taken "
                   "for the table's refusal, not the rows', and retried",
                   tc->sql->table, later->sqlstate);
        *tc->refused = 1;
        return OUTCOME_RETRY;
    }
    if (later->n_unfilled >= 2 && later->n_unfilled * 2 > n) {
        errstr_set(errstr, errstr_size,
                   "%s: column \"%s\" is NOT NULL, the stream does not write it and every "
                   "row of the statement was refused alone, most for it (23502): no row can "
                   "be written until it has a default or allows NULL, or a trigger fills it",
                   tc->sql->table, later->column);
        *tc->refused = 1;
        return OUTCOME_RETRY;
    }
    return OUTCOME_OK;
}

/*
 * The rows that failed alone, tried again once the others are in, those
 * of every set (a stream's upserts and its deletes), round after round
 * while a round applies any: a row may fail only for a row applied after
 * it. A unique value that moves from one id to another in one batch (7002
 * leaves an address, 7001 takes it) fails for 7001 while 7002 still holds
 * it: the set's order is by id, not by the change's, and 7002 may leave by
 * its delete, which runs after the upserts. What fails in a round that
 * applies nothing is dead-lettered, unless the table refuses it all
 * (refused_by_table()): then the batch is retried.
 */
static outcome_t retry_lone(table_ctx_t *tc, lone_rows_t *sets, size_t n_sets, char *errstr,
                            size_t errstr_size)
{
    outcome_t oc = OUTCOME_OK;
    size_t n[LONE_SETS_MAX];

    while (oc == OUTCOME_OK && lone_total(sets, n_sets) > 0) {
        size_t before = lone_total(sets, n_sets);
        for (size_t s = 0; s < n_sets; s++) {
            lone_rows_t *later = &sets[s];
            n[s] = later->n;
            later->n = 0; /* refilled in place: a round never adds rows */
            for (size_t i = 0; oc == OUTCOME_OK && i < n[s]; i++)
                oc = exec_range(tc, later->rs, later->idx[i], later->idx[i] + 1, later, errstr,
                                errstr_size);
        }
        if (oc != OUTCOME_OK || lone_total(sets, n_sets) < before)
            continue;
        for (size_t s = 0; oc == OUTCOME_OK && s < n_sets; s++)
            oc = refused_by_table(tc, &sets[s], n[s], errstr, errstr_size);
        for (size_t s = 0; s < n_sets; s++) { /* no progress: their reasons */
            lone_rows_t *later = &sets[s];
            for (size_t i = 0; oc == OUTCOME_OK && i < n[s]; i++)
                oc = exec_range(tc, later->rs, later->idx[i], later->idx[i] + 1, NULL, errstr,
                                errstr_size);
            later->n = 0;
        }
    }
    return oc;
}

/* Applies later->rs in statements of at most STMT_MAX_BYTES and
 * STMT_MAX_ROWS; the rows that fail alone go to later. */
static outcome_t exec_statements(table_ctx_t *tc, lone_rows_t *later, char *errstr,
                                 size_t errstr_size)
{
    const row_set_t *rs = later->rs;
    outcome_t st = OUTCOME_OK;

    for (size_t lo = 0, hi; st == OUTCOME_OK && lo < rs->n; lo = hi) {
        size_t from = row_start(rs, lo);

        for (hi = lo + 1;
             hi < rs->n && hi - lo < STMT_MAX_ROWS && rs->end[hi] - from <= STMT_MAX_BYTES; hi++)
            ;
        st = exec_range(tc, rs, lo, hi, later, errstr, errstr_size);
    }
    return st;
}

/* Applies each of sets (at most LONE_SETS_MAX), in order, then tries again
 * the rows of all of them that failed alone (retry_lone()). */
static outcome_t exec_sets(table_ctx_t *tc, const row_set_t *const *sets, size_t n_sets,
                           char *errstr, size_t errstr_size)
{
    lone_rows_t lone[LONE_SETS_MAX];
    outcome_t st = OUTCOME_OK;
    size_t s;

    memset(lone, 0, sizeof(lone));
    for (s = 0; s < n_sets; s++) {
        lone[s].rs = sets[s];
        if (!(lone[s].idx = malloc((sets[s]->n + 1) * sizeof(size_t)))) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        }
    }
    for (s = 0; st == OUTCOME_OK && s < n_sets; s++)
        st = exec_statements(tc, &lone[s], errstr, errstr_size);
    if (st == OUTCOME_OK)
        st = retry_lone(tc, lone, n_sets, errstr, errstr_size);
    for (s = 0; s < n_sets; s++)
        free(lone[s].idx);
    return st;
}

/*
 * The Kafka tombstones of ws, after its events (their statement orders
 * them against whatever the events left): the latest per key, by (Kafka
 * timestamp, partition, offset). A tombstone whose key is not of the id
 * field's type is dead-lettered; one whose statement fails alone too
 * (exec_sets) is dead-lettered as an event would be, through the event
 * index space: rs->ev holds n_events + t for tombstone t.
 */
static outcome_t apply_tombs(table_ctx_t *tc, const worker_stream_t *ws, char *errstr,
                             size_t errstr_size)
{
    const schema_field_t *idf = record_schema_field(ws->rs, ws->sc->id_field);
    decoded_t *d = tc->d;
    dedupe_item_t *items = calloc(d->n_tombs + 1, sizeof(*items));
    char **keys = calloc(d->n_tombs + 1, sizeof(*keys));
    outcome_t st = OUTCOME_OK;
    row_set_t rs;
    size_t i, n = 0, w;
    char why[512];

    memset(&rs, 0, sizeof(rs));
    if (!items || !keys ||
        row_set_init(&rs, d->n_tombs, ws->sql.copy_keys, ws->sql.tombstone_name,
                     ws->sql.tombstone_rows) < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = OUTCOME_FATAL;
    }
    for (i = 0; st == OUTCOME_OK && i < d->n_tombs; i++) {
        const decoded_tomb_t *dt = &d->tombs[i];
        const batch_msg_t *m = &tc->b->msgs[dt->msg];
        int rc;

        if (dt->ws != ws || dt->dead)
            continue;
        rc = idkey_canonical(idf, dt->id, &keys[i], why, sizeof(why));
        if (rc == -2) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        } else if (rc < 0) {
            st = dead_letter(tc, d->n_events + i, why, errstr, errstr_size);
        } else {
            items[n].id = keys[i];
            items[n].produced_at_ms = m->timestamp;
            items[n].partition = m->partition;
            items[n].offset = m->offset;
            items[n].index = i;
            n++;
        }
    }
    w = st == OUTCOME_OK ? dedupe_latest(items, n) : 0;
    for (i = 0; st == OUTCOME_OK && i < w; i++) {
        const batch_msg_t *m = &tc->b->msgs[d->tombs[items[i].index].msg];

        if (copyrow_tombstone(&rs.text, items[i].id, m->partition, m->offset, m->timestamp) < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            st = OUTCOME_FATAL;
        } else {
            row_set_added(&rs, d->n_events + items[i].index);
        }
    }
    if (st == OUTCOME_OK) {
        tc->counts->deletes += rs.n;
        const row_set_t *sets[] = {&rs};
        st = exec_sets(tc, sets, 1, errstr, errstr_size);
    }
    row_set_clear(&rs);
    for (i = 0; keys && i < d->n_tombs; i++)
        free(keys[i]);
    free(keys);
    free(items);
    return st;
}

/* Dead-letters what tr refused while building its round. */
static outcome_t reject_rows(table_ctx_t *tc, const table_rows_t *tr, char *errstr,
                             size_t errstr_size)
{
    outcome_t st = OUTCOME_OK;

    for (size_t i = 0; st == OUTCOME_OK && i < tr->n_rejects; i++)
        st = dead_letter(tc, tr->rejects[i].ev, tr->rejects[i].why, errstr, errstr_size);
    return st;
}

/* Round after round of tr until every key has its newest valid event
 * applied: a round where no event died leaves none for the next. */
static outcome_t apply_rounds(table_ctx_t *tc, table_rows_t *tr, char *errstr, size_t errstr_size)
{
    outcome_t st = OUTCOME_OK;

    for (;;) {
        size_t dead_before = tc->counts->dead_letters;

        st = reject_rows(tc, tr, errstr, errstr_size);
        if (st != OUTCOME_OK || tr->n_tried == 0)
            break;
        tc->counts->upserts += tr->ups.n;
        tc->counts->deletes += tr->dels.n;
        const row_set_t *sets[] = {&tr->ups, &tr->dels};
        st = exec_sets(tc, sets, 2, errstr, errstr_size);
        if (st != OUTCOME_OK || tc->counts->dead_letters == dead_before)
            break;
        if (table_rows_round(tr, tc->b, tc->d) < 0) {
            errstr_set(errstr, errstr_size, "out of memory");
            return OUTCOME_FATAL;
        }
    }
    return st;
}

outcome_t table_apply(pg_t *pg, const batch_t *b, decoded_t *d, const worker_stream_t *ws,
                      held_stages_t *held, dlq_queue_t *dlq, table_counts_t *counts, int *refused,
                      char *errstr, size_t errstr_size)
{
    table_ctx_t tc = {pg, b, d, &ws->sql, held, dlq, counts, refused};
    table_rows_t tr;
    outcome_t st = OUTCOME_OK;

    *refused = 0;
    /* the first apply of ws in this batch may find its rows built ahead */
    if (!rows_ahead_take(d->ahead, ws, &tr) && table_rows_build(&tr, b, d, ws) < 0) {
        errstr_set(errstr, errstr_size, "out of memory");
        st = OUTCOME_FATAL;
    }
    if (st == OUTCOME_OK)
        st = apply_rounds(&tc, &tr, errstr, errstr_size);
    table_rows_clear(&tr);
    if (st == OUTCOME_OK && d->n_tombs > 0)
        st = apply_tombs(&tc, ws, errstr, errstr_size);
    return st;
}

pg_status_t table_stages_create(pg_t *pg, const worker_streams_t *ws, char *errstr,
                                size_t errstr_size)
{
    pg_status_t st = PG_OK;

    for (size_t i = 0; st == PG_OK && i < ws->n; i++)
        st = pg_cmd(pg, ws->items[i].sql.create_stage, errstr, errstr_size);
    return st;
}
