#!/usr/bin/env bash
# t_metrics_worker_takeover: the lag of a partition a worker takes over
# after a rebalance with nothing left to apply. w1 applies a sync; w2
# joins and w1 stops, so w2 holds every partition and fetches nothing.
# Its /metrics must still give each partition's lag (0): it took the lag
# from the fetcher's position only, which stays unknown until a message
# arrives, so a caught-up group lost the lag of every moved partition
# (and an alert on growing lag saw no series at all).
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 100
write_config
base_conf=$CONF
declare -A addr
for w in w1 w2; do
    addr[$w]="127.0.0.1:$(free_port)"
    CONF="$T_WORK/$w.conf"
    sed "s/^group.id = /metrics.listen = ${addr[$w]}\ngroup.id = /" "$base_conf" >"$CONF"
    grep -q "^metrics.listen = ${addr[$w]}" "$CONF" || fail "metrics.listen not in $CONF"
done

CONF="$T_WORK/w1.conf"
start_worker w1
run_producer_once
wait_run_completed "$(last_run_field run_id)" 30
wait_caught_up 30
CONF="$T_WORK/w2.conf"
start_worker w2
wait_for "w2 in the group (/readyz 200)" 30 http_code_is 200 "http://${addr[w2]}/readyz"
stop_worker w1

for p in 0 1 2 3; do
    wait_for "w2's lag of partition $p (0)" 30 metric_is "${addr[w2]}" \
        "tidemark_worker_consumer_lag{topic=\"$PREFIX.$STREAM\",partition=\"$p\"}" 0
done
wait_for "w2's lag of $PREFIX.sync-runs (0)" 30 metric_is "${addr[w2]}" \
    "tidemark_worker_consumer_lag{topic=\"$PREFIX.sync-runs\",partition=\"0\"}" 0
assert_eq 100 "$(psql_value "select count(*) from $TABLE")" "rows of the table"
stop_worker w2
log "ok"
