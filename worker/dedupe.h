/*
 * dedupe.h - inside one batch, keep only the latest event per id of one
 * stream: the largest (source_ts, produced_at, partition, offset), the
 * order of the version guard (sqlgen.h). The winner may be an
 * upsert or a delete; the losers are not applied (the version guard would
 * have let the winner overwrite them anyway) but are still counted as
 * consumed by the caller.
 *
 * Pure; any thread.
 */
#ifndef TIDEMARK_WORKER_DEDUPE_H
#define TIDEMARK_WORKER_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dedupe_item {
    const char *id; /* borrowed */
    int64_t source_ts_ms;
    int64_t produced_at_ms;
    int32_t partition;
    int64_t offset;
    size_t index; /* the caller's index of the event */
} dedupe_item_t;

/*
 * Sorts items in place and moves the winners to the front, one per id, in
 * ascending id order. Returns the number of winners.
 */
size_t dedupe_latest(dedupe_item_t *items, size_t n);

/* -1, 0, 1 as a's version is older than, equal to, newer than b's. */
int dedupe_version_cmp(const dedupe_item_t *a, const dedupe_item_t *b);

#endif
