/*
 * runcount.h - counting each event of a producer run once, across Kafka
 * redelivery, worker crashes and replays.
 *
 * A run's sync_metadata row keeps applied_offsets, a JSON object
 * {"<partition>": <next offset already counted>, ...}. An event at or
 * beyond its partition's entry adds one to records_synced (upsert) or
 * records_deleted (delete), whether or not the version guard let it change
 * a row, or to records_dead_lettered when it went to the DLQ; the entry
 * then moves past it. An event below the entry was counted before and adds
 * nothing. A run is complete only when these three add up to the events
 * its producer published (metadata.h).
 *
 * Owns: applied_offsets_t owns its array; free with applied_offsets_clear().
 * Pure; any thread.
 */
#ifndef TIDEMARK_WORKER_RUNCOUNT_H
#define TIDEMARK_WORKER_RUNCOUNT_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>

typedef struct applied_entry {
    int32_t partition;
    int64_t next_offset;
} applied_entry_t;

typedef struct applied_offsets {
    applied_entry_t *entries;
    size_t n;
} applied_offsets_t;

typedef struct runcount_event {
    int32_t partition;
    int64_t offset;
    int is_delete;
    int countable; /* 0 for an event that was dead-lettered: counted as
                      dead-lettered, not as a synced record */
    int by_header; /* dead-lettered at decode, its run named by the
                      message's tidemark.run header (decode.h) */
} runcount_event_t;

/* Parses applied_offsets JSON text (NULL or "" = empty). 0 or -1. */
int applied_offsets_parse(const char *json, applied_offsets_t *out) TM_WARN_UNUSED;

/* {"0":12,"3":7} sorted by partition; NULL on allocation failure. */
char *applied_offsets_to_json(const applied_offsets_t *ao);

void applied_offsets_clear(applied_offsets_t *ao);

/*
 * Counts evs (any order) against ao and advances ao. Adds to *synced,
 * *deleted and *dead (the dead-lettered ones). ends (NULL: not known yet)
 * are the run's final end offsets (its last run record's, not a progress
 * record's), in the same form as ao: an event by_header at or past its
 * partition's end, or in a partition ends do not list (the run wrote
 * nothing there), is not the run's (a header anyone may write, on a
 * message after the run: it would make up for an event skipped by moving
 * an offset) and counts nothing. Returns 0, or -1 on allocation
 * failure (ao may then be partly advanced: the caller abandons its
 * transaction).
 */
int runcount_apply(applied_offsets_t *ao, const applied_offsets_t *ends,
                   const runcount_event_t *evs, size_t n, int64_t *synced, int64_t *deleted,
                   int64_t *dead) TM_WARN_UNUSED;

#endif
