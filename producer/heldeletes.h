/*
 * heldeletes.h - the deleted endpoint's deletions of one run, held back
 * until the records walk has shown which of them are stale.
 *
 * Why: a deleted endpoint may keep listing an id deleted at D that the API
 * has since restored at R > D. Published after the restore, that delete
 * would be the topic's last word on a live record: downstream consumers
 * and compaction would believe it, and a later full run would count the
 * id as gone and never reconcile it again. So a run reads the deleted
 * endpoint first and holds its deletions; every record the records walk
 * is served (published now, or skipped because an earlier run published
 * it) drops a held deletion of its id that is older than it; the rest are
 * published after the records, so that each id's events reach the topic
 * in source-time order.
 *
 * A deletion older than where the records walk started ("late": the
 * deleted endpoint lagged or failed before) may concern a restore that an
 * earlier run published and this walk did not see again; the run checks
 * those against the topic (keylatest.h) before publishing them.
 *
 * An undated deletion (an item without deleted_at, held at the producer's
 * clock mark) has no time of its own to compare with cursors, which come
 * from the API's clock: it is stale only when a records walk serves its id
 * at all (the API serves the record now: it lives), whatever the cursor.
 * It is not known to be later than every version published before: the
 * endpoint may list an id deleted and restored since, so the run asks the
 * topic and may walk the records again (runheld.c).
 *
 * Owns: an id set of the held deletions (about 40 bytes each: memory
 * follows the deletions of one run, not the records). One thread.
 *
 * Fallible calls return PRODUCER_OK or PRODUCER_FAILED (result.h).
 */
#ifndef TIDEMARK_HELDELETES_H
#define TIDEMARK_HELDELETES_H

#include "compiler.h"
#include "result.h"
#include <stddef.h>
#include <stdint.h>
#include "idset.h"

/* An id set whose values are what heldeletes.c keeps per id. */
typedef idset_t heldeletes_t;

heldeletes_t *heldeletes_new(void);
void heldeletes_destroy(heldeletes_t *h);

/*
 * Holds a deletion of id at deleted_at_ms (the later one when id is held
 * already); undated: the item had no deleted_at and deleted_at_ms is a
 * clock mark of the producer's (an id held both ways counts as undated:
 * that deletion is the later one). Fails on ENOMEM or an id the set
 * cannot hold (empty, over IDSET_MAX_KEY bytes).
 */
int heldeletes_hold(heldeletes_t *h, const char *id, int64_t deleted_at_ms,
                    int undated) TM_WARN_UNUSED;

/* A version of id was served with cursor cursor_ms: a held deletion of
 * it older than that is stale, an undated one is stale whatever it is. */
void heldeletes_served(heldeletes_t *h, const char *id, int64_t cursor_ms);

/* The undated deletion held for id is made stale only by a version served
 * at or after cursor_ms: one dated by its day alone, which a version of
 * an earlier day (a lagging index serving what it deleted) predates. */
void heldeletes_stale_from(heldeletes_t *h, const char *id, int64_t cursor_ms);

/* Whether a deletion of id is held that the versions served so far do
 * not make stale: it goes out after the records, as the id's last word. */
int heldeletes_pending(const heldeletes_t *h, const char *id);

size_t heldeletes_count(const heldeletes_t *h);

/*
 * Walks the held deletions in no particular order: start with *pos = 0;
 * returns 1 with *id (borrowed until heldeletes_destroy), *deleted_at_ms,
 * *undated and *stale, or 0 at the end.
 */
int heldeletes_next(const heldeletes_t *h, size_t *pos, const char **id, int64_t *deleted_at_ms,
                    int *undated, int *stale);

#endif
