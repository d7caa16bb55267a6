#!/usr/bin/env bash
# t_pg_rls_table_wide: a row-level security policy that refuses every row
# the worker writes (its WITH CHECK names the application's role, then
# FORCEd). No row is at fault; a refusal that names a policy is a row's
# content (t_pg_rls_check), so every event was dead-lettered one by one
# and the run completed with none of its records in the table. When every
# row of a statement (more than one) is refused alone by a policy or a
# trigger, the batch is retried instead, naming it; once the operator
# mends the policy, the run is applied.
# brokers: mock
. "$(dirname "$0")/lib.sh"

conninfo=$(pg_worker_role "tmw_$$")
start_devbroker
start_demoapi --records 20
write_config "postgres: conninfo = $conninfo"
first_sync
wait_caught_up 30

psql_value "alter table $TABLE enable row level security;
            alter table $TABLE force row level security;
            create policy tenants on $TABLE using (true) with check (current_user = 'app_tenant');" >/dev/null ||
    fail "could not add the policy"

# three rows of one partition, produced while the worker is stopped: one
# statement of three (a statement of one row refused alone is that row's)
ids=$(ids_of_one_partition 3)
stop_worker
api_post "/admin/update?ids=$ids" >/dev/null || fail "update"
run_producer_once
run2=$(last_run_field run_id)
start_worker
retried() { grep 'batch rolled back; retrying' "$T_WORK/worker-w1.log" | matches 'every row of the statement was refused alone'; }
wait_for "a retry naming the refusal" 30 retried
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters for a policy that refuses every row"
[ "$(run_status "$run2")" != completed ] || fail "run 2 completed with none of its records in the table"
psql_value "drop policy tenants on $TABLE; create policy tenants on $TABLE using (true) with check (true)" >/dev/null ||
    fail "could not mend the policy"
wait_run_completed "$run2" 40
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
stop_worker
log "ok"
