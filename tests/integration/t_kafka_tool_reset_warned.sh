#!/usr/bin/env bash
# t_kafka_tool_reset_warned: a user replays with Kafka's own tool
# (kafka-consumer-groups --reset-offsets --to-earliest --execute, workers
# stopped, as Kafka requires). The worker's offsets are sync_offsets'; it
# went on from them and committed them over Kafka's without a word, the
# user's replay undone. Offsets tidemark commits now carry its metadata,
# and a committed offset that differs from the stored one without it is
# named in a warning pointing to `tidemark-worker reset-offsets`. A
# database restored from a backup, its offsets older than the ones
# tidemark committed, says nothing. (Found by helper 140.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 40
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
ends=$(topic_ends "$topic")
kafka_at_ends() { [ "$(kafka_group_offsets "$topic" | awk '$2 > 0')" = "$ends" ]; }
WAIT_INTERVAL=1 wait_for "Kafka's offsets equal sync_offsets" 30 kafka_at_ends
stop_worker
# the database restored from a backup: its offsets older than the ones
# tidemark committed to Kafka, rightly, and nothing to warn of
psql_value "update sync_offsets set next_offset = next_offset - 1
            where topic = '$topic' and partition = 0 and next_offset > 0" >/dev/null
warning="were set by another client"
start_worker
WAIT_INTERVAL=1 wait_for "partitions assigned again" 60 \
    eval '[ "$(grep -c "partitions assigned" "$T_WORK/worker-w1.log")" -ge 2 ]'
wait_caught_up 30
if grep -q "$warning" "$T_WORK/worker-w1.log"; then
    fail "a warning about offsets tidemark itself committed"
fi
stop_worker
kafka_tool consumer-groups --reset-offsets --group "$GROUP" --topic "$topic" --to-earliest \
    --execute >"$T_WORK/kreset.txt" 2>&1 ||
    fail "kafka-consumer-groups --reset-offsets: $(cat "$T_WORK/kreset.txt")"
start_worker
wait_for "the warning about Kafka's offsets set by another client" 60 \
    grep -q "$warning" "$T_WORK/worker-w1.log"
grep "$warning" "$T_WORK/worker-w1.log" | cut -c1-400
grep "$warning" "$T_WORK/worker-w1.log" | grep -q "$topic:0@0" || fail "the warning does not name partition 0"
WAIT_INTERVAL=1 wait_for "Kafka's offsets committed by the worker again" 60 kafka_at_ends
stop_worker
log "ok"
