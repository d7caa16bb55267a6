#!/usr/bin/env bash
# t_run_other_topic: a change event on ANOTHER stream's topic that
# names a run of this stream (a mirror or a dead-letter replay sent to
# the wrong topic of two streams sharing a schema; or any stranger who
# writes a run id, which README calls "anyone's to write"). Run R of
# customers publishes 5 events on partition 0 and its final record; the
# operator skips R's first event (reset-offsets), so R must stay running
# (README: "Events skipped by moving an offset forward keep their run
# running"). A copy of R's first event sits at offset 0 of partition 0 of
# customers2's topic. The worker counts the copy for R (a decoded event's
# run_id is never checked to be its stream's, and a run's applied
# offsets are keyed by partition number alone, whatever the topic), and
# R is marked completed though the row of its first event was never
# written to customers.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 10
write_config
topic="$PREFIX.$STREAM"
topic2="$PREFIX.${STREAM}2"
first_sync
wait_caught_up 30
stop_worker
event_header "$T_WORK/hdr.bin"

# a second stream with the same schema and its own table
add_stream_copy "${STREAM}2" "s|^table = .*|table = ${TABLE}2|"

R="$STREAM-20261203T230000Z-cafe0001"
now=$(now_ms)
b=$(partition_end "$topic" 0)
[ "$b" -ge 1 ] || fail "want earlier messages on partition 0 of $topic"
craft_event "$T_WORK/ev" "{\"id\": \"101\", \"source_ts\": $now, \"run_id\": \"$R\"}" 5
for i in 0 1 2 3 4; do
    produce_file "$topic" 0 "$((101 + i))" "$T_WORK/ev.$i" -H "tidemark.op=upsert" -H "tidemark.run=$R"
done
end=$((b + 5))
last_run_record | jq -c --arg r "$R" --argjson e "$end" \
    '.run_id = $r | .records = 5 | .deletes = 0 | .status = "completed" | .end_offsets = {"0": $e} | .hwm.ids = {} | del(.hwm.chunks)' \
    >"$T_WORK/run.json"
produce_file "$PREFIX.sync-runs" 0 "$STREAM" "$T_WORK/run.json"
# the copy of R's first event, on the other stream's topic, partition 0 offset 0
produce_file "$topic2" 0 101 "$T_WORK/ev.0" -H "tidemark.op=upsert" -H "tidemark.run=$R"
assert_eq "0 1" "$(topic_ends "$topic2")" "customers2's topic: the copy alone, at 0:0"

"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --partition 0 --to-offset $((b + 1)) --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
start_worker
wait_caught_up 30
wait_for "the copy applied to ${TABLE}2" 30 offsets_at_ends "$topic2" "0 1"
q="from sync_metadata where run_id = $(sql_quote "$R")"
record_applied() { [ "$(psql_value "select producer_records $q")" = 5 ]; }
wait_for "R's final record applied" 30 record_applied
log "R: $(psql_value "select record_type || ' ' || topic || ' synced=' || records_synced || ' ' || sync_status || ' applied=' || applied_offsets::text $q")"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id = 101")" "rows of the skipped event (id 101) in $TABLE"
assert_eq running "$(run_status "$R")" "R after its first event was skipped (a copy on ${STREAM}2's topic must not make up for it)"
stop_worker
log "ok"
