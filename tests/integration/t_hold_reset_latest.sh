#!/usr/bin/env bash
# t_hold_reset_latest: three streams, one worker. c2's table refuses every
# row (a maintenance trigger): c2 is held. The operator skips c2's pending
# events (reset-offsets --to-latest: dry run first, then --execute) and
# mends the table. Nothing of c2 is left to apply and its table takes
# writes: /readyz must say ready again, and c2's next events apply.
# (Found by helper 124.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
start_three_streams "worker: metrics.listen = $addr"
apply_first_runs customers c2 c3
refuse_rows_of c2
produce_second_runs customers c2 c3
assert_others_go_on "$addr" c2
before=$(psql_value "select string_agg(partition||':'||next_offset, ',' order by partition) from sync_offsets where topic = '$PREFIX.c2'")
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream c2 --to-latest >"$T_WORK/plan.out" 2>&1 ||
    fail "dry run: $(cat "$T_WORK/plan.out")"
assert_eq "$before" "$(psql_value "select string_agg(partition||':'||next_offset, ',' order by partition) from sync_offsets where topic = '$PREFIX.c2'")" "c2 offsets after a dry run"
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream c2 --to-latest --execute >"$T_WORK/reset.out" 2>&1 ||
    fail "reset: $(cat "$T_WORK/reset.out")"
log "reset: $(tr '\n' ' ' <"$T_WORK/reset.out")"
psql_value "drop trigger maint on c2" >/dev/null
wait_for "the worker noticed c2's moved offsets" 30 \
    grep -q 'offset moved under this worker\|seeking to the stored offset' "$T_WORK/worker-w1.log"
log "/readyz: $(curl -s --max-time 5 "http://$addr/readyz")"
wait_for "/readyz ready: nothing of c2 is pending and its table takes writes" 40 \
    http_code_is 200 "http://$addr/readyz"
stop_worker
log "ok"
