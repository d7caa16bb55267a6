#!/usr/bin/env bash
# t_worker_crash: a worker killed (SIGKILL) mid-apply loses nothing and
# applies nothing twice: after a restart the table equals the API and the
# run's records_synced is exact.
# brokers: mock kafka
# long
. "$(dirname "$0")/lib.sh"

N=30000
start_devbroker
start_demoapi --records "$N" --max-page-size 5000
# Small batches: many commits, so that the kill lands between two of them.
write_config "stream: page.size = 5000" "worker: batch.max.records = 500"
topic="$PREFIX.$STREAM"

run_producer_once
run_id=$(last_run_field run_id)
assert_eq "$N" "$(last_run_field published)" "events published"

applied() { psql_value "select coalesce(sum(next_offset), 0) from sync_offsets
                        where consumer_group = $(sql_quote "$GROUP") and topic = $(sql_quote "$topic")" 2>/dev/null; }
some_progress() { local a; a=$(applied) && [ "$a" -gt 0 ] && [ "$a" -lt "$N" ]; }

start_worker
WAIT_INTERVAL=0.02 wait_for "worker made some progress" 60 some_progress
kill_worker
at_kill=$(applied)
log "killed the worker with $at_kill of $N events committed"
[ "$at_kill" -lt "$N" ] || fail "the worker finished before it could be killed ($at_kill of $N): the scenario proves nothing"

start_worker
wait_run_completed "$run_id" 120
assert_table_equals_api
assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run_id")")" \
    "records_synced after the crash and restart"
assert_eq completed "$(run_status "$run_id")" "sync_status"
assert_eq "$N" "$(applied)" "sum of stored offsets"
stop_worker
log "ok"
