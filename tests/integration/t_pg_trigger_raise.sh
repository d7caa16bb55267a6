#!/usr/bin/env bash
# t_pg_trigger_raise: a user's BEFORE trigger refuses one row with a plain
# RAISE EXCEPTION (SQLSTATE P0001, what PL/pgSQL raises unless told
# otherwise): a business rule. Class P0 was neither transient nor data,
# so the worker stopped (exit 1), and again on every restart: one row
# stopped every stream. Now the refused event goes to the DLQ with the
# trigger's message, the others are applied and the run completes.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30

psql_value "create function refuse_two() returns trigger language plpgsql as \$\$
            begin
              if new.id = 2 and not new._deleted then
                raise exception 'customer % is frozen by the billing team', new.id;
              end if;
              return new;
            end \$\$;
            create trigger refuse_two before insert or update on $TABLE
              for each row execute function refuse_two();" >/dev/null || fail "trigger"

t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"

wait_run_completed "$run2" 40
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (the event of id 2)"
dlq_lines | matches "frozen by the billing team" || fail "the dead letter does not say why: $(dlq_lines | head -c 400)"
assert_eq "1 3" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE where _synced_at > '$t_before'")" \
    "rows of run 2 applied"
stop_worker
log "ok"
