/*
 * runcount.c - see runcount.h.
 */
#include "runcount.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "strbuf.h"

void applied_offsets_clear(applied_offsets_t *ao)
{
    for (size_t i = 0; i < ao->n; i++)
        free(ao->entries[i].ranges);
    free(ao->entries);
    ao->entries = NULL;
    ao->n = 0;
}

static applied_entry_t *find(const applied_offsets_t *ao, int32_t partition)
{
    for (size_t i = 0; i < ao->n; i++)
        if (ao->entries[i].partition == partition)
            return &ao->entries[i];
    return NULL;
}

static applied_entry_t *find_or_add(applied_offsets_t *ao, int32_t partition)
{
    applied_entry_t *e = find(ao, partition), *ne;

    if (e)
        return e;
    ne = realloc(ao->entries, (ao->n + 1) * sizeof(*ne));
    if (!ne)
        return NULL;
    ao->entries = ne;
    e = &ao->entries[ao->n++];
    memset(e, 0, sizeof(*e));
    e->partition = partition;
    return e;
}

/* Whether offset is counted in e (NULL: nothing is). */
static int counted(const applied_entry_t *e, int64_t offset)
{
    for (size_t i = 0; e && i < e->n_ranges; i++)
        if (offset >= e->ranges[i].from && offset < e->ranges[i].to)
            return 1;
    return 0;
}

/*
 * The most ranges an entry keeps. A gap between a run's counted offsets
 * holds what a batch consumed without an event of the run in it (its
 * tombstones: a batch of a partition's tombstones alone, with small
 * batches over many partitions), or events skipped by a moved offset.
 * The first kind, a few offsets wide, may come again and again; past this
 * many, the narrowest gap is closed, so that the row stays small and a
 * lookup short. A wide gap, a skip, is the last to go.
 */
#define RUNCOUNT_MAX_RANGES 16

/* Merges the two ranges of e with the narrowest gap between them. */
static void close_smallest_gap(applied_entry_t *e)
{
    size_t at = 0;
    for (size_t i = 1; i + 1 < e->n_ranges; i++)
        if (e->ranges[i + 1].from - e->ranges[i].to < e->ranges[at + 1].from - e->ranges[at].to)
            at = i;
    e->ranges[at].to = e->ranges[at + 1].to;
    memmove(&e->ranges[at + 1], &e->ranges[at + 2], (e->n_ranges - at - 2) * sizeof(*e->ranges));
    e->n_ranges--;
}

/* Adds [from, to) to e's ranges, merging those it overlaps or touches.
 * 0, or -1 on allocation failure. */
static int add_range(applied_entry_t *e, int64_t from, int64_t to)
{
    size_t i = 0, j;

    if (from >= to)
        return 0;
    while (i < e->n_ranges && e->ranges[i].to < from)
        i++;
    for (j = i; j < e->n_ranges && e->ranges[j].from <= to; j++) {
        if (e->ranges[j].from < from)
            from = e->ranges[j].from;
        if (e->ranges[j].to > to)
            to = e->ranges[j].to;
    }
    if (j == i) { /* touches none: a new one at i */
        offset_range_t *nr = realloc(e->ranges, (e->n_ranges + 1) * sizeof(*nr));
        if (!nr)
            return -1;
        e->ranges = nr;
        memmove(&nr[i + 1], &nr[i], (e->n_ranges - i) * sizeof(*nr));
        e->n_ranges++;
    } else { /* ranges i..j-1 become one */
        memmove(&e->ranges[i + 1], &e->ranges[j], (e->n_ranges - j) * sizeof(*e->ranges));
        e->n_ranges -= j - i - 1;
    }
    e->ranges[i] = (offset_range_t){from, to};
    if (e->n_ranges > RUNCOUNT_MAX_RANGES)
        close_smallest_gap(e);
    return 0;
}

/* One partition's value: N, or [[from, to], ...]. 0 or -1. */
static int parse_entry(const json_t *val, applied_entry_t *e)
{
    size_t i;
    json_t *r;

    if (json_is_integer(val))
        return json_integer_value(val) < 0 ? -1 : add_range(e, 0, json_integer_value(val));
    if (!json_is_array(val))
        return -1;
    json_array_foreach(val, i, r)
    {
        json_t *from = json_array_get(r, 0), *to = json_array_get(r, 1);
        if (json_array_size(r) != 2 || !json_is_integer(from) || !json_is_integer(to) ||
            json_integer_value(from) < 0 || json_integer_value(from) > json_integer_value(to) ||
            add_range(e, json_integer_value(from), json_integer_value(to)) < 0)
            return -1;
    }
    return 0;
}

int applied_offsets_parse(const char *json, applied_offsets_t *out)
{
    json_t *root;
    const char *key;
    json_t *val;
    char *end;
    long p;

    memset(out, 0, sizeof(*out));
    if (!json || !*json)
        return 0;
    root = json_loads(json, 0, NULL);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return -1;
    }
    json_object_foreach(root, key, val)
    {
        applied_entry_t *e;

        p = strtol(key, &end, 10);
        if (*end || end == key || p < 0 || p > INT32_MAX || !(e = find_or_add(out, (int32_t)p)) ||
            parse_entry(val, e) < 0) {
            applied_offsets_clear(out);
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const applied_entry_t *a = pa, *b = pb;

    return (a->partition > b->partition) - (a->partition < b->partition);
}

static void append_entry(strbuf_t *sb, const applied_entry_t *e)
{
    if (e->n_ranges == 1 && e->ranges[0].from == 0) {
        strbuf_appendf(sb, "%" PRId64, e->ranges[0].to);
        return;
    }
    strbuf_append(sb, "[");
    for (size_t i = 0; i < e->n_ranges; i++)
        strbuf_appendf(sb, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "", e->ranges[i].from,
                       e->ranges[i].to);
    strbuf_append(sb, "]");
}

char *applied_offsets_to_json(const applied_offsets_t *ao)
{
    strbuf_t sb;
    size_t i, k = 0;

    if (ao->n > 1)
        qsort(ao->entries, ao->n, sizeof(*ao->entries), entry_cmp);
    strbuf_init(&sb);
    strbuf_append(&sb, "{");
    for (i = 0; i < ao->n; i++) {
        if (ao->entries[i].n_ranges == 0)
            continue;
        strbuf_appendf(&sb, "%s\"%" PRId32 "\":", k++ ? "," : "", ao->entries[i].partition);
        append_entry(&sb, &ao->entries[i]);
    }
    strbuf_append(&sb, "}");
    return strbuf_take(&sb);
}

/* An event at or past its run's final end offset in its partition, or in
 * a partition the run wrote nothing to: a stranger's message, never one
 * of its events (the run record is written after Kafka acknowledged every
 * event it counts). The run id a decoded event carries is anyone's to
 * write as much as a header is: a copy of an event (a dead letter sent
 * back to the topic, a mirror) would make up for one skipped by moving an
 * offset. */
static int past_end(const applied_offsets_t *ends, const runcount_event_t *ev)
{
    if (!ends)
        return 0;
    const applied_entry_t *end = find(ends, ev->partition);
    return !end || end->n_ranges == 0 || ev->offset >= end->ranges[end->n_ranges - 1].to;
}

/* What evs count, each against ao as it was before this batch, so that
 * their order does not matter. */
static void count(const applied_offsets_t *ao, const applied_offsets_t *ends,
                  const runcount_event_t *evs, size_t n, int64_t *synced, int64_t *deleted,
                  int64_t *dead)
{
    for (size_t i = 0; i < n; i++) {
        if (counted(find(ao, evs[i].partition), evs[i].offset) || past_end(ends, &evs[i]))
            continue;
        if (!evs[i].countable)
            ++*dead;
        else if (evs[i].is_delete)
            ++*deleted;
        else
            ++*synced;
    }
}

/* Marks evs' offsets counted in ao, and the whole span of each partition
 * they are in; not a stranger's (past_end()). */
static int mark(applied_offsets_t *ao, const applied_offsets_t *ends, const runcount_event_t *evs,
                size_t n, const runcount_span_t *spans, size_t n_spans)
{
    for (size_t i = 0; i < n; i++) {
        if (past_end(ends, &evs[i]))
            continue;
        applied_entry_t *e = find_or_add(ao, evs[i].partition);
        if (!e || add_range(e, evs[i].offset, evs[i].offset + 1) < 0)
            return -1;
        for (size_t s = 0; s < n_spans; s++)
            if (spans[s].partition == evs[i].partition && evs[i].offset >= spans[s].from &&
                evs[i].offset < spans[s].to && add_range(e, spans[s].from, spans[s].to) < 0)
                return -1;
    }
    return 0;
}

int runcount_apply(applied_offsets_t *ao, const applied_offsets_t *ends,
                   const runcount_event_t *evs, size_t n, const runcount_span_t *spans,
                   size_t n_spans, int64_t *synced, int64_t *deleted, int64_t *dead)
{
    int64_t add_synced = 0, add_deleted = 0, add_dead = 0;

    count(ao, ends, evs, n, &add_synced, &add_deleted, &add_dead);
    if (mark(ao, ends, evs, n, spans, n_spans) < 0)
        return -1;
    *synced += add_synced;
    *deleted += add_deleted;
    *dead += add_dead;
    return 0;
}
