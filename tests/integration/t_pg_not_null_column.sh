#!/usr/bin/env bash
# t_pg_not_null_column: the user adds a column of their own, NOT NULL
# without a default (backfilled, then the default dropped). No row the
# worker writes can pass (an INSERT ... ON CONFLICT checks NOT NULL before
# it finds the existing row): a table-wide error, which dead-lettered
# every event, one by one, and marked the run completed with none of its
# records in the table. Now the batch is retried, the error naming the
# column, with nothing dead-lettered and the run not completed; once the
# column gets a default, the run is applied and completes. The table also
# has the usual BEFORE UPDATE trigger (updated_at = now()): it cannot fill
# a column of the INSERT that NOT NULL refuses, and its presence made the
# worker take the failure for each row's (every event dead-lettered).
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30

psql_value "alter table $TABLE add column account_manager text not null default 'unassigned';
            alter table $TABLE alter column account_manager drop default;
            alter table $TABLE add column updated_at timestamptz;
            create function touch_updated_at() returns trigger language plpgsql as
              \$\$ begin new.updated_at := now(); return new; end \$\$;
            create trigger customers_touch before update on $TABLE
              for each row execute function touch_updated_at();" >/dev/null ||
    fail "could not add the column"

t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "update"
api_post "/admin/create?count=2" >/dev/null || fail "create"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 5 "$(last_run_field published)" "events of run 2"

# retried, naming the column
retried() { grep 'batch rolled back; retrying' "$T_WORK/worker-w1.log" | matches 'account_manager'; }
wait_for "a retry naming the column" 30 retried
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters for a table-wide NOT NULL column"
[ "$(run_status "$run2")" != completed ] || fail "run 2 completed without its records"

# the operator gives the column a default: the next retry applies the run
psql_value "alter table $TABLE alter column account_manager set default 'unassigned'" >/dev/null ||
    fail "could not set the default"
wait_run_completed "$run2" 40
assert_eq 5 "$(psql_value "select count(*) from $TABLE where id in (1, 2, 3, 21, 22) and _synced_at > '$t_before'")" \
    "rows of run 2 applied"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
