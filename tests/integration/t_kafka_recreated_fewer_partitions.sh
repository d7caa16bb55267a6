#!/usr/bin/env bash
# t_kafka_recreated_fewer_partitions: the stream topic (4 partitions) is
# deleted while the worker is stopped and created again with 2, and the
# README's remedy is followed: `reset-offsets --to-earliest --execute`
# before the worker starts. That reset the partitions the new topic has
# (0 and 1) and left sync_offsets' rows of partitions 2 and 3, offsets of
# the OLD topic. Later the operator grows the topic back to 4 partitions
# (kafka-topics --alter); the worker took the new partitions 2 and 3 at
# those stale offsets, and once the next run had put as many events there
# (same keys, same hash), every event of partitions 2 and 3 was skipped
# without a word, and the run stayed `running` for ever. reset-offsets now
# deletes, and its plan names, the rows of partitions the topic no longer
# has. (Found by helper 130.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
all=$(seq -s, 1 40)
start_devbroker --topic "$topic:4"
start_demoapi --records 40
write_config
first_sync
wait_caught_up 30
log "stored offsets of the 4-partition topic: $(echo $(stored_offsets "$topic"))"
stop_worker

kafka_admin delete "$topic"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$topic" 2 >/dev/null 2>&1; }
wait_for "$topic created again with 2 partitions" 30 recreate
# a topic just created may not be in the broker's metadata yet: reset-offsets
# once said "cannot read the topic's partitions" (UNKNOWN_TOPIC_OR_PART) here;
# it now asks again for 10 s (t_kafka_reset_topic_appears), and this scenario
# waits for the 2 partitions so that it tests the plan, not that wait
visible() { kc -L -t "$topic" 2>/dev/null | grep -q "topic \"$topic\" with 2 partitions"; }
wait_for "$topic's 2 partitions in the broker's metadata" 30 visible
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets failed: $(cat "$T_WORK/reset.out")"
log "reset-offsets: $(tr '\n' ' ' <"$T_WORK/reset.out")"
grep -q "^partition 2: the topic no longer has it" "$T_WORK/reset.out" ||
    fail "the plan does not say that partition 2's stored offset is deleted"
assert_eq "0:0 1:0" "$(psql_value "select string_agg(partition || ':' || next_offset, ' ' order by partition)
                                   from sync_offsets where topic = '$topic'")" "stored offsets after the reset"
log "stored offsets after the reset: $(echo $(stored_offsets "$topic"))"
start_worker
api_post "/admin/update?ids=$all" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api

kafka_admin partitions "$topic" 4
api_post "/admin/update?ids=$all" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
log "ends after the growth: $(echo $(topic_ends "$topic"))"
said() { grep -q "stored offset outside the partition" "$T_WORK/worker-w1.log"; }
settled() { said || { run_is_completed "$run" && table_equals_api; }; }
if ! (wait_for "run $run completed and the table equal to the API (or the stale offsets refused)" 60 settled); then
    log "stored offsets now: $(echo $(stored_offsets "$topic")); run $run: $(run_status "$run")"
    grep -E 'level=(warn|error)' "$T_WORK/worker-w1.log" | grep -v rdkafka | tail -n 5 >&2
    assert_table_equals_api
    fail "run $run is $(run_status "$run")"
fi
said && fail "the new partitions were refused for offsets of the deleted topic"
stop_worker
log "ok"
