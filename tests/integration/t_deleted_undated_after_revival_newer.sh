#!/usr/bin/env bash
# t_deleted_undated_after_revival_newer: as t_deleted_undated_after_revival,
# but no record changes after the revival, so the HWM stays below it: the
# revival's upsert (at the full run's start, past 2's own, days old cursor)
# is newer than the next walk's start. Such an upsert used to count as one
# the walk would have served, so that 2 was taken as gone without a walk
# of the records: but the walk, from the HWM, never serves 2.
# Expected: the deletion is stale (the API serves 2): 2 stays live.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_revival_api
revive_two
assert_listed_two_stays_live
log "ok"
