/*
 * runmode.h - whether a run is full or incremental, decided from the
 * stream's checkpoint, and whether a run counts as the full sync that
 * full_sync.every waits for.
 *
 * Owns nothing. Pure: any thread.
 */
#ifndef TIDEMARK_RUNMODE_H
#define TIDEMARK_RUNMODE_H

#include <stdint.h>
#include "runrecord.h"

typedef struct run_mode_decision {
    int full;           /* read every record (and reconcile, unless resumed) */
    int resumed;        /* a full run going on from an unfinished one's HWM */
    int source_changed; /* full because url changed (or may have) */
    int source_unknown; /* ... since the checkpoint names no url (an older build's) */
    /* full, reading from nothing, the HWM before it not its walk's (--full,
     * a url changed, or such a run started again): until its walk makes
     * progress of its own durable, its run records say restart_full, and a
     * run after it fails starts it again instead of resuming from there */
    int afresh;
    /* full since the last full sync is dated past now (a clock that ran
     * ahead then, corrected since): now - last_full_at never reached
     * full_sync.every, and no full run came again */
    int last_full_ahead;
} run_mode_decision_t;

/* How far past now a last full sync may be dated and still count (hosts'
 * clocks differ a little). */
#define RUN_MODE_CLOCK_SLACK_MS (3600 * 1000LL)

/* RUN_SOURCE_SIZE bytes: the digest run records keep of the records
 * endpoint a stream's HWM comes from ("fnv1a64:" and 16 hex digits). The
 * deleted endpoint is left out: a deleted mark of another one skips no
 * record for good, since full runs find the vanished ones. */
#define RUN_SOURCE_SIZE 32
void run_source_digest(const char *url, char *out);

/*
 * The mode of a run starting at now_ms after checkpoint cp (NULL: none):
 * full when there is no HWM (first run, `reset --full`) or force_full
 * (--full), or when cp's source is not source (run_source_digest(): the
 * HWM is another url's, a filter in the url widened say, and records
 * below it were never read) or cp has none (written by a build before
 * run records kept it: the url may have changed with the upgrade); a resumed full run when cp is a
 * full run that did not finish and left a HWM; else full when full_sync_every_ms
 * (> 0) has passed since cp's last full sync, or that sync is dated more
 * than RUN_MODE_CLOCK_SLACK_MS past now (last_full_ahead), incremental
 * otherwise.
 */
run_mode_decision_t run_mode_decide(const run_record_t *cp, const char *source, int force_full,
                                    int64_t full_sync_every_ms, int64_t now_ms);

/*
 * Whether a run in mode m, which started after a last full sync at
 * last_full_at_ms (0: none), written with status, is the full sync that
 * full_sync.every waits for. reconciled: its reconciliation is done (a
 * full run that reconciled counts even when its deleted endpoint failed,
 * or a deleted endpoint failing for good would make every run a full one).
 * A resumed full run reconciles nothing: it counts only when it finishes
 * the first load (before that nothing was published to reconcile).
 */
int run_mode_counts_as_full(run_mode_decision_t m, int64_t last_full_at_ms, run_status_t status,
                            int reconciled);

#endif
