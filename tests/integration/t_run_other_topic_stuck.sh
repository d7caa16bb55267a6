#!/usr/bin/env bash
# t_run_other_topic_stuck: the other face of t_run_other_topic. A
# change event on customers2's topic (same schema, its own table) names
# run R of customers before R's final record is known. The worker counts
# it for R and marks the whole span its batch consumed of partition 0 OF
# customers2's TOPIC as counted in R's applied_offsets, which are keyed by
# partition number alone. R's own five events, later, at offsets of
# partition 0 of customers' topic inside that span, are then taken as
# already counted: every one is applied, its end offsets are reached, and
# R stays running for good (records_synced 1 of 5).
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
R2="${STREAM}2-20261203T225900Z-cafe0002"
now=$(now_ms)
b=$(partition_end "$topic" 0)
# customers2's partition 0: a stranger's event naming R (at offset 0), then
# 30 events of its own
craft_event "$T_WORK/stranger" "{\"id\": \"101\", \"source_ts\": $now, \"run_id\": \"$R\"}"
produce_file "$topic2" 0 101 "$T_WORK/stranger" -H "tidemark.op=upsert" -H "tidemark.run=$R"
craft_event "$T_WORK/own" "{\"id\": \"201\", \"source_ts\": $now, \"run_id\": \"$R2\"}" 30
for i in $(seq 0 29); do
    produce_file "$topic2" 0 "$((201 + i))" "$T_WORK/own.$i" -H "tidemark.op=upsert" -H "tidemark.run=$R2"
done
start_worker
wait_for "customers2 applied" 30 offsets_at_ends "$topic2" "0 31"
q="from sync_metadata where run_id = $(sql_quote "$R")"
log "R after customers2's batch: $(psql_value "select record_type || ' synced=' || records_synced || ' applied=' || applied_offsets::text $q")"
stop_worker

# now run R of customers: 5 events on partition 0 and its final record
craft_event "$T_WORK/ev" "{\"id\": \"101\", \"source_ts\": $((now + 1)), \"run_id\": \"$R\"}" 5
for i in 0 1 2 3 4; do
    produce_file "$topic" 0 "$((101 + i))" "$T_WORK/ev.$i" -H "tidemark.op=upsert" -H "tidemark.run=$R"
done
end=$((b + 5))
last_run_record | jq -c --arg r "$R" --argjson e "$end" \
    '.run_id = $r | .records = 5 | .deletes = 0 | .status = "completed" | .end_offsets = {"0": $e} | .hwm.ids = {} | del(.hwm.chunks)' \
    >"$T_WORK/run.json"
produce_file "$PREFIX.sync-runs" 0 "$STREAM" "$T_WORK/run.json"
start_worker
wait_caught_up 30
record_applied() { [ "$(psql_value "select producer_records $q")" = 5 ]; }
wait_for "R's final record applied" 30 record_applied
assert_eq 5 "$(psql_value "select count(*) from $TABLE where id between 101 and 105")" "R's rows in $TABLE"
log "R: $(psql_value "select record_type || ' synced=' || records_synced || ' ' || sync_status || ' applied=' || applied_offsets::text $q")"
# every event of R applied and its end offset reached: R must complete
if ! (wait_run_completed "$R" 15); then
    fail "R stays $(run_status "$R") with every event applied: records_synced=$(psql_value "select records_synced $q") of 5"
fi
stop_worker
log "ok"
