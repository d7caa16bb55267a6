#!/usr/bin/env bash
# t_kafka_produce_faults: Kafka refuses the producer's events.
#  (a) a non-retriable Produce error while a run with pending changes
#      publishes: `run --once` exits 1 with an error that says why, the
#      checkpoint (the latest run record's hwm) does not advance; once the
#      broker accepts again, the next run publishes the changes and the
#      table equals the API (no record missed);
#  (b) retriable Produce errors: the run completes, no event is published
#      twice and the table equals the API;
#  (c) deliveries that time out (the leader of some partitions is down for
#      longer than message.timeout.ms) while the sync-runs partition stays
#      writable: exit 1, a `failed` run record that keeps the previous HWM
#      although part of the run's events were acknowledged, and the next
#      run publishes every change again.
# brokers: mock (faults are injected through the devbroker's control FIFO)
. "$(dirname "$0")/lib.sh"

start_devbroker_ctl
start_demoapi --records 300
# Reconnect soon after a broker comes back (part c).
KAFKA_RECONNECT="kafka: reconnect.backoff.max.ms = 1000"
write_config "$KAFKA_RECONNECT"
topic="$PREFIX.$STREAM"

first_sync
assert_table_equals_api

# ---- (a) non-retriable errors, injected after the run has written its
# `running` record and while it waits for the API (the API holds the first
# answer, the deleted endpoint's, 10 s), so that they hit the change events
# themselves. (It held it 3 s: seeing the `running` record with kcat and
# having the devbroker apply the fault took 1.5-2 s on a loaded machine,
# and a slower reaction let the events through, the run exiting 0.)
cp_before=$(last_run_record)
assert_eq "$run1" "$(jq -r .run_id <<<"$cp_before")" "run_id of the checkpoint before (a)"
assert_eq completed "$(jq -r .status <<<"$cp_before")" "status of the checkpoint before (a)"
hwm_before=$(jq -c .hwm <<<"$cp_before")
api_post "/admin/update?ids=4,40,140,240" >/dev/null || fail "admin update"
api_post "/admin/create?count=2" >/dev/null || fail "admin create"
api_post "/admin/fault?status=0&delay_ms=10000&count=1" >/dev/null || fail "admin fault (delay)"
msgs_before=$(topic_count "$topic")

PRODUCER_LAST_LOG="$T_WORK/producer.fail.log"
timeout --foreground -k 5 60 "$BUILD/tidemark-producer" -c "$CONF" run --once \
    >"$T_WORK/producer.fail.out" 2>"$PRODUCER_LAST_LOG" &
ppid_=$!
_track_pid "$ppid_"
new_running() { last_run_record | jq -e --arg r "$run1" '.status == "running" and .run_id != $r'; }
wait_for "the producer's running record on $PREFIX.sync-runs" 20 new_running
failed_run=$(last_run_record | jq -r .run_id)
broker_ctl fail Produce 100000 TOPIC_AUTHORIZATION_FAILED
producer_gone() { ! pid_of_work "$ppid_" "$T_WORK"; }
wait_for "the producer run whose events Kafka refused to end" 60 producer_gone
wait "$ppid_"
rc=$?
cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
assert_eq 1 "$rc" "exit status of the producer whose events Kafka refused"
line=$(last_failed_line)
[ -n "$line" ] || fail "the producer logged no 'run failed' line"
log "failure logged: $line"
case "$line" in
    *"run_id=$failed_run "*) ;;
    *) fail "the failure line is not about run $failed_run: $line" ;;
esac
grep -q 'msg="run failed".*error=.*[Aa]uthoriz' <<<"$line" ||
    fail "the failure line does not name the broker's error (topic authorization failed): $line"
broker_ctl clear Produce

rec=$(last_run_record)
log "latest run record: $rec"
case "$(jq -r .status <<<"$rec")" in
    running | failed) ;;
    *) fail "status of the latest run record after the failure: $(jq -r .status <<<"$rec")" ;;
esac
assert_eq "$failed_run" "$(jq -r .run_id <<<"$rec")" "run_id of the latest run record"
assert_eq "$hwm_before" "$(jq -c .hwm <<<"$rec")" "hwm of the latest run record (the checkpoint must not advance)"
assert_eq "$msgs_before" "$(topic_count "$topic")" "messages on $topic after the refused run"

run_producer_once
run3=$(last_run_field run_id)
assert_eq 6 "$(last_run_field published)" "events published once Kafka accepts again"
assert_eq "$((msgs_before + 6))" "$(topic_count "$topic")" "messages on $topic"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the latest run record"
wait_run_completed "$run3" 60
assert_table_equals_api
assert_eq 6 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run3")")" \
    "records_synced of the run after the fault"

# ---- (b) retriable errors: librdkafka retries, the idempotent producer
# keeps the events single.
api_post "/admin/update?ids=9,90,190" >/dev/null || fail "admin update"
msgs_before=$(topic_count "$topic")
broker_ctl fail Produce 3 NOT_LEADER_FOR_PARTITION
run_producer_once
run4=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events published by the run that met retriable errors"
assert_eq "$((msgs_before + 3))" "$(topic_count "$topic")" "messages on $topic (none duplicated)"
kc -C -t "$topic" -e -f '%k %h\n' | grep -F "tidemark.run=$run4" | awk '{ print $1 }' | sort -n >"$T_WORK/run4.keys"
assert_eq "9 90 190" "$(tr '\n' ' ' <"$T_WORK/run4.keys" | sed 's/ $//')" "keys of the events of run $run4 (each once)"
wait_run_completed "$run4" 60
assert_table_equals_api
assert_eq 3 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run4")")" \
    "records_synced of the run that met retriable errors"

# ---- (c) delivery timeouts on part of the stream topic.
# Leaders are placed, not left to chance: broker 1 keeps sync-runs and
# stream partitions 2 and 3, broker 2 leads partitions 0 and 1 and goes down.
broker_ctl leader "$PREFIX.sync-runs" 0 1
broker_ctl leader "$PREFIX.schemas" 0 1 # a run publishes its schema first
broker_ctl leader "$topic" 0 2
broker_ctl leader "$topic" 1 2
broker_ctl leader "$topic" 2 1
broker_ctl leader "$topic" 3 1
B=2
cp_before=$(last_run_record)
assert_eq "$run4" "$(jq -r .run_id <<<"$cp_before")" "run_id of the checkpoint before (c)"
hwm_before=$(jq -c .hwm <<<"$cp_before")
ids=$(seq 11 7 290 | paste -sd, -)
n=$(tr ',' '\n' <<<"$ids" | wc -l)
api_post "/admin/update?ids=$ids" >/dev/null || fail "admin update"
write_config "$KAFKA_RECONNECT" "kafka: message.timeout.ms = 2000"
broker_ctl broker "$B" down
run_producer_once_rc 1
line=$(last_failed_line)
log "failure logged: $line"
case "$line" in
    *"error="*[Tt]imed\ out*) ;;
    *) fail "the failure line does not say that deliveries timed out: $line" ;;
esac
rec=$(last_run_record)
log "latest run record: $(jq -c '{run_id, status, hwm: .hwm.value, records, error}' <<<"$rec")"
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the latest run record"
assert_eq "$hwm_before" "$(jq -c .hwm <<<"$rec")" "hwm of the failed run record (the checkpoint must not advance)"
broker_ctl broker "$B" up
write_config "$KAFKA_RECONNECT"
run_producer_once
run6=$(last_run_field run_id)
assert_eq "$n" "$(last_run_field published)" "events published once the broker is back"
wait_run_completed "$run6" 60
wait_caught_up 30
assert_table_equals_api

stop_worker
log "ok"
