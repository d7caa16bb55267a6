#!/usr/bin/env bash
# t_poison_run_record: a run record with started_at 0000-01-01T00:00:00Z
# (year 0: PostgreSQL's timestamptz refuses it with 22008) made the worker
# exit 1 on every restart. Now it goes to the DLQ with the reason and
# <prefix>.sync-runs keeps flowing: the next run completes. (isotime_parse
# refuses years outside 0001..9999 since the fuzzers found that they do not
# format back, so the reason is now the parse's, before PostgreSQL sees it;
# a run record PostgreSQL itself refuses is t_poison_run_id's.)
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
runs="$PREFIX.sync-runs"

first_sync
wait_caught_up 30

last_run_record | jq -c '.run_id = "year-zero" | .started_at = "0000-01-01T00:00:00Z"' >"$T_WORK/run.json"
rbase=$(partition_end "$runs" 0)
produce_file "$runs" 0 "$STREAM" "$T_WORK/run.json"

dlq_one() { [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
wait_for "a dead letter" 30 dlq_one
dlq_lines >"$T_WORK/dlq.txt"
cat "$T_WORK/dlq.txt"
assert_eq 1 "$(dlq_count_for "$runs/0/$rbase")" "dead letters of the run record"
grep -q "started_at': bad timestamp '0000-01-01T00:00:00Z': out of range" "$T_WORK/dlq.txt" ||
    fail "the dead letter does not give the reason (started_at out of range)"
! grep -q "run record: run record" "$T_WORK/dlq.txt" || fail "the reason says 'run record' twice"
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where run_id = 'year-zero'")" \
    "sync_metadata rows of the refused run record"

# The topic keeps flowing: the next run completes.
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 30
assert_table_equals_api
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters in the end"
stop_worker
log "ok"
