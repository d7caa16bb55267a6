#!/usr/bin/env bash
# t_pg_publication_no_identity: the stream's table is keyed by a UNIQUE
# index on id, not a primary key (README: "a primary key or unique index
# on exactly that column"), and a DBA sets up logical replication out of
# the database (CREATE PUBLICATION ... FOR ALL TABLES: Debezium's
# publication.autocreate.mode = all_tables does this). PostgreSQL then
# refuses every UPDATE (and DELETE) of that table: 55000 "cannot update
# table ... because it does not have a replica identity and publishes
# updates". That is the table's refusal, not a row's: the stream must be
# held (retried, logged) or refused with a clear error; the worker must
# not stop, on every restart, with every other stream.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30
stop_worker
psql_value "alter table $TABLE drop constraint ${TABLE}_pkey;
            create unique index ${TABLE}_id_key on $TABLE (id);
            create publication tm_cdc for all tables" >/dev/null || fail "setup"
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
start_worker
refused_twice_or_gone()
{
    [ "$(grep -c '55000' "$T_WORK/worker-w1.log")" -ge 2 ] || ! pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK"
}
wait_for "the refusal logged twice (or the worker gone)" 30 refused_twice_or_gone
pid_of_work "${WORKER_PIDS[w1]}" "$T_WORK" || {
    unset "WORKER_PIDS[w1]"
    fail "the worker exited: $(grep -E 'level=error' "$T_WORK/worker-w1.log" | grep -v rdkafka | tail -n1 | cut -c1-300)"
}
# the DBA gives the table its identity: the stream flows again
psql_value "alter table $TABLE replica identity using index ${TABLE}_id_key" >/dev/null || fail "replica identity"
wait_run_completed "$run2" 60
assert_table_equals_api
stop_worker
log "ok"
