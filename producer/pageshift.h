/*
 * pageshift.h - what a records walk that paged by number may have missed,
 * for the second walk that publishes it (runsecond.c).
 *
 * A seek walk (page, offset: pager.h) pages by number at one since: all
 * along when its pages are not in cursor order (cursor.sorted = false),
 * else inside a group of records sharing one cursor value that does not
 * fit a page. A record that leaves the set the API pages over during the
 * walk (deleted, or changed to a later cursor) shifts the later pages by
 * one towards the start: the record after the boundary moves onto a page
 * already read and is on no page of the walk. Nothing in the pages tells.
 * Its version is below the HWM the next runs walk from: lost until a full
 * run, or for good where it was a change (a full run spares its id but
 * only publishes a change the second walk finds).
 *
 * So the first walk notes, for each since it paged by number at, the
 * range of cursor buckets its pages there held ([since, largest], or
 * every bucket for pages not in cursor order) and the ids it served in
 * that range; a second walk over the same pages publishes each record in
 * a range whose id the first did not serve. A record is then missed only
 * when both walks missed it. A walk that never paged by number (every
 * page re-seeks at its last cursor, or cursor and link tokens) needs no
 * second walk and costs nothing here: in a sorted walk only records at
 * the bucket of their page's since (the ties a page carries over) and
 * records without a cursor are looked at until a page is asked by number.
 *
 * Owns: two id sets (idset.h; about 50 bytes per id held: every id of an
 * unsorted walk, the ids of the paged groups of a sorted one) and the
 * ranges. One thread. Fallible calls return PRODUCER_OK or
 * PRODUCER_FAILED (ENOMEM; a key no id set can hold is left out, so its
 * record counts as missed and is published again: a duplicate).
 */
#ifndef TIDEMARK_PAGESHIFT_H
#define TIDEMARK_PAGESHIFT_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include <stdint.h>

typedef struct pageshift pageshift_t;

/* For a walk whose pages are in cursor order (sorted) or not. NULL on ENOMEM. */
pageshift_t *pageshift_new(int sorted);
void pageshift_destroy(pageshift_t *ps);

/* Where a page of the first walk was asked (source_page_asked()), with
 * its since as a bucket (hwm_bucket()). */
typedef struct pageshift_page {
    int has_since;
    int64_t since_bucket;
    int by_number;
    int exclusive; /* the API was found to filter its since `>` (source.h) */
} pageshift_page_t;

/*
 * A record of the first walk: id, with its cursor's bucket when
 * has_bucket, served on page. Records come in the walk's order.
 */
int pageshift_served(pageshift_t *ps, const pageshift_page_t *page, const char *id, int has_bucket,
                     int64_t bucket) TM_WARN_UNUSED;

/*
 * A page of the first walk is over, with n records (its records were
 * pageshift_served() before). In an unsorted walk an empty page asked by
 * number after one that held records may be where the record after the
 * boundary went missing (an API's cap on its pages is unknown: any page
 * may have been full): the group counts as paged by number. Not in a
 * sorted walk: there that empty page ends the walk in the group's bucket,
 * which is then the HWM, and what it may have hidden lies at or past it:
 * the next run reads it (an idle run whose HWM holds a few ties asks such
 * a page every time); unless the API filters `>` (page->exclusive): the
 * next run asks the HWM as it is and is not served that bucket.
 */
void pageshift_page_end(pageshift_t *ps, const pageshift_page_t *page, size_t n);

/* The first walk is over (its last group is closed). */
int pageshift_walk_done(pageshift_t *ps) TM_WARN_UNUSED;

/*
 * After pageshift_walk_done(): 1 when the walk paged by number, with
 * where a second walk starts (*has_since 0: from the start, no since;
 * else *since_bucket, the lowest range's) and the last bucket it needs
 * (*until_bucket: the highest range's end; INT64_MAX for an unsorted
 * walk), else 0. With has_hwm, the ranges that start at or past
 * hwm_bucket (the bucket of the HWM the walk leaves) are left out: the
 * next run walks from the HWM (less lookback) and reads them again, and
 * the HWM's ids hold only what was served, so what a shift hid there is
 * published then (an idle run whose HWM holds a tie group longer than a
 * page would otherwise walk it twice every time). Not for an API found to
 * filter its since `>`: the next run, until it finds that anew, asks the
 * HWM as it is and is not served its bucket. Pure.
 */
int pageshift_second_from(const pageshift_t *ps, int has_hwm, int64_t hwm_bucket, int *has_since,
                          int64_t *since_bucket, int64_t *until_bucket);

/*
 * A record of the second walk: *missed = 1 when its cursor's bucket lies
 * in a range the first walk paged by number and id was not served in it
 * (nor earlier in this walk: it is marked served now); else 0. A record
 * without a cursor (has_bucket 0: a deleted endpoint's bare id) counts as
 * in range whenever there is one: no since orders it, so any page asked
 * by number may have held it.
 */
int pageshift_check(pageshift_t *ps, const char *id, int has_bucket, int64_t bucket,
                    int *missed) TM_WARN_UNUSED;

/*
 * Whether the walk paged by number so far: 1 with the lowest since it
 * paged at (*has_since 0: none, the walk's start), past which its HWM may
 * not move until the second walk is over; else 0. Pure.
 */
int pageshift_hold(const pageshift_t *ps, int *has_since, int64_t *since_bucket);

#endif
