#!/usr/bin/env bash
# t_pg_commit_reply_lost: PostgreSQL commits a batch and the connection
# breaks before the reply reaches the worker (a proxy in front of the
# server, fixtures/pg_lost_commit_reply.py, loses it), so the worker
# cannot tell a commit from a rollback. It retries; the retry's claim
# finds the stored offsets exactly past the batch, so the COMMIT went
# through: the batch counts as applied, with the counts of the attempt
# that sent it, and the worker goes on from there. Nothing is applied
# twice or skipped, the batch's dead letter is on the DLQ once, and the
# metrics say what happened: every row applied, no batch fenced. (It
# used to warn "offset moved under this worker; batch rolled back" about
# a batch that was in the table, count it fenced and not count its rows.)
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 100
arm="$T_WORK/pgproxy.arm"
/usr/bin/python3 "$REPO/tests/integration/fixtures/pg_lost_commit_reply.py" \
    --port-file "$T_WORK/pgproxy.port" --arm "$arm" --match "UPDATE sync_offsets" >"$T_WORK/pgproxy.log" 2>&1 &
_track_pid "$!"
wait_for "the PostgreSQL proxy's port" 20 test -s "$T_WORK/pgproxy.port"
addr="127.0.0.1:$(free_port)"
write_config "postgres: conninfo = host=127.0.0.1 port=$(cat "$T_WORK/pgproxy.port") dbname=$T_DB sslmode=disable gssencmode=disable" \
    "worker: metrics.listen = $addr"
topic="$PREFIX.$STREAM"
log_f="$T_WORK/worker-w1.log"

first_sync
wait_caught_up 30
assert_table_equals_api

# ---- the next batch's COMMIT reply is lost (the proxy knows it by the
# claim on sync_offsets): a batch with a dead letter, and three updates
# (in that batch or the next)
printf 'this is not an avro change event' >"$T_WORK/garbage.bin"
src="$topic/1/$(partition_end "$topic" 1)"
touch "$arm"
produce_file "$topic" 1 bad-garbage "$T_WORK/garbage.bin"
api_post "/admin/update?ids=3,30,90" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
dropped() { grep -q 'dropped the reply to COMMIT' "$T_WORK/pgproxy.log"; }
wait_for "the proxy to lose a COMMIT's reply" 30 dropped
has_log() { grep -q "msg=\"$1\"" "$log_f"; }
wait_for "the worker to retry the batch" 30 has_log "batch rolled back; retrying"
wait_for "the worker to find the batch committed" 30 has_log "batch committed; only the reply was lost"
wait_run_completed "$run2" 60
wait_caught_up 30
assert_table_equals_api

# ---- and the worker goes on: one more change through the same proxy
api_post "/admin/update?ids=4" >/dev/null || fail "admin update"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_table_equals_api

# ---- not dropped, not doubled, and said so
! has_log "offset moved under this worker; batch rolled back" ||
    fail "the worker says it dropped a batch that was committed: $(grep 'offset moved' "$log_f")"
assert_eq 1 "$(grep -c 'dropped the reply' "$T_WORK/pgproxy.log")" "COMMIT replies lost"
assert_eq 1 "$(dlq_count_for "$src")" "dead letters of $src"
m="$T_WORK/worker.metrics"
# a batch is counted after its COMMIT, which is all wait_caught_up sees
wait_for "the last batch counted in /metrics" 20 metric_at_least "$addr" \
    'tidemark_worker_records_applied_total{stream="customers",op="upsert"}' 104
scrape "$addr" "$m"
assert_eq 0 "$(metric "$m" tidemark_worker_fenced_total)" "fenced batches"
assert_eq 104 "$(metric "$m" 'tidemark_worker_records_applied_total{stream="customers",op="upsert"}')" \
    "rows applied: 100 created, 3 and 1 updated"
assert_eq 1 "$(metric "$m" 'tidemark_dlq_records_total{stage="worker"}')" "dead letters"
stop_worker w1
log "ok"
