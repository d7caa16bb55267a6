/*
 * dataset.h - the demo API's data: live customers kept in one array sorted
 * by (cursor, id) so a page starts with a binary search, an id -> position
 * index, the hard-deleted ids, and the data clock.
 *
 * The data clock ("now") is the largest timestamp the set has ever issued
 * (a cursor value or a deleted_at); changes default to now + 1 s, so the
 * data never depends on the wall clock.
 *
 * Owns: all of the above; dataset_destroy frees it. Pointers returned by
 * the getters stay valid until the next mutation. Not thread-safe: the
 * server holds one mutex around every call.
 */
#ifndef TIDEMARK_DEMOAPI_DATASET_H
#define TIDEMARK_DEMOAPI_DATASET_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

#include "customer.h"

typedef struct {
    int64_t records; /* initial size */
    uint64_t seed;
    int64_t base_ms; /* cursor of record 1 */
    int64_t ties;    /* K consecutive records share a timestamp */
    int string_ids;  /* only changes the order of ids within a tie */
} dataset_conf_t;

typedef struct {
    int64_t id;
    int64_t deleted_at_ms;
} dataset_deleted_t;

typedef struct dataset dataset_t;

dataset_t *dataset_new(const dataset_conf_t *conf, char *errstr, size_t errstr_size) TM_WARN_UNUSED;
void dataset_destroy(dataset_t *ds);

uint64_t dataset_seed(const dataset_t *ds);
int dataset_string_ids(const dataset_t *ds);

/* Live records (soft-deleted included), in (cursor, id) order. */
size_t dataset_count(const dataset_t *ds);
const customer_t *dataset_at(const dataset_t *ds, size_t i);
/* Index of the first record whose cursor is >= since_ms. */
size_t dataset_lower_bound(const dataset_t *ds, int64_t since_ms);

/* The live record with this id, or NULL. */
const customer_t *dataset_by_id(const dataset_t *ds, int64_t id);
/* Ids run 1..max_id (deleted ones leave gaps). */
int64_t dataset_max_id(const dataset_t *ds);

int64_t dataset_now(const dataset_t *ds);
/* Largest cursor of the live set, or the data clock when it is empty. */
int64_t dataset_max_cursor(const dataset_t *ds);

/* Hard-deleted ids, sorted by (deleted_at, id). */
const dataset_deleted_t *dataset_deleted(const dataset_t *ds, size_t *count);

/*
 * Mutations. ids must name live records (checked first: on -1 nothing
 * changed) and hold no duplicates; at_ms is the new cursor (or deleted_at)
 * and advances the data clock. Return 0, or -1 with errstr filled.
 */
/* name gets " v<n>", balance += 1.00 */
int dataset_update(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;
/* is_deleted = true, cursor = at_ms */
int dataset_soft_delete(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                        size_t errstr_size) TM_WARN_UNUSED;
/* removed from the set, listed in dataset_deleted() */
int dataset_delete(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;
/*
 * Brings hard-deleted ids back (cursor = at_ms, version + 1), as an API
 * that undeletes does. Their entries stay in dataset_deleted(): real
 * deleted endpoints often keep listing an id that came back, and the
 * producer must not let that older deletion win.
 */
int dataset_restore(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                    size_t errstr_size) TM_WARN_UNUSED;
/* n new records with the next ids (the first in *first_id) */
int dataset_create(dataset_t *ds, size_t n, int64_t at_ms, int64_t *first_id, char *errstr,
                   size_t errstr_size) TM_WARN_UNUSED;

/*
 * Chooses up to n live ids spread evenly over the id range, starting at an
 * offset that moves with every call, so repeated calls touch different
 * records yet the sequence is the same on every run. Fills ids (room for
 * n) in id order; returns how many.
 */
size_t dataset_pick(dataset_t *ds, size_t n, int64_t *ids);

#endif
