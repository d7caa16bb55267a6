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
    free(ao->entries);
    ao->entries = NULL;
    ao->n = 0;
}

static applied_entry_t *find(applied_offsets_t *ao, int32_t partition)
{
    size_t i;

    for (i = 0; i < ao->n; i++)
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
    e->partition = partition;
    e->next_offset = 0;
    return e;
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
        if (*end || end == key || p < 0 || p > INT32_MAX || !json_is_integer(val) ||
            !(e = find_or_add(out, (int32_t)p))) {
            applied_offsets_clear(out);
            json_decref(root);
            return -1;
        }
        e->next_offset = json_integer_value(val);
    }
    json_decref(root);
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const applied_entry_t *a = pa, *b = pb;

    return (a->partition > b->partition) - (a->partition < b->partition);
}

char *applied_offsets_to_json(const applied_offsets_t *ao)
{
    strbuf_t sb;
    size_t i;

    if (ao->n > 1)
        qsort(ao->entries, ao->n, sizeof(*ao->entries), entry_cmp);
    strbuf_init(&sb);
    strbuf_append(&sb, "{");
    for (i = 0; i < ao->n; i++)
        strbuf_appendf(&sb, "%s\"%" PRId32 "\":%" PRId64, i ? "," : "", ao->entries[i].partition,
                       ao->entries[i].next_offset);
    strbuf_append(&sb, "}");
    return strbuf_take(&sb);
}

/* A header's event at or past its run's final end offset in its
 * partition, or in a partition the run wrote nothing to: a stranger's
 * message, never one of its events. */
static int past_end(const applied_offsets_t *ends, const runcount_event_t *ev)
{
    if (!ev->by_header || !ends)
        return 0;
    const applied_entry_t *end = find((applied_offsets_t *)ends, ev->partition);
    return !end || ev->offset >= end->next_offset;
}

int runcount_apply(applied_offsets_t *ao, const applied_offsets_t *ends,
                   const runcount_event_t *evs, size_t n, int64_t *synced, int64_t *deleted,
                   int64_t *dead)
{
    applied_offsets_t next = {NULL, 0};
    int64_t add_synced = 0, add_deleted = 0, add_dead = 0;
    size_t i;

    /* Decide every event against the entry as it was before this batch,
     * so that the order of evs does not matter. */
    for (i = 0; i < n; i++) {
        const applied_entry_t *was = find(ao, evs[i].partition);
        applied_entry_t *e;

        if ((was && evs[i].offset < was->next_offset) || past_end(ends, &evs[i]))
            continue;
        if (!evs[i].countable)
            add_dead++;
        else if (evs[i].is_delete)
            add_deleted++;
        else
            add_synced++;
        e = find_or_add(&next, evs[i].partition);
        if (!e) {
            applied_offsets_clear(&next);
            return -1;
        }
        if (evs[i].offset + 1 > e->next_offset)
            e->next_offset = evs[i].offset + 1;
    }
    for (i = 0; i < next.n; i++) {
        applied_entry_t *e = find_or_add(ao, next.entries[i].partition);

        if (!e) {
            applied_offsets_clear(&next);
            return -1;
        }
        if (next.entries[i].next_offset > e->next_offset)
            e->next_offset = next.entries[i].next_offset;
    }
    applied_offsets_clear(&next);
    *synced += add_synced;
    *deleted += add_deleted;
    *dead += add_dead;
    return 0;
}
