#!/usr/bin/env bash
# t_kafka_commit_after_stall: another session holds a row lock of the
# table for longer than max.poll.interval.ms: the worker applying that row
# blocks, librdkafka throws it out of the group, the other takes its
# partitions. Once the lock goes, nothing is lost or counted twice and the
# run completes; and Kafka's committed offsets follow the stored ones. The
# commit made after the stalled batch is refused (the member was out), and
# nothing committed the partition again until a new event came: lag tools
# showed a lag that was not there for as long as the stream was quiet. A
# partition assigned now has its stored offset committed to Kafka.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 200
write_config "kafka: max.poll.interval.ms = 8000"
first_sync
start_worker w2
wait_caught_up 30

# row 5 held until the worker applying it is thrown out of the group
pg_hold_open user "SELECT 1 FROM $TABLE WHERE id = 5 FOR UPDATE"
api_post "/admin/update?ids=$(seq -s, 1 60)" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
pub=$(last_run_field published)
thrown_out() { cat "$T_WORK"/worker-w*.log | matches 'facility=MAXPOLL'; }
wait_for "the worker applying row 5 out of the group (max.poll.interval.ms)" 60 thrown_out
pg_release user
wait_run_completed "$run2" 90
wait_caught_up 30
assert_table_equals_api
assert_eq "$pub 0" "$(psql_value "select records_synced, records_dead_lettered from sync_metadata where run_id = '$run2'" | tr '\t' ' ')" \
    "records_synced and records_dead_lettered of run 2"
ends=$(topic_ends "$PREFIX.$STREAM")
kafka_in_step() { [ "$(kafka_group_offsets "$PREFIX.$STREAM")" = "$ends" ]; }
wait_for "Kafka's committed offsets at the ends ($(echo $ends))" 30 kafka_in_step
stop_worker w1
stop_worker w2
log "ok"
