#!/usr/bin/env bash
# t_poison_run_counts: a run record (on <prefix>.sync-runs) whose
# counts are each valid (non-negative int64: records 2^63-1, deletes 1)
# but whose sum is past bigint. The worker applies it, then the
# completion check of every batch (metadata_complete_runs: producer_records
# + producer_deletes) fails with 22003 "bigint out of range", a data error
# taken for a fatal one: the worker stops, and again on every restart (the
# batch is never committed), so every stream stops. Expected: the record
# is dead-lettered (or its counts refused) and the next run completes.
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
completed_or_exited() {
    [ "$(run_status "$run2")" = completed ] || ! kill -0 "${WORKER_PIDS[w1]}" 2>/dev/null
}
wait_for "run 2 completed (or the worker gone)" 30 completed_or_exited
if ! kill -0 "${WORKER_PIDS[w1]}" 2>/dev/null; then
    first=$(grep -E 'level=(error|fatal)' "$T_WORK/worker-w1.log" | grep -v rdkafka | tail -n 1)
    unset "WORKER_PIDS[w1]"
    start_worker # as a supervisor would
    gone() { ! kill -0 "${WORKER_PIDS[w1]}" 2>/dev/null; }
    wait_for "the restarted worker to exit too" 30 gone
    unset "WORKER_PIDS[w1]"
    fail "the worker exited, and again after a restart ($(grep -c 'batch failed; stopping' "$T_WORK/worker-w1.log") times; run 2: $(run_status "$run2")): $first"
fi
assert_eq completed "$(run_status "$run2")" "run 2"
assert_table_equals_api
stop_worker
log "ok"
