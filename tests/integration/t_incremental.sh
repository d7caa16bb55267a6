#!/usr/bin/env bash
# t_incremental: after a full sync, a run publishes exactly the changed and
# created records; a run with no change publishes nothing.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 500
write_config
topic="$PREFIX.$STREAM"

first_sync
assert_table_equals_api
before=$(topic_count "$topic")

api_post "/admin/update?ids=3,17,42,100,250" >/dev/null || fail "admin update"
api_post "/admin/create?count=3" >/dev/null || fail "admin create"

run_producer_once
run2=$(last_run_field run_id)
assert_eq 8 "$(last_run_field published)" "events published by the incremental run"
assert_eq 0 "$(last_run_field deletes)" "deletes of the incremental run"
[ "$run2" != "$run1" ] || fail "the second run reused run_id $run1"
after=$(topic_count "$topic")
assert_eq 8 "$((after - before))" "new messages on $topic"
wait_run_completed "$run2" 60
assert_table_equals_api
assert_eq 8 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "records_synced of the incremental run"
assert_eq f "$(psql_value "select is_full_sync from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "is_full_sync of the incremental run"

run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by a run with no change"
assert_eq "$after" "$(topic_count "$topic")" "messages on $topic after a run with no change"
assert_table_equals_api

stop_worker
log "ok"
