#!/usr/bin/env bash
# t_pg_row_lock: a user's session keeps a transaction open on a row the
# worker must update (SELECT ... FOR UPDATE in a psql left open, a
# report's long transaction). The worker used to wait on it for ever
# without a word: nothing in its log, the batch and every later one held.
# With [postgres] lock_timeout the statement gives up after that long, the
# batch is rolled back and retried with a warning that names the relation
# and the key, and once the user's transaction ends the batch is applied.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "postgres: lock_timeout = 1s"
first_sync
wait_caught_up 30
log_f="$T_WORK/worker-w1.log"

pg_hold_open user "SELECT 1 FROM $TABLE WHERE id = 5 FOR UPDATE"

api_post "/admin/update?ids=5,6" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
lock_warnings() { grep 'msg="batch rolled back; retrying"' "$log_f" | grep -c 'another session holds the lock'; }
two_warnings() { [ "$(lock_warnings)" -ge 2 ]; }
wait_for "two retries that name the lock" 30 two_warnings
grep 'msg="batch rolled back; retrying"' "$log_f" | grep 'another session holds the lock' | grep -q "55P03.*relation" ||
    fail "the warning does not name the relation: $(grep 'another session' "$log_f" | head -n1)"
[ "$(run_status "$run2")" != completed ] || fail "the run completed while row 5 was locked"
want6=$(api_get /admin/records | jq -r '.data[] | select(.id == 6) | .name')
[ "$(psql_value "select name from $TABLE where id = 6")" != "$want6" ] ||
    fail "row 6 was written while its batch waited on row 5: the scenario proves nothing"

pg_release user
wait_run_completed "$run2" 30
assert_table_equals_api
stop_worker
log "ok"
