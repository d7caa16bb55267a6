#!/usr/bin/env bash
# t_broker_down: a broker that leads part of the stream topic goes down
# while the worker runs and a producer run publishes changes. Events for
# the partitions still led by live brokers keep flowing into the table;
# the run cannot complete (its events are not all acknowledged) until the
# broker is back; then everything completes and the table equals the API.
# brokers: mock (faults are injected through the devbroker's control FIFO)
. "$(dirname "$0")/lib.sh"

start_devbroker_ctl
start_demoapi --records 300
write_config
topic="$PREFIX.$STREAM"

# Leaders are placed, not left to chance: broker 1 leads sync-runs and
# stream partitions 2 and 3, broker 2 leads stream partitions 0 and 1.
# Broker 2 is the one to stop: the run can start (sync-runs stays up) and
# half of the stream keeps flowing.
split_stream_leaders
B=2
runs_leader=1
down_parts=0,1

first_sync
wait_caught_up 30
assert_table_equals_api

log "stopping broker $B (leads $topic partitions $down_parts; sync-runs leader is $runs_leader)"
broker_ctl broker "$B" down

ids=$(seq 10 7 290 | paste -sd, -)
api_post "/admin/update?ids=$ids" >/dev/null || fail "admin update"
n=$(tr ',' '\n' <<<"$ids" | wc -l)

PRODUCER_LAST_LOG="$T_WORK/producer.down.log"
timeout --foreground -k 5 120 "$BUILD/tidemark-producer" -c "$CONF" run --once \
    >"$T_WORK/producer.down.out" 2>"$PRODUCER_LAST_LOG" &
ppid_=$!
_track_pid "$ppid_"

# While the broker is down: some of the changes reach the table through the
# live brokers' partitions, and the run does not complete.
api_records_tsv >"$T_WORK/api.after.tsv"
n_applied()
{
    table_records_tsv | LC_ALL=C comm -12 - "$T_WORK/api.after.tsv" |
        awk -F'\t' -v ids=",$ids," 'index(ids, "," $1 ",")' | wc -l
}
some_applied() { [ "$(n_applied)" -ge 1 ]; }
wait_for "some changes applied through the live brokers" 30 some_applied
pid_of_work "$ppid_" "$T_WORK" || {
    wait "$ppid_"
    fail "the producer run ended (status $?) while broker $B, leader of partitions $down_parts, was down"
}
grep -q 'msg="run completed"' "$PRODUCER_LAST_LOG" && fail "the run completed while broker $B was down"
partial=$(n_applied)
log "while broker $B is down: $partial of $n changes applied, producer still running"
[ "$partial" -lt "$n" ] || fail "all $n changes were applied while the leader of partitions $down_parts was down"

broker_ctl broker "$B" up
producer_gone() { ! pid_of_work "$ppid_" "$T_WORK"; }
wait_for "the producer run to end once the broker is back" 60 producer_gone
wait "$ppid_"
rc=$?
cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
assert_eq 0 "$rc" "exit status of the producer run once the broker is back"
run2=$(last_run_field run_id)
assert_eq "$n" "$(last_run_field published)" "events published by the run"
wait_run_completed "$run2" 60
wait_caught_up 30
assert_table_equals_api
assert_eq "$n" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "records_synced of the run"

stop_worker
log "ok"
