/*
 * offsets.h - the sync_offsets table: a consumer group's stored positions
 * (the source of truth; Kafka's committed offsets only follow) and the
 * compare-and-set that fences a worker that lost a partition (fencing.h
 * decides when; README, Guarantees 6).
 *
 * Main thread; uses the caller's pg_t and transaction. Every function
 * that runs SQL returns a pg_status_t (pg.h).
 */
#ifndef TIDEMARK_WORKER_OFFSETS_H
#define TIDEMARK_WORKER_OFFSETS_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "offsetmark.h"
#include "pg.h"

typedef struct stored_offset {
    char *topic;
    int32_t partition;
    int64_t next_offset;
    /* the table the row's batches were applied to (sync_offsets.
     * applied_table); NULL: any (a row written before the column, or by
     * reset-offsets, or of a topic without a table: the run records') */
    char *applied_table;
    offset_mark_t mark; /* sync_offsets.last_ts, last_key_sum */
} stored_offset_t;

/* A set of partitions with an offset each: the rows read (and, in
 * fencing.c, the expected offsets). Pure, no database. */
typedef struct stored_offsets {
    stored_offset_t *items;
    size_t n;
} stored_offsets_t;

/* Reads every row of group (with its applied_table, read as NULL where
 * the column is not there yet: status and reset-offsets may run before a
 * worker of this build added it). */
pg_status_t offsets_read_group(pg_t *pg, const char *group, stored_offsets_t *out, char *errstr,
                               size_t errstr_size) TM_WARN_UNUSED;

/*
 * The other consumer groups with rows in sync_offsets, as "a, b" into
 * *names (the caller frees it; NULL: none). sync_metadata counts a run's
 * events once per database, whichever group applied them: two groups
 * there mix their counts and complete each other's runs.
 */
pg_status_t offsets_other_groups(pg_t *pg, const char *group, char **names, char *errstr,
                                 size_t errstr_size) TM_WARN_UNUSED;

/*
 * Deletes group's rows for topic, *n_rows the number deleted: the group
 * then reads the topic as a fresh group does, from its first message
 * (consumer_position.c). Rows reset-offsets placed, none of them moved by
 * a batch since (placed_by_reset), are kept: where an operator said to
 * start. Runs in the caller's transaction.
 */
pg_status_t offsets_forget_topic(pg_t *pg, const char *group, const char *topic, long *n_rows,
                                 char *errstr, size_t errstr_size) TM_WARN_UNUSED;

/* The stored next offset of (topic, partition) in so, or -1 if none. */
int64_t offsets_lookup(const stored_offsets_t *so, const char *topic, int32_t partition);

/*
 * Whether a row applied to applied_table counts for a reader whose table
 * is table: either NULL (any), or the same name. A row of another table
 * is read as none: the stream's `table` changed, or the group's members
 * disagree on it while a rolling restart runs; the partition is then
 * replayed into the reader's table from its first message, and the
 * compare-and-set takes the row over (offsets_cas_all()).
 */
int offsets_same_table(const char *applied_table, const char *table);

/* Whether so has a row for some partition of topic, applied to table
 * (offsets_same_table()): the group has read the topic into it, and
 * places each partition with a row (consumer_place()). */
int offsets_has_topic(const stored_offsets_t *so, const char *topic, const char *table);

/*
 * Whether a partition's place lies outside [low, high] (both known, else
 * 0), which no worker skips past (offset.out_of_range): a stored offset
 * below low or past high; or none (stored < 0) in a topic the group has
 * read (topic_read), when low is above 0: retention took messages that
 * were never read (a partition added while the workers were stopped).
 */
int offsets_outside(int64_t stored, int topic_read, int64_t low, int64_t high);

/* The entry of (topic, partition) in so, or NULL. */
stored_offset_t *offsets_find(const stored_offsets_t *so, const char *topic, int32_t partition);

/* Sets the entry of (topic, partition), adding it if needed: 0, or -1 when
 * out of memory (so unchanged). */
int offsets_set(stored_offsets_t *so, const char *topic, int32_t partition,
                int64_t next_offset) TM_WARN_UNUSED;

/* Removes the entry of (topic, partition); topic NULL: every entry. */
void offsets_remove(stored_offsets_t *so, const char *topic, int32_t partition);

void offsets_clear(stored_offsets_t *so);

/*
 * Moves (group, topic, partition) from expected (-1: no row yet, or none
 * applied to table) to next, applied to table (NULL: the topic has no
 * table), inside the caller's transaction. *moved is 1 on success and 0
 * when the stored offset is not expected: another worker (or
 * reset-offsets) moved it, and the caller must roll back.
 */
pg_status_t offsets_cas(pg_t *pg, const char *group, const char *topic, int32_t partition,
                        const char *table, int64_t expected, int64_t next, int *moved, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;

/* One partition's move for offsets_cas_all(). */
typedef struct offset_move {
    const char *topic;
    int32_t partition;
    int64_t expected; /* -1: no row yet, or none applied to table */
    int64_t next;
    int moved;          /* set by offsets_cas_all() */
    const char *table;  /* the table its batches go to; NULL: none (run records) */
    offset_mark_t mark; /* the message at next - 1; unknown: the mark is cleared */
} offset_move_t;

/*
 * offsets_cas() of n partitions (distinct) in one statement: moves[i].moved
 * says whether each moved (all or none of them count: a caller with one
 * that did not rolls back).
 */
pg_status_t offsets_cas_all(pg_t *pg, const char *group, offset_move_t *moves, size_t n,
                            char *errstr, size_t errstr_size) TM_WARN_UNUSED;

#endif
