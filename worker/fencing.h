/*
 * fencing.h - the database as the source of truth for this worker's
 * positions (README, Guarantees 6): the stored offsets of sync_offsets, the
 * "expected" offset of each assigned partition, the compare-and-set that
 * fences a batch, and the re-reads and re-seeks after a fenced or
 * rolled-back batch or an offset moved by reset-offsets.
 *
 *   assignment   the consumer loads the stored offsets and places each
 *                partition there, through fencing_offsets() (callbacks:
 *                the consumer holds no PostgreSQL connection);
 *   batch        fencing_claim() moves each partition's stored offset from
 *                its expected one to the batch's next, first thing in the
 *                batch's transaction: a miss means another worker (or
 *                reset-offsets) moved it, and the batch is rolled back;
 *                after the commit fencing_committed() moves expected;
 *   afterwards   fencing_resync() re-reads the stored offsets and has the
 *                consumer seek the partitions that moved (all of them
 *                after a rolled-back batch: fencing_reseek()).
 *
 * Expected offset: what the database holds for the partition as far as
 * this worker knows (-1: no row), the value the next compare-and-set
 * starts from. A partition the consumer does not hold has none.
 *
 * Owns: the expected-offset table and the last read of the stored offsets;
 * borrows pg and group (they must outlive it). Main thread only (the
 * consumer's callbacks run inside its poll, on the main thread).
 * Failures: fencing_claim() returns a pg_status_t (SQL in the caller's
 * transaction); the rest return outcome_t (outcome.h).
 */
#ifndef TIDEMARK_WORKER_FENCING_H
#define TIDEMARK_WORKER_FENCING_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "consumer.h"
#include "offsets.h"
#include "outcome.h"
#include "pg.h"

/* One partition of a batch. */
typedef struct part_range {
    const char *topic; /* borrowed from the batch */
    int32_t partition;
    int64_t expected;   /* stored offset the batch starts from; -1: no row */
    int64_t first;      /* first offset in the batch */
    int64_t next;       /* last offset in the batch + 1 */
    offset_mark_t last; /* the message at next - 1 */
} part_range_t;

typedef struct fencing fencing_t;

/* NULL when out of memory. */
fencing_t *fencing_new(pg_t *pg, const char *group);
void fencing_destroy(fencing_t *f);

/*
 * The table a topic's batches are applied to (its stream's; NULL: none,
 * the run records' topic), which every compare-and-set writes into the
 * row (sync_offsets.applied_table) and against which the rows are read: a
 * row applied to another table is read as none (offsets_same_table()),
 * and the partition replayed into this worker's table from its first
 * message, with a warning once per partition. Unset: every row counts.
 */
typedef const char *(*fencing_table_fn)(void *ctx, const char *topic);
void fencing_set_tables(fencing_t *f, fencing_table_fn table_of, void *ctx);

/* The callbacks consumer_new() takes (ctx = f). */
consumer_offsets_t fencing_offsets(fencing_t *f);

/* The expected offset of an assigned partition into *out: 0, or -1 when
 * the partition is not assigned. */
int fencing_expected(const fencing_t *f, const char *topic, int32_t partition, int64_t *out);

/*
 * Inside the caller's open transaction: sets each part's expected and
 * moves its stored offset from expected to next, all in one statement.
 * *fenced is the index of the first part whose stored offset was not
 * expected (or that is not assigned any more): the caller must roll back;
 * n when none was.
 */
pg_status_t fencing_claim(fencing_t *f, part_range_t *parts, size_t n, size_t *fenced, char *errstr,
                          size_t errstr_size) TM_WARN_UNUSED;

/* After the commit of a claimed batch: each part's expected is its next. */
void fencing_committed(fencing_t *f, const part_range_t *parts, size_t n);

/* 1 when every part's stored offset is its next: the batch is in the
 * database (its COMMIT went through though its reply was lost with the
 * connection). 0 when not, or when the offsets cannot be read. */
int fencing_applied(fencing_t *f, const part_range_t *parts, size_t n);

/* Logs at warn that p was fenced, with its stored offset as it is now
 * and the dead letters the dropped batch had produced (whoever consumes
 * its messages again produces them again). */
void fencing_log_fenced(fencing_t *f, const part_range_t *p, int64_t dead_letters_produced);

/*
 * Re-reads the stored offsets and has c seek the partitions whose stored
 * offset moved (every one when all != 0), see consumer_reposition().
 * OUTCOME_RETRY: PostgreSQL or a seek failed (errstr); OUTCOME_FATAL.
 */
outcome_t fencing_resync(fencing_t *f, consumer_t *c, int all, int *n_moved, char *errstr,
                         size_t errstr_size) TM_WARN_UNUSED;

/*
 * After a batch was dropped without a commit: puts every assigned
 * partition back at its stored offset, retrying (logged, with a backoff)
 * until it worked. OUTCOME_OK, OUTCOME_FATAL (logged), or OUTCOME_RETRY
 * when the worker is stopping first (nothing more is committed then).
 */
outcome_t fencing_reseek(fencing_t *f, consumer_t *c) TM_WARN_UNUSED;

#endif
