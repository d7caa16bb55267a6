#!/usr/bin/env bash
# t_multi_table_refused: three streams (customers, c2, c3), each its own
# table, one worker. A "maintenance" trigger on c2 refuses every row (the
# table's refusal: c2 is held back until it is mended). customers and c3
# must keep applying meanwhile (their runs complete, /readyz says not
# ready naming c2, c2's run stays running), and c2 catches up once mended.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
start_three_streams "worker: metrics.listen = $addr"
apply_first_runs customers c2 c3
refuse_rows_of c2
produce_second_runs customers c2 c3
assert_others_go_on "$addr" c2
grep 'msg="stream held back' "$T_WORK/worker-w1.log" | matches 'every row of the statement was refused alone' ||
    fail "the warning does not say why c2 is held: $(grep 'msg="stream held back' "$T_WORK/worker-w1.log" | head -n1)"
psql_value "drop trigger maint on c2" >/dev/null
assert_held_catches_up "$addr" c2
stop_worker
log "ok"
