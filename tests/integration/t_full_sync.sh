#!/usr/bin/env bash
# t_full_sync: a first run publishes every record once; the worker applies
# them all, marks the run completed, and stores per-partition offsets that
# account for every message on the topic.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

N=2000
start_devbroker
start_demoapi --records "$N"
write_config

run_producer_once
run_id=$(last_run_field run_id)
[ -n "$run_id" ] || fail "no run_id in the producer's 'run completed' line"
assert_eq "$N" "$(last_run_field published)" "events published by the full sync"

topic="$PREFIX.$STREAM"
assert_eq "$N" "$(topic_count "$topic")" "messages on $topic"
ends=$(topic_ends "$topic")

start_worker
wait_run_completed "$run_id" 90

assert_table_equals_api
assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run_id")")" \
    "sync_metadata.records_synced"
assert_eq "t" "$(psql_value "select completed_at is not null from sync_metadata where run_id = $(sql_quote "$run_id")")" \
    "sync_metadata.completed_at set"
# Offsets are committed with the rows: at completion they are at the end.
assert_eq "$(echo "$ends")" "$(stored_offsets "$topic")" "sync_offsets per partition (partition next_offset)"
assert_eq "$N" "$(psql_value "select sum(next_offset) from sync_offsets
                               where consumer_group = $(sql_quote "$GROUP") and topic = $(sql_quote "$topic")")" \
    "sum of sync_offsets.next_offset"
assert_eq "$(echo "$ends" | wc -l)" "$(psql_value "select count(*) from sync_offsets
                               where consumer_group = $(sql_quote "$GROUP") and topic = $(sql_quote "$topic")")" \
    "sync_offsets rows (one per partition with messages)"
# Every row says where it came from.
assert_eq 0 "$(psql_value "select count(*) from $TABLE where _kafka_partition is null or _kafka_offset is null
                            or _source_ts is null or _synced_at is null")" "rows without Kafka position or timestamps"

stop_worker
log "ok"
