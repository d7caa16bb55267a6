#!/usr/bin/env bash
# t_reset_offsets_replay: an operator moves partition 0 forward past some
# of a run's events (reset-offsets --to-offset) and the run stays running,
# as the README says: they were not applied. Then the operator replays the
# partition from the beginning (reset-offsets --to-earliest): every event
# of the run is applied now, and the run must complete. It stayed running
# for good: the events counted were kept as the highest offset counted,
# and the skipped ones lay below it, so they counted as seen.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 50
write_config
run_producer_once
run1=$(last_run_field run_id)
reset() { "$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --partition 0 "$@"; }
reset --to-offset 5 --execute >"$T_WORK/reset1.out" 2>&1 ||
    fail "reset-offsets --to-offset 5: $(cat "$T_WORK/reset1.out")"
start_worker
wait_caught_up 60
assert_eq running "$(run_status "$run1")" "the run's status after 5 of its events were skipped"
table_equals_api && fail "the table equals the API although 5 events were skipped"

reset --to-earliest --execute >"$T_WORK/reset2.out" 2>&1 ||
    fail "reset-offsets --to-earliest: $(cat "$T_WORK/reset2.out")"
wait_run_completed "$run1" 60
assert_table_equals_api
assert_eq "50 0" "$(psql_value "select records_synced || ' ' || records_deleted from sync_metadata
                               where run_id = $(sql_quote "$run1")")" \
    "the run's counts: each event once"
stop_worker
log "ok"
