#!/usr/bin/env bash
# t_pg_lock_stop: a SIGTERM while the worker waits on a lock that a user's
# session holds (a SELECT ... FOR UPDATE left open in psql). The wait
# lasts up to [postgres] lock_timeout (60 s by default), longer than a
# supervisor's stop allows (Kubernetes kills after 30 s): the worker used
# to answer the signal only once the wait ended. Now a statement still
# running 2 s after the signal is cancelled: the worker exits 0 within
# seconds, its batch rolled back and not committed, and the next worker
# applies it once the lock is gone. Nothing is lost.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config
first_sync
wait_caught_up 30
log_f="$T_WORK/worker-w1.log"

pg_hold_open user "SELECT 1 FROM $TABLE WHERE id = 5 FOR UPDATE"
api_post "/admin/update?ids=5,6" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)

# The worker is inside the batch's statement, waiting on the row.
waiting()
{
    [ "$(psql_value "select count(*) from pg_stat_activity
        where wait_event_type = 'Lock' and datname = current_database()")" -ge 1 ]
}
wait_for "the worker waiting on the locked row" 30 waiting

t0=$(now_ms)
stop_worker w1
took=$(($(now_ms) - t0))
log "stopped in $took ms"
[ "$took" -le 10000 ] || fail "the worker took $took ms to stop while it waited on a lock (want <= 10 s)"
grep -q 'msg="stopping: cancelling' "$log_f" ||
    fail "the log does not say why the statement was cancelled"
[ "$(run_status "$run2")" != completed ] || fail "the run completed while row 5 was locked"

pg_release user
start_worker w2
wait_run_completed "$run2" 60
assert_table_equals_api
stop_worker w2
log "ok"
