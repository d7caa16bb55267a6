#!/usr/bin/env bash
# t_metrics_worker_search_path: a conninfo whose options set the
# search_path (tables in a schema of their own) reaches the worker's
# /metrics probe too: the last completed run's time comes from that
# schema's sync_metadata, as the worker itself wrote it. The probe sets its
# statement_timeout without overriding the conninfo's options.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

psql -X -q -v ON_ERROR_STOP=1 -c "create schema tm_sp" >/dev/null || fail "create schema"
export PGOPTIONS="-c search_path=tm_sp" # this script's psql sees the same tables

start_devbroker
start_demoapi --records 20
addr="127.0.0.1:$(free_port)"
write_config "worker: metrics.listen = $addr" \
    "postgres: conninfo = dbname=$T_DB options='-c search_path=tm_sp'"

first_sync
assert_eq tm_sp "$(psql -X -q -At -c "select table_schema from information_schema.tables where table_name = 'sync_metadata'" </dev/null)" \
    "schema of sync_metadata"
want=$(psql_value "select extract(epoch from completed_at) from sync_metadata where run_id = $(sql_quote "$run1")")
[ -n "$want" ] || fail "no completed_at for $run1"
key='tidemark_worker_last_completed_run_timestamp_seconds{stream="customers"}'
has_last_completed() { curl -fsS --max-time 5 "http://$addr/metrics" | matches "^$key "; }
wait_for "$key in /metrics" 10 has_last_completed
m="$T_WORK/worker.metrics"
scrape "$addr" "$m"
/usr/bin/python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.001)' \
    "$want" "$(metric "$m" "$key")" || fail "last completed run $(metric "$m" "$key"), sync_metadata.completed_at $want"
assert_eq 200 "$(http_code "http://$addr/readyz")" "/readyz"
stop_worker
log "ok"
