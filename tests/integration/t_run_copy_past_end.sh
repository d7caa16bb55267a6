#!/usr/bin/env bash
# t_run_copy_past_end: a change event that names a run, at an offset past
# the run's end (its final record's end_offsets): a copy of one of its
# events sent back to the topic (a dead letter replayed, a mirror). Run R
# publishes 5 events on partition 0 and its final record; the operator
# skips R's first event (reset-offsets), so R stays running. The copy was
# counted for R, made up for the skipped event, and R was marked
# completed though the row of its first event was never written. A run id
# in an event is anyone's to write, as a header is: past the run's end it
# counts for no run.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker
event_header "$T_WORK/hdr.bin"

R="$STREAM-20261203T230000Z-cafe0001"
now=$(now_ms)
b=$(partition_end "$topic" 0)
craft_event "$T_WORK/ev" "{\"id\": \"101\", \"source_ts\": $now, \"run_id\": \"$R\"}" 5
for i in 0 1 2 3 4; do
    produce_file "$topic" 0 "$((101 + i))" "$T_WORK/ev.$i" -H "tidemark.op=upsert" -H "tidemark.run=$R"
done
end=$((b + 5))
last_run_record | jq -c --arg r "$R" --argjson e "$end" \
    '.run_id = $r | .records = 5 | .deletes = 0 | .status = "completed" | .end_offsets = {"0": $e} | .hwm.ids = {} | del(.hwm.chunks)' \
    >"$T_WORK/run.json"
produce_file "$PREFIX.sync-runs" 0 "$STREAM" "$T_WORK/run.json"
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --partition 0 --to-offset $((b + 1)) --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
start_worker
wait_caught_up 30
q="from sync_metadata where run_id = $(sql_quote "$R")"
record_applied() { [ "$(psql_value "select producer_records $q")" = 5 ]; }
wait_for "R's final record applied" 30 record_applied
assert_eq running "$(run_status "$R")" "R after its first event was skipped"

# a copy of one of R's events, past R's end
craft_event "$T_WORK/copy" "{\"id\": \"102\", \"source_ts\": $now, \"run_id\": \"$R\"}"
produce_file "$topic" 0 102 "$T_WORK/copy" -H "tidemark.op=upsert" -H "tidemark.run=$R"
wait_caught_up 30
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 101")" "rows of the skipped event (id 101)"
assert_eq 4 "$(psql_value "select records_synced $q")" "R's synced records (the copy past its end not among them)"
assert_eq running "$(run_status "$R")" "R after a copy of its event past its end"
stop_worker
log "ok"
