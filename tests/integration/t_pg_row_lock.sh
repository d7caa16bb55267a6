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

psql_value "create table tm_release (done boolean)" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 >"$T_WORK/locker.log" 2>&1 <<SQL &
SET statement_timeout = '90s';
BEGIN;
SELECT 1 FROM $TABLE WHERE id = 5 FOR UPDATE;
\! touch "$T_WORK/locked"
DO \$\$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM tm_release) LOOP PERFORM pg_sleep(0.05); END LOOP;
END \$\$;
COMMIT;
SQL
locker=$!
_track_pid "$locker"
wait_for "row 5 locked by the user's session" 20 test -e "$T_WORK/locked"

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

psql_value "insert into tm_release values (true)" >/dev/null
wait "$locker" || fail "the locking session failed: $(cat "$T_WORK/locker.log")"
wait_run_completed "$run2" 30
assert_table_equals_api
stop_worker
log "ok"
