#!/usr/bin/env bash
# t_kafka_topic_recreated: the stream topic is deleted and created again
# under a running worker (on the real broker: CreateTopics/DeleteTopics,
# new topic ids, the consumer group's partitions revoked and assigned
# again). The worker's stored offsets now lie past the new partitions'
# ends: with offset.out_of_range = fail (the default) it applies nothing
# of those partitions, says so (topic, partition, stored offset,
# watermarks), does not die, and `status` exits 1. `reset-offsets
# --to-earliest` is the way out: the running worker resumes, and the
# table equals the API again.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_devbroker --topic "$topic:2"
start_demoapi --records 30
write_config "kafka: topic.metadata.refresh.interval.ms = 1000"
first_sync
# two more runs: stored offsets well past what the next run publishes
for i in 1 2; do
    api_post "/admin/update?ids=$(seq -s, 1 30)" >/dev/null || fail "admin update"
    run_producer_once
done
wait_caught_up 30
assert_table_equals_api
before=$(stored_offsets "$topic")
log "stored offsets before the topic is deleted: $(echo $before)"

kafka_admin delete "$topic"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$topic" 2 >/dev/null 2>&1; }
wait_for "$topic created again" 30 recreate
log "$topic deleted and created again"

api_post "/admin/update?ids=1,2,3,4,5,6" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
ends=$(topic_ends "$topic")
log "the new topic's ends: $(echo $ends)"

refused() { # refused PARTITION
    grep -q "level=error msg=\"stored offset outside the partition; not applying.*topic=$topic partition=$1 " "$T_WORK/worker-w1.log"
}
all_refused() {
    local p e
    while read -r p e; do refused "$p" || return 1; done <<<"$before"
}
wait_for "the worker to refuse the partitions whose stored offsets are past their ends" 60 all_refused
pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK" || fail "the worker died"
assert_eq "$before" "$(stored_offsets "$topic")" "stored offsets while refused"
assert_eq running "$(run_status "$run")" "status of the run on the new topic"

"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/s1.txt" 2>"$T_WORK/s1.err"
assert_eq 1 "$?" "exit status of status with partitions out of range"
grep -q 'out-of-range$' "$T_WORK/s1.txt" || fail "status shows no partition out of range: $(cat "$T_WORK/s1.txt")"

"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets failed: $(cat "$T_WORK/reset.out")"
wait_run_completed "$run" 60
wait_caught_up 30
assert_table_equals_api
"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/s2.txt" 2>"$T_WORK/s2.err" ||
    fail "status exited $? after the reset: $(cat "$T_WORK/s2.err")"
stop_worker
log "ok"
