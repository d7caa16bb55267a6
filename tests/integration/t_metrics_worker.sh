#!/usr/bin/env bash
# t_metrics_worker: [worker] metrics.listen serves /metrics, /healthz and
# /readyz. After a sync the counters say what happened (rows applied =
# rows of the table, batches, no retry, no fence, lag 0 on every
# partition, the completed run's time as sync_metadata has it, and none
# for a stream the config does not name, whose runs sync_metadata still
# holds: it was listed, and a staleness alert would never clear) and the
# text passes `promtool check metrics`; /readyz is 200 once the consumer
# is in its group, 503 naming PostgreSQL while the database refuses
# connections, 200 again after; meanwhile the lag shows the changes the
# retried batch holds (it used to keep the value from before); /healthz
# stays 200. A second worker on
# the same port exits 1 naming the key; SIGTERM stops the HTTP thread
# with the rest (exit 0, the port free again).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 200
port=$(free_port)
addr="127.0.0.1:$port"
write_config "worker: metrics.listen = $addr"

first_sync
wait_caught_up 30
wait_for "/readyz 200 (PostgreSQL, Kafka, the group joined)" 20 http_code_is 200 "http://$addr/readyz"
for p in 0 1 2 3; do
    wait_for "lag 0 on partition $p" 20 metric_is "$addr" \
        "tidemark_worker_consumer_lag{topic=\"$PREFIX.$STREAM\",partition=\"$p\"}" 0
done

# a stream removed from the config: its runs stay in sync_metadata
psql_value "insert into sync_metadata (record_type, run_id, sync_status, completed_at)
            values ('orders', 'orders-removed', 'completed', now())" >/dev/null

m="$T_WORK/worker.metrics"
scrape "$addr" "$m"
promtool_lint "$m"
! grep -q 'stream="orders"' "$m" || fail "a stream not in the config is listed: $(grep 'stream="orders"' "$m")"
rows=$(psql_value "select count(*) from $TABLE")
assert_eq 200 "$rows" "rows of the table"
# The batch's counts reach /metrics after its COMMIT (and after its lag):
# waited for, not read from the scrape above.
wait_for "$rows rows applied in /metrics" 20 metric_is "$addr" \
    'tidemark_worker_records_applied_total{stream="customers",op="upsert"}' "$rows"
scrape "$addr" "$m"
assert_eq 0 "$(metric "$m" 'tidemark_worker_records_applied_total{stream="customers",op="delete"}')" \
    "rows applied (deletes)"
batches=$(metric "$m" tidemark_worker_batches_total)
[ "${batches:-0}" -ge 1 ] || fail "batches committed: '$batches'"
assert_eq "$batches" "$(metric "$m" tidemark_worker_batch_duration_seconds_count)" \
    "batches in the duration histogram"
assert_eq "$batches" "$(metric "$m" 'tidemark_worker_batch_duration_seconds_bucket{le="+Inf"}')" \
    "the +Inf bucket"
assert_eq 0 "$(metric "$m" tidemark_worker_fenced_total)" "fenced batches"
assert_eq 0 "$(metric "$m" tidemark_worker_pg_retries_total)" "retried batches"
assert_eq 0 "$(metric "$m" 'tidemark_dlq_records_total{stage="worker"}')" "dead letters"
assert_eq 1 "$(metric "$m" 'tidemark_build_info{version="0.1.0"}')" "build info"
want=$(psql_value "select extract(epoch from completed_at) from sync_metadata where run_id = $(sql_quote "$run1")")
got=$(metric "$m" 'tidemark_worker_last_completed_run_timestamp_seconds{stream="customers"}')
/usr/bin/python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.001)' \
    "$want" "$got" || fail "last completed run $got, sync_metadata.completed_at $want"

# more changes: the counters follow
api_post "/admin/update?ids=3,5,8" >/dev/null || fail "admin update"
run_producer_once
wait_caught_up 30
wait_for "203 rows applied in /metrics" 20 metric_is "$addr" \
    'tidemark_worker_records_applied_total{stream="customers",op="upsert"}' 203

# the database refuses connections: not ready, and says why; alive still
psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || fail "alter database"
alter database $T_DB allow_connections false;
select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = '$T_DB';
SQL
wait_for "/readyz 503 while PostgreSQL refuses" 20 http_code_is 503 "http://$addr/readyz"
body=$(curl -s --max-time 5 "http://$addr/readyz")
case "$body" in
    "not ready: PostgreSQL not reachable: "*) ;;
    *) fail "body of /readyz while PostgreSQL refuses: '$body'" ;;
esac
assert_eq 200 "$(http_code "http://$addr/healthz")" "/healthz while PostgreSQL refuses"
# changes meanwhile: the batch is retried, and the lag shows them
api_post "/admin/update?ids=$(seq -s, 1 20)" >/dev/null || fail "admin update"
run_producer_once
lag_total() { curl -fsS --max-time 5 "http://$addr/metrics" |
    awk '/^tidemark_worker_consumer_lag\{/ { n += $2 } END { print n + 0 }'; }
lag_positive() { [ "$(lag_total)" -gt 0 ]; }
wait_for "a lag above 0 while the batch waits for PostgreSQL" 20 lag_positive
psql -X -q -d postgres -c "alter database $T_DB allow_connections true" >/dev/null ||
    fail "alter database back"
wait_for "/readyz 200 once PostgreSQL accepts again" 30 http_code_is 200 "http://$addr/readyz"
wait_caught_up 30
lag_zero() { [ "$(lag_total)" = 0 ]; }
wait_for "the lag back to 0" 20 lag_zero

# a second worker on the same address: a clear error at start, exit 1
rc=0
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run \
    >/dev/null 2>"$T_WORK/second.log" || rc=$?
assert_eq 1 "$rc" "exit status of a worker whose metrics port is in use"
grep 'cannot start the metrics endpoint' "$T_WORK/second.log" |
    matches "metrics.listen $addr: Address already in use" ||
    fail "no 'address in use' error naming metrics.listen: $(cat "$T_WORK/second.log")"

stop_worker
assert_eq 000 "$(http_code "http://$addr/healthz")" "an answer after the worker stopped"
log "ok"
