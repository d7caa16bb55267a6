/*
 * checkpoint_collect.h - resolving each stream's checkpoint from the
 * messages of one scan of <prefix>.sync-runs (checkpoint.h, "Reading"):
 * the CHECKPOINT_CANDIDATES newest heads per stream and every chunk of
 * theirs, then the newest head whose chunks are all there and valid.
 *
 * A collector may be kept and fed the messages of later scans that read
 * only what is new on the topic (checkpoint.c): picking a checkpoint
 * leaves it as it was.
 *
 * Owns: the collector owns the heads and chunk data it holds; pick()
 * hands the caller a copy. Pure (no I/O): one thread per collector.
 */
#ifndef TIDEMARK_CHECKPOINT_COLLECT_H
#define TIDEMARK_CHECKPOINT_COLLECT_H

#include "compiler.h"
#include <stddef.h>
#include <stdint.h>
#include "result.h"
#include "runrecord.h"

/*
 * Collects the messages of a scan of <prefix>.sync-runs for the given
 * streams (borrowed until destroy) and resolves each stream's checkpoint.
 * collect(): value NULL is a tombstone; fails on ENOMEM only.
 * pick(): *out = stream i's checkpoint (see "Reading"), with its chunks'
 * data and stale_chunks, or NULL when it has none; the caller owns it.
 * 0, or -1 on ENOMEM (*out NULL).
 */
typedef struct checkpoint_collector checkpoint_collector_t;

checkpoint_collector_t *checkpoint_collector_new(const char *const *streams, size_t n);
int checkpoint_collect(checkpoint_collector_t *c, const char *key, size_t key_len,
                       const char *value, size_t len, int32_t partition, int64_t offset,
                       int64_t ts) TM_WARN_UNUSED;
int checkpoint_collector_pick(checkpoint_collector_t *c, size_t i,
                              run_record_t **out) TM_WARN_UNUSED;
void checkpoint_collector_destroy(checkpoint_collector_t *c);

/* The chunk keys it holds a slot for (live, or tombstoned and not yet
 * compacted away): for tests. */
size_t checkpoint_collector_chunk_slots(const checkpoint_collector_t *c);

#endif
