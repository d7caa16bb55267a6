#!/usr/bin/env bash
# t_batch_caught_up: a worker holding fewer events than a batch waits for
# more (up to batch.max.ms) only while more are coming. Once it has read
# every partition to its end it applies what it holds, so a run's last
# events, or one change in follow mode, are not held back. They were: the
# last batch of every run waited out the whole batch.max.ms (half a second
# by default, a minute here) before it was applied.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "worker: batch.max.ms = 60000"

# 1. A run published before the worker starts: its 30 events and its run
#    record are all there is.
run_producer_once
run1=$(last_run_field run_id)
start_worker
wait_run_completed "$run1" 20
assert_table_equals_api

# 2. A change published while the worker waits at the end of every
#    partition.
api_post "/admin/update?ids=3,5" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
[ "$run2" != "$run1" ] || fail "the second run has the first one's id"
wait_run_completed "$run2" 20
assert_table_equals_api
stop_worker
log "ok"
