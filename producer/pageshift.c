/*
 * pageshift.c - the ranges a walk paged by number over and the ids it
 * served there (see pageshift.h).
 *
 * A group is the pages asked at one since. Its ids are gathered while it
 * lasts; when the walk moves to another since (or ends), a group that had
 * a page asked by number becomes a range and its ids join the served
 * set, and any other group's ids are dropped.
 */
#include "pageshift.h"

#include <stdlib.h>
#include <string.h>

#include "idset.h"

typedef struct range {
    int64_t lo, hi; /* buckets, both included */
} range_t;

struct pageshift {
    int sorted;
    idset_t *served; /* ids served in the closed ranges */
    idset_t *group;  /* ids gathered in the open group */
    int in_group, group_paged, group_has_since;
    int64_t group_since, group_hi;
    size_t last_n;   /* records on the walk's last page */
    range_t *ranges; /* ascending, disjoint */
    size_t n, cap;
};

pageshift_t *pageshift_new(int sorted)
{
    pageshift_t *ps = calloc(1, sizeof(*ps));
    if (!ps)
        return NULL;
    ps->sorted = sorted;
    ps->served = idset_new(0);
    ps->group = idset_new(0);
    if (!ps->served || !ps->group) {
        pageshift_destroy(ps);
        return NULL;
    }
    return ps;
}

void pageshift_destroy(pageshift_t *ps)
{
    if (!ps)
        return;
    idset_destroy(ps->served);
    idset_destroy(ps->group);
    free(ps->ranges);
    free(ps);
}

/* Adds id to set; a key no set can hold is left out (pageshift.h). */
static int add_id(idset_t *set, const char *id, int *added)
{
    size_t len = strlen(id);
    *added = 1;
    if (len == 0 || len > IDSET_MAX_KEY)
        return PRODUCER_OK;
    return idset_add(set, id, len, added) ? PRODUCER_OK : PRODUCER_FAILED;
}

/* The range holding bucket, or NULL (binary search). */
static const range_t *range_of(const pageshift_t *ps, int64_t bucket)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps->ranges[mid].hi < bucket)
            lo = mid + 1;
        else if (ps->ranges[mid].lo > bucket)
            hi = mid;
        else
            return &ps->ranges[mid];
    }
    return NULL;
}

/* Appends r, merged with the last range when they meet: a sorted walk's
 * next since is the last cursor of the group before. */
static int add_range(pageshift_t *ps, range_t r)
{
    if (ps->n && r.lo <= ps->ranges[ps->n - 1].hi) {
        range_t *last = &ps->ranges[ps->n - 1];
        last->lo = r.lo < last->lo ? r.lo : last->lo;
        last->hi = r.hi > last->hi ? r.hi : last->hi;
        return PRODUCER_OK;
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 8;
        range_t *grown = realloc(ps->ranges, cap * sizeof(*grown));
        if (!grown)
            return PRODUCER_FAILED;
        ps->ranges = grown;
        ps->cap = cap;
    }
    ps->ranges[ps->n++] = r;
    return PRODUCER_OK;
}

/* The open group's ids into the served set (the larger set is kept). */
static int merge_group(pageshift_t *ps)
{
    if (idset_count(ps->group) > idset_count(ps->served)) {
        idset_t *t = ps->served;
        ps->served = ps->group;
        ps->group = t;
    }
    size_t pos = 0;
    const char *key;
    void *value;
    int added;
    while (idset_next(ps->group, &pos, &key, &value))
        if (add_id(ps->served, key, &added) != PRODUCER_OK)
            return PRODUCER_FAILED;
    return PRODUCER_OK;
}

static int close_group(pageshift_t *ps)
{
    int rc = PRODUCER_OK;
    if (ps->in_group && ps->group_paged) {
        range_t r = {ps->group_has_since ? ps->group_since : INT64_MIN,
                     ps->sorted ? ps->group_hi : INT64_MAX};
        if (r.hi < r.lo)
            r.hi = r.lo;
        rc = add_range(ps, r) == PRODUCER_OK ? merge_group(ps) : PRODUCER_FAILED;
    }
    idset_clear(ps->group);
    ps->in_group = ps->group_paged = 0;
    return rc;
}

/* Whether page was asked at the open group's since. */
static int same_group(const pageshift_t *ps, const pageshift_page_t *page)
{
    return ps->in_group && page->has_since == ps->group_has_since &&
           (!page->has_since || page->since_bucket == ps->group_since);
}

int pageshift_served(pageshift_t *ps, const pageshift_page_t *page, const char *id, int has_bucket,
                     int64_t bucket)
{
    if (ps->in_group && !same_group(ps, page) && close_group(ps) != PRODUCER_OK)
        return PRODUCER_FAILED;
    if (!ps->in_group) {
        ps->in_group = 1;
        ps->group_has_since = page->has_since;
        ps->group_since = page->since_bucket;
        ps->group_hi = INT64_MIN;
    }
    ps->group_paged |= page->by_number;
    if (has_bucket && bucket > ps->group_hi)
        ps->group_hi = bucket;
    int added;
    /* a record in a range closed already (a sorted walk's next since
     * starts in the bucket the last group ended in) */
    if (has_bucket && range_of(ps, bucket))
        return add_id(ps->served, id, &added);
    /* A sorted walk's group pages by number only when its first page held
     * nothing but records at its since's bucket: until then, those (and
     * records without a cursor, which no since orders) are all it may
     * need. */
    if (!ps->sorted || ps->group_paged || !has_bucket ||
        (page->has_since && bucket == page->since_bucket))
        return add_id(ps->group, id, &added);
    return PRODUCER_OK;
}

void pageshift_page_end(pageshift_t *ps, const pageshift_page_t *page, size_t n)
{
    if (n == 0 && page->by_number && same_group(ps, page) && ps->last_n > 0 &&
        (!ps->sorted || page->exclusive))
        ps->group_paged = 1;
    ps->last_n = n;
}

int pageshift_walk_done(pageshift_t *ps)
{
    return close_group(ps);
}

int pageshift_second_from(const pageshift_t *ps, int has_hwm, int64_t hwm_bucket, int *has_since,
                          int64_t *since_bucket, int64_t *until_bucket)
{
    size_t n = ps->n;
    while (has_hwm && n && ps->ranges[n - 1].lo >= hwm_bucket)
        n--;
    if (!n)
        return 0;
    *has_since = ps->ranges[0].lo != INT64_MIN;
    *since_bucket = ps->ranges[0].lo;
    *until_bucket = ps->ranges[n - 1].hi;
    return 1;
}

int pageshift_check(pageshift_t *ps, const char *id, int has_bucket, int64_t bucket, int *missed)
{
    *missed = 0;
    int in = has_bucket ? range_of(ps, bucket) != NULL : ps->n > 0;
    if (!in)
        return PRODUCER_OK;
    return add_id(ps->served, id, missed);
}

int pageshift_hold(const pageshift_t *ps, int *has_since, int64_t *since_bucket)
{
    int64_t until;
    if (pageshift_second_from(ps, 0, 0, has_since, since_bucket, &until))
        return 1;
    if (!(ps->in_group && ps->group_paged))
        return 0;
    *has_since = ps->group_has_since;
    *since_bucket = ps->group_since;
    return 1;
}
