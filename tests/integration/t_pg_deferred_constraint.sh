#!/usr/bin/env bash
# t_pg_deferred_constraint: a user's table with a DEFERRABLE INITIALLY
# DEFERRED foreign key (every customer must exist in the user's own
# `accounts` table, checked at COMMIT). Of two new records (21, 22) one
# (21) has no account. The violation surfaced at COMMIT, outside the
# savepoints that find a row's failure: the worker stopped (exit 1), and
# again on every restart, for one row. Now the refused COMMIT makes the
# batch go again with constraints checked at each statement: 21 goes to
# the DLQ with 23503, the rest is applied, the run completes and the
# worker keeps running (a garbage message in the batch is dead-lettered
# once per attempt, so at least once); the run's completion is logged once,
# after the COMMIT.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"
first_sync
wait_caught_up 30
stop_worker

# The user's constraint: customers must have an account (deferred, as
# users make FKs whose parent rows are written in the same transaction).
psql_value "create table accounts (id bigint primary key);
            insert into accounts select id from $TABLE; insert into accounts values (22);
            alter table $TABLE add constraint customers_account_fk foreign key (id)
              references accounts (id) deferrable initially deferred not valid;" >/dev/null ||
    fail "could not add the constraint"

echo "not an event" >"$T_WORK/garbage.bin"
produce_file "$topic" 0 garbage "$T_WORK/garbage.bin"
t_before=$(psql_value "select now()")
api_post "/admin/update?ids=1" >/dev/null || fail "update"
api_post "/admin/create?count=2" >/dev/null || fail "create"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "events of run 2"

start_worker
wait_run_completed "$run2" 60
pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK" || fail "the worker stopped: $(grep 'batch failed' "$T_WORK/worker-w1.log" | tail -n1)"
assert_eq "1 22" "$(psql_value "select string_agg(id::text, ' ' order by id) from $TABLE where id in (1, 21, 22) and _synced_at > '$t_before'")" "rows applied by run 2"
dlq_lines | matches "23503" || fail "no dead letter with 23503: $(dlq_lines | head -c 600)"
assert_eq "21 garbage" "$(kc -C -t "$PREFIX.dlq" -e -f '%k\n' | sort -u | tr '\n' ' ' | sed 's/ $//')" "keys of the dead letters"
stop_worker
# logged once, after the COMMIT that completed it (it was logged inside
# the transaction, then refused, too); counted once the worker has exited:
# the line follows the COMMIT that wait_run_completed saw
assert_eq 1 "$(grep -c "msg=\"run completed\".*run=$run2" "$T_WORK/worker-w1.log")" \
    "'run completed' lines for run 2"
log "ok"
