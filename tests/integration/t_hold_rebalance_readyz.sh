#!/usr/bin/env bash
# t_hold_rebalance_readyz: three streams, w1 alone. c2's table is locked
# (lock_timeout 3s: each hold waits 15 s). While w1 holds c2, the lock goes
# and a second worker joins the group (a rebalance). Everything must be
# applied, and once c2 is caught up both workers' /readyz must say ready.
# (Found by helper 124.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
addr2="127.0.0.1:$(free_port)"
start_three_streams "worker: metrics.listen = $addr" "postgres: lock_timeout = 3s"
sed "s|^metrics.listen = .*|metrics.listen = $addr2|" "$CONF" >"$T_WORK/w2.conf"
apply_first_runs customers c2 c3
pg_hold_open migration "LOCK TABLE c2 IN ACCESS EXCLUSIVE MODE"
produce_second_runs customers c2 c3
wait_for "stream c2 held back" 30 held_warned c2
pg_release migration
CONF="$T_WORK/w2.conf" start_worker w2
for s in customers c2 c3; do wait_run_completed "${r[$s]}" 60; done
for s in customers c2 c3; do TABLE=$s assert_table_equals_api; done
log "w1: $(grep -c 'partitions assigned' "$T_WORK/worker-w1.log") assignments; $(grep 'partitions assigned' "$T_WORK/worker-w1.log" | tail -n1)"
wait_for "w2's /readyz ready" 30 http_code_is 200 "http://$addr2/readyz"
log "w1 /readyz now: $(curl -s --max-time 5 "http://$addr/readyz")"
wait_for "w1's /readyz ready once c2 is applied (c2's run completed, every table equals the API)" 45 \
    http_code_is 200 "http://$addr/readyz"
stop_worker w2
stop_worker
log "ok"
