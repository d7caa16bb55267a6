#!/usr/bin/env bash
# t_kafka_dlq_deleted: <prefix>.dlq is deleted under a running worker on a
# cluster that does not auto-create topics, and a message the worker
# cannot decode arrives. The dead letter cannot be delivered: the worker
# must retry the batch (never skip the message, never commit past it),
# say why, and once the topic exists again deliver the dead letter and go
# on; the run then completes. Each retry said only "dead-letter flush:
# timed out"; it now names the topic and that the cluster has no such
# topic. (Found by helper 130.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_broker --config auto.create.topics.enable=false
start_demoapi --records 30
write_config
first_sync
wait_caught_up 30

kafka_admin delete "$PREFIX.dlq"
printf 'not an event' >"$T_WORK/poison.bin"
produce_file "$topic" 0 poison "$T_WORK/poison.bin"
api_post "/admin/update?ids=$(seq -s, 1 30)" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)

retried() { grep -q 'batch rolled back; retrying' "$T_WORK/worker-w1.log"; }
wait_for "the batch retried" 90 retried
grep 'batch rolled back; retrying' "$T_WORK/worker-w1.log" | head -n 2 | cut -c1-400
grep -q "batch rolled back; retrying.*$PREFIX.dlq" "$T_WORK/worker-w1.log" ||
    fail "the retry does not name $PREFIX.dlq (nor that it does not exist)"
run_is_completed "$run" && fail "run $run completed while its dead letter could not go"

recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$PREFIX.dlq" 1 >/dev/null 2>&1; }
wait_for "$PREFIX.dlq created again" 30 recreate
one_dead_letter() { [ "$(topic_count "$PREFIX.dlq")" = 1 ]; }
wait_for "the dead letter delivered" 90 one_dead_letter
wait_run_completed "$run" 60
wait_caught_up 60
assert_table_equals_api
stop_worker
log "ok"
