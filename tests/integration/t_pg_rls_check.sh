#!/usr/bin/env bash
# t_pg_rls_check: the worker connects as a role held to a row-level
# security policy whose WITH CHECK refuses one row (id 2). PostgreSQL
# says 42501, as for a missing grant, which is retried: the batch was
# retried for ever, and none of the run's rows was applied. A refusal
# that names a row-level security policy is now the row's content: the
# event goes to the DLQ, the others are applied and the run completes.
# brokers: mock
. "$(dirname "$0")/lib.sh"

conninfo=$(pg_worker_role "tmw_$$")
start_devbroker
start_demoapi --records 20
write_config "postgres: conninfo = $conninfo"
first_sync
wait_caught_up 30

# The owner (the worker's role) is held to the policy too (FORCE).
psql_value "alter table $TABLE enable row level security;
            alter table $TABLE force row level security;
            create policy tenant on $TABLE using (true) with check (id <> 2);" >/dev/null ||
    fail "could not add the policy"

t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"

wait_run_completed "$run2" 30
assert_eq 1 "$(topic_count "$PREFIX.dlq")" "dead letters (the event of id 2)"
dlq_lines | matches "row-level security policy" || fail "the dead letter does not say why: $(dlq_lines | head -c 400)"
assert_eq "1 3" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE where _synced_at > '$t_before'")" \
    "rows of run 2 applied"
stop_worker
log "ok"
