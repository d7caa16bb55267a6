#!/usr/bin/env bash
# t_kafka_runs_recreated: <prefix>.sync-runs is deleted and created again
# under a running worker (as t_kafka_topic_recreated does to the stream
# topic). The worker's stored offset of sync-runs now lies past the new
# partition's end: it refuses the partition, and no run completes until
# the offset moves. `status` shows that partition out-of-range (and exits
# 1), and `reset-offsets --runs` moves it; the running worker then applies
# the new run record and the run completes. reset-offsets used to take a
# stream's topic only, and status listed stream topics only: there was no
# way out, and nothing said so.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

runs="$PREFIX.sync-runs"
start_broker
start_demoapi --records 30
write_config "kafka: topic.metadata.refresh.interval.ms = 1000"
first_sync
for i in 1 2 3; do
    api_post "/admin/update?ids=$i" >/dev/null || fail "admin update"
    run_producer_once
done
wait_run_completed "$(last_run_field run_id)" 60

kafka_admin delete "$runs"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$runs" 1 >/dev/null 2>&1; }
wait_for "$runs created again" 30 recreate

api_post "/admin/update?ids=4,5" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
refused() { grep -q "level=error msg=\"stored offset outside the partition.*--runs.*topic=$runs " "$T_WORK/worker-w1.log"; }
wait_for "the worker to refuse $runs, naming reset-offsets --runs" 60 refused

"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/status.txt" 2>"$T_WORK/status.err"
assert_eq 1 "$?" "status's exit with $runs out of range"
grep -E "^\(runs\) +$runs +0 .*out-of-range$" "$T_WORK/status.txt" >/dev/null ||
    fail "status does not show $runs out of range: $(cat "$T_WORK/status.txt")"

"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --runs --to-earliest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets --runs: $(cat "$T_WORK/reset.out")"
wait_run_completed "$run" 60
assert_table_equals_api
"$BUILD/tidemark-worker" -c "$CONF" status >"$T_WORK/status2.txt" 2>&1 ||
    fail "status after the reset: $(cat "$T_WORK/status2.txt")"
stop_worker
log "ok"
