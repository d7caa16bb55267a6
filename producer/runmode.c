/*
 * runmode.c - full or incremental (see runmode.h).
 */
#include "runmode.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fnv1a.h"

/*
 * A full run that did not finish (it failed, or the process died while it
 * ran) and left a HWM: the next run goes on from there instead of starting
 * again, or a huge first load on a flaky API might never finish. A full
 * run that reconciled finished its walk (last_full_at is its start).
 */
static int unfinished_full(const run_record_t *cp)
{
    return cp && cp->mode == RUN_MODE_FULL && cp->status != RUN_STATUS_COMPLETED &&
           cp->last_full_at_ms != cp->started_at_ms && cp->hwm.has_value;
}

void run_source_digest(const char *url, char *out)
{
    snprintf(out, RUN_SOURCE_SIZE, "fnv1a64:%016" PRIx64, fnv1a64(url, strlen(url)));
}

run_mode_decision_t run_mode_decide(const run_record_t *cp, const char *source, int force_full,
                                    int64_t full_sync_every_ms, int64_t now_ms)
{
    /* No HWM (first run, or a `reset --full`) means reading everything;
     * so does --full, even while a full run is unfinished. */
    if (!cp || !cp->hwm.has_value || force_full)
        return (run_mode_decision_t){.full = 1, .afresh = 1};
    /* a checkpoint without source (an older build's) cannot show that url
     * is unchanged: the HWM may be another endpoint's */
    if (source && (!cp->source || strcmp(cp->source, source) != 0))
        return (run_mode_decision_t){
            .full = 1, .source_changed = 1, .source_unknown = !cp->source, .afresh = 1};
    /* one started afresh that made no progress of its own: its HWM is
     * the one from before it, below which it read nothing yet */
    if (unfinished_full(cp))
        return cp->restart_full ? (run_mode_decision_t){.full = 1, .afresh = 1}
                                : (run_mode_decision_t){.full = 1, .resumed = 1};
    if (full_sync_every_ms > 0 && cp->last_full_at_ms > now_ms + RUN_MODE_CLOCK_SLACK_MS)
        return (run_mode_decision_t){.full = 1, .last_full_ahead = 1};
    return (run_mode_decision_t){.full = full_sync_every_ms > 0 &&
                                         now_ms - cp->last_full_at_ms >= full_sync_every_ms};
}

int run_mode_counts_as_full(run_mode_decision_t m, int64_t last_full_at_ms, run_status_t status,
                            int reconciled)
{
    if (!m.full || (m.resumed && last_full_at_ms != 0))
        return 0;
    return status == RUN_STATUS_COMPLETED || reconciled;
}
