#!/usr/bin/env bash
# t_multi_table_locked: three streams (customers, c2, c3), each its own
# table, one worker. A migration holds an ACCESS EXCLUSIVE lock on c2
# (lock_timeout = 1s: 55P03, held until the lock goes). customers and c3
# must keep applying meanwhile (their runs complete, /readyz says not
# ready naming c2, c2's run stays running), and c2 catches up once mended.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
start_three_streams "worker: metrics.listen = $addr" "postgres: lock_timeout = 1s"
apply_first_runs customers c2 c3
pg_hold_open migration "LOCK TABLE c2 IN ACCESS EXCLUSIVE MODE"
produce_second_runs customers c2 c3
assert_others_go_on "$addr" c2
grep 'msg="stream held back' "$T_WORK/worker-w1.log" | matches '55P03.*on table .*c2' ||
    fail "the lock timeout does not name the table: $(grep 'msg="stream held back' "$T_WORK/worker-w1.log" | head -n1)"
pg_release migration
assert_held_catches_up "$addr" c2
stop_worker
log "ok"
