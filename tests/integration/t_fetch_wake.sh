#!/usr/bin/env bash
# t_fetch_wake: a worker whose prefetch is small keeps fetching while it
# applies. librdkafka stops fetching a partition while the consumer queue
# is at queued.min.messages or queued.max.messages.kbytes, and its broker
# thread then sleeps until something wakes it, for up to a second: a
# worker that drains the queue sooner idled for the rest of that second,
# so the apply rate could not pass one prefetch a second (with the
# defaults, 20000 messages: about 20000 events/s whatever PostgreSQL could
# take). The worker now wakes the fetchers when the queue has drained
# (worker/fetchwake.c). Here one prefetch is a few hundred events:
# 10000 events took 20-30 s before, 3-4 s now; the run must be
# completed within 15 s of the assignment.
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
wait_run_completed "$run1" 15
log "run completed $(($(now_ms) - t0)) ms after the assignment"
assert_eq "$N" "$(psql_value "select count(*) from $TABLE")" "rows"
assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run1")")" \
    "records_synced"
stop_worker
log "ok"
