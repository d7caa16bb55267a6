#!/usr/bin/env bash
# t_pg_quote_all_identifiers: the database has quote_all_identifiers = on
# (ALTER DATABASE ... SET; a setting any role may have, meant for dumps
# that must survive new keywords). PostgreSQL's format_type() then quotes
# the type names it does not spell itself: "text", "jsonb", "uuid",
# "date", "bytea". The worker compares the table's column types by that
# text with the schema's: a table it made itself must still fit it at the
# next start, and the changes made meanwhile must be applied.
# brokers: mock
. "$(dirname "$0")/lib.sh"

psql_value "alter database $T_DB set quote_all_identifiers = on" >/dev/null || fail "alter database"
start_devbroker
start_demoapi --records 20
write_config
first_sync
stop_worker

api_post "/admin/update?count=3" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
start_worker
wait_run_completed_or_stop "$run2" 60
assert_table_equals_api
stop_worker
log "ok"
