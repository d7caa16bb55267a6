#!/usr/bin/env bash
# t_kafka_reset_forward_lag: reset-offsets --to-latest --execute under a
# running worker (Kafka refuses the outside commit: the group has a
# member). README: "the workers' next commit brings Kafka in step". On a
# quiet stream no batch comes to commit, and Kafka's group offsets stayed
# behind sync_offsets: kafka-consumer-groups --describe and lag alerts
# showed the skipped events as lag for good. The worker now commits the
# stored offsets it moved to. (Found by helper 140.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
kafka_off() { kafka_group_offsets "$topic" | awk '$2 > 0'; }
kafka_in_step() { [ "$(kafka_off)" = "$1" ]; }
WAIT_INTERVAL=1 wait_for "Kafka's offsets equal sync_offsets" 30 kafka_in_step "$(stored_offsets "$topic")"
# the worker does not get to run 2: it is stopped (still a member)
kill -STOP "${WORKER_PIDS[w1]}"
api_post "/admin/update?ids=$(seq 1 20 | paste -sd, -)" >/dev/null || fail "admin update"
run_producer_once
ends=$(topic_ends "$topic")
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-latest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
grep -q "Kafka's group offsets not committed" "$T_WORK/reset.out" ||
    { cat "$T_WORK/reset.out"; fail "Kafka took the commit from outside: the scenario proves nothing"; }
kill -CONT "${WORKER_PIDS[w1]}"
wait_caught_up 30
assert_eq "$ends" "$(stored_offsets "$topic")" "sync_offsets after the reset"
WAIT_INTERVAL=1 wait_for "Kafka's group offsets in step with sync_offsets" 30 kafka_in_step "$ends"
log "ok"
