#!/usr/bin/env bash
# t_pg_not_null_trigger: t_pg_not_null_column with the usual updated_at
# trigger written the common way, BEFORE INSERT OR UPDATE. The user adds a
# column NOT NULL without a default, which the stream does not write and
# which the trigger does not fill. No row can pass: the batch is retried
# naming the column, nothing is dead-lettered and the run does not
# complete until the column gets a default. The trigger alone used to
# make the worker take the failure for each row's: every event was
# dead-lettered and the run completed with none of its records.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30

psql_value "alter table $TABLE add column updated_at timestamptz;
            create function touch_updated_at() returns trigger language plpgsql as
              \$\$ begin new.updated_at := now(); return new; end \$\$;
            create trigger customers_touch before insert or update on $TABLE
              for each row execute function touch_updated_at();
            alter table $TABLE add column account_manager text not null default 'unassigned';
            alter table $TABLE alter column account_manager drop default;" >/dev/null ||
    fail "could not add the column"

t_before=$(psql_value "select now()")
# three rows of one partition, produced while the worker is stopped: one
# statement of three (a statement of one row refused alone is that row's)
ids=$(ids_of_one_partition 3)
stop_worker
api_post "/admin/update?ids=$ids" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"
start_worker

retried() { grep 'batch rolled back; retrying' "$T_WORK/worker-w1.log" | matches 'account_manager'; }
dead() { [ "$(topic_count "$PREFIX.dlq")" -gt 0 ]; }
done_or_dead() { retried || dead; }
wait_for "a retry naming the column (or dead letters)" 30 done_or_dead
log "run 2: $(run_status "$run2"); rows of run 2 in the table: $(psql_value "select count(*) from $TABLE where _synced_at > '$t_before'")"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters for a table-wide NOT NULL column (run 2: $(run_status "$run2"), rows of run 2 in the table: $(psql_value "select count(*) from $TABLE where _synced_at > '$t_before'"))"
[ "$(run_status "$run2")" != completed ] || fail "run 2 completed without its records"

psql_value "alter table $TABLE alter column account_manager set default 'unassigned'" >/dev/null ||
    fail "could not set the default"
wait_run_completed "$run2" 40
assert_eq 3 "$(psql_value "select count(*) from $TABLE where id in ($ids) and _synced_at > '$t_before'")" \
    "rows of run 2 applied"
stop_worker
log "ok"
