#!/usr/bin/env bash
# t_pg_not_null_deletes: the user's table has NOT NULL on a data column
# (`name`, which the schema declares a plain string), as anyone who
# tightens the worker's table would. Under delete.mode = soft every
# delete event and Kafka tombstone was an INSERT of (id, bookkeeping) ...
# ON CONFLICT DO UPDATE, and PostgreSQL checks NOT NULL on the proposed
# row before it finds the existing one: every delete failed (23502), was
# dead-lettered, and the deleted records stayed live. Deletes of rows that
# exist are now UPDATEs: rows 3 (a hard delete at the API) and 5 (a soft
# delete) are deleted, nothing is dead-lettered, the table equals the API.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
write_config
first_sync
wait_caught_up 30
psql_value "alter table $TABLE alter column name set not null" >/dev/null || fail "not null"

api_post "/admin/delete?ids=3" >/dev/null || fail "delete"
api_post "/admin/soft-delete?ids=5" >/dev/null || fail "soft-delete"
run_producer_once
run2=$(last_run_field run_id)
wait_run_completed "$run2" 30
wait_caught_up 30
assert_eq "3:true 5:true" "$(psql_value "select string_agg(id || ':' || _deleted, ' ' order by id) from $TABLE where id in (3, 5)")" \
    "rows 3 and 5 deleted"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
assert_table_equals_api
stop_worker
log "ok"
