#!/usr/bin/env bash
# t_pg_not_null_trigger_row: a user's NOT NULL column that the stream does
# not write, filled by a default and a BEFORE trigger, which yields NULL
# for one row (21). A NOT NULL violation in a column the stream does not
# write is retried as the table's fault (t_pg_not_null_column); here it is
# one row's: the batch was retried for ever with nothing applied. Only a
# bare column (no default, not generated, no BEFORE row trigger) is taken
# for the table's now: 21 is dead-lettered, 1 and 22 are applied.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30

psql_value "alter table $TABLE add column region text not null default 'eu';
            create function derive_region() returns trigger language plpgsql as \$\$
            begin
              -- a lookup that finds nothing for one row
              new.region := case when new.id = 21 then null else 'eu' end;
              return new;
            end \$\$;
            create trigger derive_region before insert or update on $TABLE
              for each row execute function derive_region();" >/dev/null ||
    fail "could not add the trigger"

t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1" >/dev/null || fail "update"
api_post "/admin/create?count=2" >/dev/null || fail "create"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"
wait_run_completed "$run2" 30
assert_eq "1 22" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE where _synced_at > '$t_before'")" "rows applied by run 2"
assert_eq 21 "$(kc -C -t "$PREFIX.dlq" -e -f '%k\n' | sort -u | tr -d '\n')" "the dead letter's key"
stop_worker
log "ok"
