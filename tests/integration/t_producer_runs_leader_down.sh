#!/usr/bin/env bash
# t_producer_runs_leader_down: the broker that leads <prefix>.sync-runs is
# down when `run --once` starts. Reading the checkpoint waited for ever in
# rd_kafka_query_watermark_offsets (librdkafka 2.0.2 ignores its timeout
# when the leader cannot be reached, confluentinc/librdkafka#2588) and
# SIGTERM did not stop it. The run must fail with a clear error once its
# own timeout (10 s) is spent, and the next run, the broker back, complete.
# brokers: mock (faults are injected through the devbroker's control FIFO)
# long
. "$(dirname "$0")/lib.sh"

start_devbroker_ctl
start_demoapi --records 300
write_config
broker_ctl leader "$PREFIX.sync-runs" 0 1
broker_ctl leader "$PREFIX.schemas" 0 2
for p in 0 1 2 3; do broker_ctl leader "$PREFIX.$STREAM" "$p" 2; done
first_sync

broker_ctl broker 1 down
"$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/p.out" 2>"$T_WORK/p.log" &
pp=$!
_track_pid "$pp"
gone() { ! _pid_running "$pp"; }
wait_for "the producer to give up on the checkpoint" 40 gone
rc=0
wait "$pp" || rc=$?
[ "$rc" != 0 ] || fail "the producer exited 0 without its checkpoint"
grep -q 'level=error msg="cannot read the checkpoints".*Timed out' "$T_WORK/p.log" ||
    fail "no clear error: $(grep -v rdkafka "$T_WORK/p.log" | tail -n 2)"

broker_ctl broker 1 up
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
