#!/usr/bin/env bash
# t_poison_run_counts: a run record (on <prefix>.sync-runs) whose counts
# are each a valid int64 (records 2^63-1, deletes 1) but whose sum is past
# bigint. Such counts are refused (above 2^53), the record is
# dead-lettered, and the next run completes. It used to be applied, and
# then every batch's completion check failed with 22003 "bigint out of
# range", taken for a fatal error: the worker stopped, and again on every
# restart, so every stream stopped.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
runs="$PREFIX.sync-runs"

first_sync
wait_caught_up 30

last_run_record | /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
r["run_id"] = "huge-counts"
r["records"] = 9223372036854775807
r["deletes"] = 1
print(json.dumps(r))' >"$T_WORK/run.json"
cat "$T_WORK/run.json"
produce_file "$runs" 0 "$STREAM" "$T_WORK/run.json"

api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed_or_stop "$run2" 30
assert_eq completed "$(run_status "$run2")" "run 2"
assert_table_equals_api
stop_worker
log "ok"
