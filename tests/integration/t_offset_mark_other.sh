#!/usr/bin/env bash
# t_offset_mark_other: the marks stored with the offsets (sync_offsets.
# last_ts, last_key_sum: the message below each offset, as the batch that
# stored it read it) name other messages than the ones there, as after a
# topic deleted, made again and refilled past them (the real thing on the
# real broker: t_kafka_recreated_refilled, with offset.out_of_range =
# fail). With offset.out_of_range = earliest the worker says so for each
# partition and goes on from its start: everything is applied again
# (idempotently), the events published meanwhile too, and the table equals
# the API. A mark of another offset (last_offset behind next_offset, as an
# older worker or a hand UPDATE leaves it) is no mark: not compared.
# brokers: mock
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_devbroker --topic "$topic:2"
start_demoapi --records 20
write_config "worker: offset.out_of_range = earliest"
first_sync
wait_caught_up 30
stop_worker
marked=$(psql_value "select count(*) from sync_offsets where topic = '$topic'
                     and last_offset = next_offset - 1 and next_offset > 1")
assert_eq 2 "$marked" "partitions whose stored offset has a mark"
# partition 0's mark names another message; partition 1's belongs to
# another offset (not compared, whatever it says)
psql_value "update sync_offsets set last_key_sum = last_key_sum + 1
            where topic = '$topic' and partition = 0" >/dev/null
psql_value "update sync_offsets set last_key_sum = last_key_sum + 1, last_offset = last_offset - 1
            where topic = '$topic' and partition = 1" >/dev/null
before=$(stored_offsets "$topic")
api_post "/admin/update?ids=$(seq -s, 1 8)" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)

start_worker
other='msg="the message below the stored offset is not the one this group applied there'
wait_for "the worker to go on from partition 0's start" 60 \
    grep -q "level=warn $other.*topic=$topic partition=0 .*start=0 " "$T_WORK/worker-w1.log"
if grep "$other" "$T_WORK/worker-w1.log" | grep -q "partition=1 "; then
    fail "partition 1's mark of another offset was compared"
fi
wait_run_completed "$run" 60
wait_caught_up 30
assert_table_equals_api
log "stored offsets before: $(echo $before); after: $(echo $(stored_offsets "$topic"))"
log "ok"
