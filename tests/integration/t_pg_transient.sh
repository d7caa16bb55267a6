#!/usr/bin/env bash
# t_pg_transient: PostgreSQL errors that no message causes are retried
# with backoff, never skipped, and the worker never exits. On main a
# statement timeout (57014) made it exit 1; a lock timeout (55P03) and a
# read-only session after a failover (25006) were fatal too. Here: a
# trigger that sleeps past statement_timeout, a table lock held past
# lock_timeout, and a pg_terminate_backend followed by a read-only
# database (the worker must reconnect, as after a failover). Each time the
# worker logs its retries (attempt=, retries_total=) and the table ends
# equal to the API.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config "postgres: conninfo = dbname=$T_DB options='-c statement_timeout=1000'" "postgres: lock_timeout = 500ms"

first_sync
wait_caught_up 30
log_f="$T_WORK/worker-w1.log"
retries_with() { grep 'msg="batch rolled back; retrying"' "$log_f" | grep -c "error=\"$1"; }
at_least() { [ "$("${@:2}")" -ge "$1" ]; }
change() { # change IDS - an update in the API, published
    api_post "/admin/update?ids=$1" >/dev/null || fail "admin update"
    run_producer_once
}

# ---- 57014: a statement slower than statement_timeout
psql_value "create table tm_slow (slow boolean); insert into tm_slow values (true);
            create function tm_slow_fn() returns trigger language plpgsql as
              \$\$ begin if (select slow from tm_slow) then perform pg_sleep(3); end if; return new; end \$\$;
            create trigger tm_slow_tr before insert or update on $TABLE
              for each row execute function tm_slow_fn()" >/dev/null || fail "could not create the slow trigger"
change 1,2
wait_for "two retries after 57014" 30 at_least 2 retries_with 57014
psql_value "update tm_slow set slow = false" >/dev/null
wait_for "the table equal to the API after the statement timeouts" 30 table_equals_api

# ---- 55P03: a lock held longer than lock_timeout
pg_hold_open migration "LOCK TABLE $TABLE IN ACCESS EXCLUSIVE MODE"
change 3,4
wait_for "two retries after 55P03" 30 at_least 2 retries_with 55P03
pg_release migration
wait_for "the table equal to the API after the lock timeouts" 30 table_equals_api

# ---- 57P01 then 25006: the backend is terminated and the database comes
# back read-only (a standby after a failover)
psql_value "alter database \"$T_DB\" set default_transaction_read_only = on" >/dev/null ||
    fail "could not make the database read-only"
psql_value "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()
            and pid <> pg_backend_pid() and backend_type = 'client backend'" >/dev/null
change 5,6
wait_for "two retries after 25006" 30 at_least 2 retries_with 25006
# (this session must not be read-only itself)
PGOPTIONS='-c default_transaction_read_only=off' \
    psql_value "alter database \"$T_DB\" reset default_transaction_read_only" >/dev/null ||
    fail "could not make the database writable again"
wait_for "the table equal to the API after the failover" 30 table_equals_api

grep -q 'msg="batch applied after retries"' "$log_f" || fail "no 'batch applied after retries' line"
total=$(grep 'msg="batch rolled back; retrying"' "$log_f" | sed -n 's/.*retries_total=\([0-9]*\).*/\1/p' | tail -n1)
[ "${total:-0}" -ge 6 ] || fail "retries_total is ${total:-none}, want at least 6"
log "retries counted: $total"
stop_worker
log "ok"
