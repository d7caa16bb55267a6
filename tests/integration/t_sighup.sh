#!/usr/bin/env bash
# t_sighup: SIGHUP (a closed terminal, a supervisor that sends it) stops
# the worker and a follow-mode producer as SIGTERM does: exit 0, the
# worker's batch committed and its group left, the producer's pass ended.
# Its default action used to end both processes at once (status 129),
# mid-batch, without leaving the group.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
write_config "worker: batch.max.ms = 1000"

follow_start
wait_for "a first pass of the follow-mode producer" 30 follow_passes_at_least 1
follow_stop 10 HUP

start_worker
wait_caught_up 30
api_post "/admin/update?ids=$(seq -s, 1 100)" >/dev/null || fail "admin update"
run_producer_once
stop_worker w1 HUP
start_worker
wait_caught_up 30
assert_table_equals_api
stop_worker
log "ok"
