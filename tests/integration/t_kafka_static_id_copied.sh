#!/usr/bin/env bash
# t_kafka_static_id_copied: static membership ([kafka] group.instance.id)
# and the configuration copied to a second host with the id unchanged.
# The broker fences the first worker (FENCED_INSTANCE_ID), which stops:
# its only word was librdkafka's code, naming neither the key nor the
# cause. It now says another consumer took its place with the same
# group.instance.id. The second one goes on applying. (Found by helper 141.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 50
write_config "kafka: group.instance.id = host-a"
first_sync
wait_caught_up 30
w1_pid=${WORKER_PIDS[w1]}
unset "WORKER_PIDS[w1]" # it is expected to stop
start_worker w2
gone() { ! pid_of_work "$w1_pid" "$T_WORK"; }
wait_for "the first worker fenced and gone" 60 gone
wait "$w1_pid"
assert_eq 1 "$?" "the fenced worker's exit status"
grep 'level=error' "$T_WORK/worker-w1.log" | grep -v rdkafka | cut -c1-300
grep -q "with this worker's \[kafka\] group.instance.id and took its place" "$T_WORK/worker-w1.log" ||
    fail "the fenced worker did not say why it stopped"
api_post "/admin/update?count=10" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker w2
log "ok"
