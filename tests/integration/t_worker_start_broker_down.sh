#!/usr/bin/env bash
# t_worker_start_broker_down: a worker (re)started while the broker leading
# half of the stream's partitions is down. As under a running worker
# (t_broker_down), the partitions led by live brokers must flow into the
# table, and SIGTERM must stop the worker within seconds; once the broker is
# back, everything completes.
# brokers: mock (faults are injected through the devbroker's control FIFO)
# long
. "$(dirname "$0")/lib.sh"

start_devbroker_ctl
start_demoapi --records 300
write_config
topic="$PREFIX.$STREAM"
split_stream_leaders
first_sync
wait_caught_up 30
stop_worker

ids=$(seq 10 7 290 | paste -sd, -)
api_post "/admin/update?ids=$ids" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
api_records_tsv >"$T_WORK/api.after.tsv"
n_applied()
{
    table_records_tsv | LC_ALL=C comm -12 - "$T_WORK/api.after.tsv" |
        awk -F'\t' -v ids=",$ids," 'index(ids, "," $1 ",")' | wc -l
}
some_applied() { [ "$(n_applied)" -ge 1 ]; }

broker_ctl broker 2 down
start_worker
if ! (wait_for "some changes applied through the live brokers" 45 some_applied) 2>/dev/null; then
    pid=${WORKER_PIDS[w1]}
    gdb -p "$pid" -batch -ex 'thread apply all bt 12' >"$T_WORK/bt.txt" 2>/dev/null
    where=$(awk '/^Thread 1 /,0' "$T_WORK/bt.txt" | grep -oE 'in [a-z_0-9]+ \(' | grep -v '^in __' | head -8 | tr -d '(' | tr '\n' ' ')
    kill -TERM "$pid"
    gone() { ! _pid_running "$pid"; }
    (wait_for "the worker to stop" 20 gone) 2>/dev/null && st="stopped on SIGTERM" || st="still running 20 s after SIGTERM"
    fail "no change applied 45 s after the worker started with broker 2 down ($st); main thread:$where; last log: $(grep -v rdkafka "$T_WORK/worker-w1.log" | tail -n1 | cut -c1-200)"
fi
log "while broker 2 is down: $(n_applied) changes applied"
broker_ctl broker 2 up
wait_run_completed "$run2" 60
wait_caught_up 30
assert_table_equals_api
stop_worker
log ok
