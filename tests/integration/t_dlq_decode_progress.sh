#!/usr/bin/env bash
# t_dlq_decode_progress: a long run writes progress records (a `running`
# run record every 20000 events) whose end_offsets are where it had got
# to; its later events lie past them. When such later events cannot be
# decoded, their tidemark.run header still counts them in the run: only
# the run's last record gives the end past which a header's message is a
# stranger's. Judged against a progress record's end offsets, they were
# counted nowhere and the run stayed `running` for good. The producer's
# messages are written here by hand, in the order a run writes them:
# progress record, later events (bytes the worker cannot decode), last
# record.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 5
write_config
first_sync # the tables and topics
wait_caught_up 30
topic="$PREFIX.$STREAM"
runs="$PREFIX.sync-runs"
run=$(printf '%s-20261203T120000Z-0a1b2c3d' "$STREAM")
end0=$(partition_end "$topic" 0)

record() { # record STATUS RECORDS END0 - this run's record, on one line
    jq -cn --arg s "$STREAM" --arg r "$run" --arg st "$1" --argjson n "$2" --argjson e "$3" \
        '{stream: $s, run_id: $r, mode: "incremental", status: $st, records: $n, deletes: 0,
          started_at: "2026-12-03T12:00:00.000Z", hwm: {value: null}, end_offsets: {"0": $e}}'
}
record running 0 "$end0" >"$T_WORK/progress.json"
produce_file "$runs" 0 "$STREAM" "$T_WORK/progress.json"
progress_applied() { [ "$(psql_value "select end_offsets->>'0' from sync_metadata where run_id = $(sql_quote "$run")")" = "$end0" ]; }
wait_for "the progress record applied" 30 progress_applied

# Three later events of the run, which the worker cannot decode.
printf 'not an event' >"$T_WORK/garbage.bin"
for i in 1 2 3; do
    produce_file "$topic" 0 "late-$i" "$T_WORK/garbage.bin" -H "tidemark.run=$run"
done
record completed 3 "$((end0 + 3))" >"$T_WORK/last.json"
produce_file "$runs" 0 "$STREAM" "$T_WORK/last.json"

wait_run_completed "$run" 30
assert_eq "0 3" "$(psql_value "select records_synced || ' ' || records_dead_lettered from sync_metadata
                               where run_id = $(sql_quote "$run")")" "records_synced and records_dead_lettered of the run"
stop_worker
log "ok"
