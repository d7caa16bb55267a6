#!/usr/bin/env bash
# t_schema_widen: a field widens as Avro allows (the id, int -> long) while
# a backlog written with the narrow schema waits. The worker started with
# the new schema widens the column (ALTER COLUMN ... TYPE bigint), reads
# the backlog's ints as longs, and the table equals the API; nothing is
# dead-lettered.
. "$(dirname "$0")/lib.sh"

V1="$T_WORK/customer-int.avsc"
jq '.fields |= map(if .name == "id" then .type = "int" else . end)' \
    "$REPO/schemas/customer.avsc" >"$V1"
column_type() { psql_value "select data_type from information_schema.columns
                            where table_name = '$TABLE' and column_name = '$1'"; }

start_devbroker
start_demoapi --records 50
SCHEMA=$V1 write_config

first_sync
wait_caught_up 30
stop_worker
assert_eq integer "$(column_type id)" "type of $TABLE.id under the int schema"

# The backlog, written with the int schema.
api_post "/admin/update?ids=2,12,22" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)

# id becomes a long.
write_config
api_post "/admin/create?count=3" >/dev/null || fail "admin create"
run_producer_once
run3=$(last_run_field run_id)

start_worker
wait_run_completed "$run2" 60
wait_run_completed "$run3" 60
wait_caught_up 30
assert_eq bigint "$(column_type id)" "type of $TABLE.id after the widening"
grep -q 'msg="column type widened".*column=id from=integer to=bigint' "$T_WORK/worker-w1.log" ||
    fail "the worker did not log the widened column"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
assert_table_equals_api
stop_worker
log "ok"
