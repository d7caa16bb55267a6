#!/usr/bin/env bash
# t_pg_trigger_no_return: a user's BEFORE trigger with a branch that
# forgets its RETURN fails for one row (id 2) with SQLSTATE 2F005
# ("control reached end of trigger procedure without RETURN"). That is
# one row's failure, as a trigger's RAISE (t_pg_trigger_raise) is: the
# event of id 2 is dead-lettered with the reason, 1 and 3 are applied and
# the run completes. Class 2F (like 38, PL/Python's and PL/Perl's uncaught
# errors, 09 and 27) used to stop the worker, and again on every restart:
# one row stopped every stream.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30

psql_value "create function check_two() returns trigger language plpgsql as \$\$
            begin
              if new.id = 2 and not new._deleted then
                raise notice 'customer % needs review', new.id; -- no RETURN here
              else
                return new;
              end if;
            end \$\$;
            create trigger check_two before insert or update on $TABLE
              for each row execute function check_two();" >/dev/null || fail "trigger"

t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"

wait_run_completed_or_stop "$run2" 30
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (the event of id 2)"
assert_eq "1 3" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE where _synced_at > '$t_before'")" \
    "rows of run 2 applied"
stop_worker
log "ok"
