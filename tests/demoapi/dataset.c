/*
 * dataset.c - the demo API's record store. See dataset.h.
 *
 * A mutation changes records in place, then restores the (cursor, id)
 * order in O(n + k log k): the k changed records are pulled out, the rest
 * (still sorted) is compacted, the k are sorted and merged back. That keeps
 * admin calls on a million records in milliseconds.
 */
#define _GNU_SOURCE /* qsort_r: the id order needs a context */
#include "dataset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POS_NONE      SIZE_MAX
#define CLOCK_STEP_MS 1000

struct dataset {
    dataset_conf_t conf;
    customer_t *recs; /* sorted by (cursor, id) */
    size_t n, cap;
    size_t *pos; /* pos[id] = index in recs, POS_NONE if deleted; 0 unused */
    int64_t max_id;
    dataset_deleted_t *del; /* sorted by (deleted_at, id) */
    size_t ndel, delcap;
    int64_t now_ms;
    uint64_t pick_calls;
};

static int rec_cmp(const customer_t *a, const customer_t *b, int string_ids)
{
    if (a->cursor_ms != b->cursor_ms)
        return a->cursor_ms < b->cursor_ms ? -1 : 1;
    return customer_id_cmp(a->id, b->id, string_ids);
}

/* qsort_r comparators; ctx points to the dataset's string_ids flag. */
static int rec_qcmp(const void *a, const void *b, void *ctx)
{
    return rec_cmp(a, b, *(const int *)ctx);
}

static int del_qcmp(const void *pa, const void *pb, void *ctx)
{
    const dataset_deleted_t *a = pa, *b = pb;
    if (a->deleted_at_ms != b->deleted_at_ms)
        return a->deleted_at_ms < b->deleted_at_ms ? -1 : 1;
    return customer_id_cmp(a->id, b->id, *(const int *)ctx);
}

static void advance_clock(dataset_t *ds, int64_t at_ms)
{
    if (at_ms > ds->now_ms)
        ds->now_ms = at_ms;
}

static void reindex(dataset_t *ds)
{
    for (int64_t id = 0; id <= ds->max_id; id++)
        ds->pos[id] = POS_NONE;
    for (size_t i = 0; i < ds->n; i++)
        ds->pos[ds->recs[i].id] = i;
}

static int is_sorted(const dataset_t *ds)
{
    for (size_t i = 1; i < ds->n; i++)
        if (rec_cmp(&ds->recs[i - 1], &ds->recs[i], ds->conf.string_ids) > 0)
            return 0;
    return 1;
}

dataset_t *dataset_new(const dataset_conf_t *conf, char *errstr, size_t errstr_size)
{
    dataset_t *ds = calloc(1, sizeof(*ds));
    size_t n = (size_t)conf->records;

    if (!ds)
        goto oom;
    ds->conf = *conf;
    ds->cap = n ? n : 16;
    ds->recs = malloc(ds->cap * sizeof(*ds->recs));
    ds->pos = malloc((ds->cap + 1) * sizeof(*ds->pos));
    if (!ds->recs || !ds->pos)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        int64_t id = (int64_t)i + 1;
        customer_init(&ds->recs[i], conf->seed, id);
        ds->recs[i].cursor_ms = conf->base_ms + (int64_t)i / conf->ties * 1000;
    }
    ds->n = n;
    ds->max_id = (int64_t)n;
    /* Sorted already, except string ids in a tie that spans 999999 ->
     * 1000000 ("cus_1000000" sorts first). */
    if (!is_sorted(ds))
        qsort_r(ds->recs, ds->n, sizeof(*ds->recs), rec_qcmp, &ds->conf.string_ids);
    reindex(ds);
    ds->now_ms = n ? ds->recs[n - 1].cursor_ms : conf->base_ms;
    return ds;
oom:
    snprintf(errstr, errstr_size, "out of memory for %" PRId64 " records", conf->records);
    dataset_destroy(ds);
    return NULL;
}

void dataset_destroy(dataset_t *ds)
{
    if (!ds)
        return;
    free(ds->recs);
    free(ds->pos);
    free(ds->del);
    free(ds);
}

uint64_t dataset_seed(const dataset_t *ds)
{
    return ds->conf.seed;
}
int dataset_string_ids(const dataset_t *ds)
{
    return ds->conf.string_ids;
}
size_t dataset_count(const dataset_t *ds)
{
    return ds->n;
}
const customer_t *dataset_at(const dataset_t *ds, size_t i)
{
    return &ds->recs[i];
}
int64_t dataset_max_id(const dataset_t *ds)
{
    return ds->max_id;
}
int64_t dataset_now(const dataset_t *ds)
{
    return ds->now_ms;
}

int64_t dataset_max_cursor(const dataset_t *ds)
{
    return ds->n ? ds->recs[ds->n - 1].cursor_ms : ds->now_ms;
}

size_t dataset_lower_bound(const dataset_t *ds, int64_t since_ms)
{
    size_t lo = 0, hi = ds->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->recs[mid].cursor_ms < since_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const customer_t *dataset_by_id(const dataset_t *ds, int64_t id)
{
    if (id < 1 || id > ds->max_id || ds->pos[id] == POS_NONE)
        return NULL;
    return &ds->recs[ds->pos[id]];
}

const dataset_deleted_t *dataset_deleted(const dataset_t *ds, size_t *count)
{
    *count = ds->ndel;
    return ds->del;
}

static int check_ids(const dataset_t *ds, const int64_t *ids, size_t n, char *errstr,
                     size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        if (!dataset_by_id(ds, ids[i])) {
            snprintf(errstr, errstr_size, "no live record with id %" PRId64, ids[i]);
            return -1;
        }
    }
    return 0;
}

/*
 * Restores the order after the records flagged in `moved` (by index) were
 * changed; records with `drop` set are removed. extra (m records, owned by
 * the caller) are added. Returns 0 or -1 on out of memory (nothing lost:
 * the array is only rewritten once the scratch space exists).
 */
static int reorder(dataset_t *ds, const unsigned char *moved, const unsigned char *drop,
                   const customer_t *extra, size_t m)
{
    size_t k = 0, keep = 0, out;
    customer_t *side;

    for (size_t i = 0; i < ds->n; i++)
        k += moved[i] && !drop[i];
    side = malloc((k + m + 1) * sizeof(*side));
    if (!side)
        return -1;
    k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        if (drop[i])
            continue;
        if (moved[i])
            side[k++] = ds->recs[i];
        else
            ds->recs[keep++] = ds->recs[i];
    }
    if (m)
        memcpy(side + k, extra, m * sizeof(*side));
    k += m;
    qsort_r(side, k, sizeof(*side), rec_qcmp, &ds->conf.string_ids);
    /* merge from the back, in place: recs has room for keep + k (the
     * caller grew it for the created records) */
    out = keep + k;
    ds->n = out;
    while (k > 0) {
        if (keep > 0 && rec_cmp(&ds->recs[keep - 1], &side[k - 1], ds->conf.string_ids) > 0)
            ds->recs[--out] = ds->recs[--keep];
        else
            ds->recs[--out] = side[--k];
    }
    free(side);
    reindex(ds);
    return 0;
}

/* Flags used by update/soft-delete/delete: which indexes change. */
static int apply_flags(dataset_t *ds, const int64_t *ids, size_t n, int drop_them, char *errstr,
                       size_t errstr_size)
{
    unsigned char *moved = calloc(ds->n + 1, 1), *drop = calloc(ds->n + 1, 1);
    int rc = 0;

    if (!moved || !drop) {
        rc = -1;
    } else {
        for (size_t i = 0; i < n; i++) {
            moved[ds->pos[ids[i]]] = 1;
            drop[ds->pos[ids[i]]] = (unsigned char)drop_them;
        }
        rc = reorder(ds, moved, drop, NULL, 0);
    }
    if (rc)
        snprintf(errstr, errstr_size, "out of memory");
    free(moved);
    free(drop);
    return rc;
}

int dataset_update(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                   size_t errstr_size)
{
    if (n == 0) /* nothing changes, not even the clock */
        return 0;
    if (check_ids(ds, ids, n, errstr, errstr_size))
        return -1;
    for (size_t i = 0; i < n; i++) {
        customer_t *c = &ds->recs[ds->pos[ids[i]]];
        c->version++;
        c->balance_cents += 100;
        c->cursor_ms = at_ms;
    }
    advance_clock(ds, at_ms);
    return apply_flags(ds, ids, n, 0, errstr, errstr_size);
}

int dataset_soft_delete(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                        size_t errstr_size)
{
    if (n == 0) /* nothing changes, not even the clock */
        return 0;
    if (check_ids(ds, ids, n, errstr, errstr_size))
        return -1;
    for (size_t i = 0; i < n; i++) {
        customer_t *c = &ds->recs[ds->pos[ids[i]]];
        c->is_deleted = 1;
        c->cursor_ms = at_ms;
    }
    advance_clock(ds, at_ms);
    return apply_flags(ds, ids, n, 0, errstr, errstr_size);
}

int dataset_delete(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                   size_t errstr_size)
{
    if (n == 0) /* nothing changes, not even the clock */
        return 0;
    if (check_ids(ds, ids, n, errstr, errstr_size))
        return -1;
    if (ds->ndel + n > ds->delcap) {
        size_t cap = (ds->ndel + n) * 2;
        dataset_deleted_t *d = realloc(ds->del, cap * sizeof(*d));
        if (!d) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        ds->del = d;
        ds->delcap = cap;
    }
    for (size_t i = 0; i < n; i++)
        ds->del[ds->ndel++] = (dataset_deleted_t){ids[i], at_ms};
    qsort_r(ds->del, ds->ndel, sizeof(*ds->del), del_qcmp, &ds->conf.string_ids);
    advance_clock(ds, at_ms);
    return apply_flags(ds, ids, n, 1, errstr, errstr_size);
}

static int grow(dataset_t *ds, size_t n)
{
    size_t need = ds->n + n;
    size_t idneed = (size_t)ds->max_id + n + 1;

    if (need > ds->cap) {
        size_t cap = need * 2;
        customer_t *r = realloc(ds->recs, cap * sizeof(*r));
        if (!r)
            return -1;
        ds->recs = r;
        ds->cap = cap;
    }
    /* pos is indexed by id; ids only grow */
    size_t *p = realloc(ds->pos, idneed * sizeof(*p));
    if (!p)
        return -1;
    ds->pos = p;
    return 0;
}

int dataset_create(dataset_t *ds, size_t n, int64_t at_ms, int64_t *first_id, char *errstr,
                   size_t errstr_size)
{
    customer_t *fresh = malloc((n + 1) * sizeof(*fresh));
    unsigned char *flags = calloc(ds->n + 1, 1);
    int rc = -1;

    if (fresh && flags && grow(ds, n) == 0) {
        for (size_t i = 0; i < n; i++) {
            customer_init(&fresh[i], ds->conf.seed, ds->max_id + 1 + (int64_t)i);
            fresh[i].cursor_ms = at_ms;
        }
        *first_id = ds->max_id + 1;
        ds->max_id += (int64_t)n; /* before reorder: it indexes the new ids */
        /* flags doubles as moved and drop: nothing moves, nothing drops */
        rc = reorder(ds, flags, flags, fresh, n);
        if (rc)
            ds->max_id -= (int64_t)n;
    }
    if (rc)
        snprintf(errstr, errstr_size, "out of memory");
    else
        advance_clock(ds, at_ms);
    free(fresh);
    free(flags);
    return rc;
}

static int is_deleted(const dataset_t *ds, int64_t id)
{
    for (size_t i = 0; i < ds->ndel; i++)
        if (ds->del[i].id == id)
            return 1;
    return 0;
}

int dataset_restore(dataset_t *ds, const int64_t *ids, size_t n, int64_t at_ms, char *errstr,
                    size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 1 || ids[i] > ds->max_id || dataset_by_id(ds, ids[i]) ||
            !is_deleted(ds, ids[i])) {
            snprintf(errstr, errstr_size, "no deleted record with id %" PRId64, ids[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (ids[j] == ids[i]) {
                snprintf(errstr, errstr_size, "id %" PRId64 " given twice", ids[i]);
                return -1;
            }
    }
    customer_t *back = malloc((n + 1) * sizeof(*back));
    unsigned char *flags = calloc(ds->n + 1, 1);
    int rc = -1;
    if (back && flags && grow(ds, n) == 0) {
        for (size_t i = 0; i < n; i++) {
            customer_init(&back[i], ds->conf.seed, ids[i]);
            back[i].version++;
            back[i].cursor_ms = at_ms;
        }
        rc = reorder(ds, flags, flags, back, n);
    }
    if (rc)
        snprintf(errstr, errstr_size, "out of memory");
    else
        advance_clock(ds, at_ms);
    free(back);
    free(flags);
    return rc;
}

size_t dataset_pick(dataset_t *ds, size_t n, int64_t *ids)
{
    size_t live = ds->n, step, skip, got = 0, seen = 0;

    if (n == 0 || live == 0)
        return 0;
    if (n > live)
        n = live;
    step = live / n;
    skip = (size_t)(ds->pick_calls++ % step);
    for (int64_t id = 1; id <= ds->max_id && got < n; id++) {
        if (ds->pos[id] == POS_NONE)
            continue;
        if (seen >= skip && (seen - skip) % step == 0)
            ids[got++] = id;
        seen++;
    }
    return got;
}
