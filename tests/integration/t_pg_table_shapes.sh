#!/usr/bin/env bash
# t_pg_table_shapes: what a DBA makes of a stream table that INSERT ... ON
# CONFLICT cannot write, or writes around. A child table by inheritance
# (legacy partitioning: ids moved to customers_archive were written again
# in the parent, two rows of one record, every run completed); a stream
# field made a generated column, or an INSERT rule (every batch failed,
# after the worker had joined its group, on every restart): the worker now
# refuses each at start, exit 2, naming it. So it does for a bookkeeping
# column made generated (_synced_at given an expression: every batch failed too). A
# BEFORE row trigger that
# returns NULL skips a row, counted as applied: the worker cannot see it,
# and warns at start naming the trigger.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
stop_worker

# refused_start WHAT WANT... - the worker exits 2 at start, its error
# saying each WANT
refused_start()
{
    local what=$1 w log_f="$T_WORK/worker-$1.log"
    shift
    timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log_f"
    assert_eq 2 "$?" "$what: exit status of the worker"
    for w in "$@"; do
        grep 'level=error' "$log_f" | grep -qF "$w" ||
            fail "$what: the error does not say '$w': $(grep level=error "$log_f" | tail -n1)"
    done
}

psql_value "create table customers_archive () inherits ($TABLE)" >/dev/null
refused_start inherits "child tables by inheritance" "customers_archive"
psql_value "drop table customers_archive" >/dev/null

psql_value "alter table $TABLE rename column tier to tier_old;
            alter table $TABLE add column tier text generated always as ('gold') stored" >/dev/null
refused_start generated 'column \"tier\" is generated'
psql_value "alter table $TABLE drop column tier;
            alter table $TABLE rename column tier_old to tier" >/dev/null

psql_value "alter table $TABLE drop column _synced_at;
            alter table $TABLE add column _synced_at timestamptz generated always as ('2026-01-01') stored" >/dev/null
refused_start generated_bookkeeping 'column \"_synced_at\" is generated'
psql_value "alter table $TABLE drop column _synced_at;
            alter table $TABLE add column _synced_at timestamptz" >/dev/null

psql_value "create table audit (id bigint);
            create rule customers_audit as on insert to $TABLE do also insert into audit values (new.id)" >/dev/null
refused_start rule "INSERT or UPDATE rules" "customers_audit"
psql_value "drop rule customers_audit on $TABLE" >/dev/null

psql_value "create function skip_two() returns trigger language plpgsql as
              \$\$ begin if new.id = 2 then return null; end if; return new; end \$\$;
            create trigger customers_skip_two before insert or update on $TABLE
              for each row execute function skip_two()" >/dev/null
start_worker
wait_for "a warning of the BEFORE trigger" 30 grep -q 'msg="the stream.s table has BEFORE row triggers' "$T_WORK/worker-w1.log"
grep 'BEFORE row triggers' "$T_WORK/worker-w1.log" | grep -qF customers_skip_two ||
    fail "the warning does not name the trigger"
stop_worker
psql_value "drop trigger customers_skip_two on $TABLE" >/dev/null

# back to a plain table: the worker runs on, the table equals the API
start_worker
api_post "/admin/update?ids=2,3" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
