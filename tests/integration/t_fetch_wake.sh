#!/usr/bin/env bash
# t_fetch_wake: a worker whose prefetch is tiny (100 messages or 64 KiB)
# applies a backlog of 10000 events exactly once while worker/fetchwake.c
# wakes librdkafka's fetchers each time the queue drains (dozens of wakes,
# racing the fetches, seeks and commits). librdkafka stops fetching a
# partition while its queue is at queued.min.messages or
# queued.max.messages.kbytes and its broker thread then sleeps for up to a
# second: without the wakes this backlog took 20-30 s, with them 3-4 s.
# That speed is not asserted here (make bench measures the apply rate
# against PostgreSQL's limit in the same run); this scenario asserts the
# outcome: every row, the run counted once.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

N=10000
start_devbroker
start_demoapi --records "$N"
# small producer batches (the mock broker returns whole batches), fetches
# of 16 KiB a partition, a prefetch of 100 messages or 64 KiB
write_config "kafka: batch.size = 16384" "kafka: fetch.message.max.bytes = 16384" \
    "kafka: queued.min.messages = 100" "kafka: queued.max.messages.kbytes = 64"
run_producer_once
run1=$(last_run_field run_id)
assert_eq "$N" "$(last_run_field published)" "events published"

start_worker
wait_for "the worker's partitions assigned" 30 grep -q 'msg="partitions assigned"' "$T_WORK/worker-w1.log"
t0=$(now_ms)
wait_run_completed "$run1" 120
log "run completed $(($(now_ms) - t0)) ms after the assignment (20-30 s without the wakes)"
assert_eq "$N" "$(psql_value "select count(*) from $TABLE")" "rows"
assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run1")")" \
    "records_synced"
stop_worker
log "ok"
