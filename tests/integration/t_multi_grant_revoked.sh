#!/usr/bin/env bash
# t_multi_grant_revoked: three streams (customers, c2, c3), each its own
# table; the worker is not a superuser. INSERT and UPDATE on c2 are
# revoked from its role mid-run (42501: held until granted again).
# customers and c3 must keep applying meanwhile (their runs complete,
# /readyz says not ready naming c2, c2's run stays running), and c2
# catches up once mended.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

addr="127.0.0.1:$(free_port)"
conninfo=$(pg_worker_role "tmw_$$")
start_three_streams "worker: metrics.listen = $addr" "postgres: conninfo = $conninfo"
apply_first_runs customers c2 c3
psql_value "revoke insert, update on c2 from tmw_$$" >/dev/null || fail "revoke"
produce_second_runs customers c2 c3
assert_others_go_on "$addr" c2
grep 'msg="stream held back' "$T_WORK/worker-w1.log" | matches '42501' ||
    fail "the warning does not carry 42501: $(grep 'msg="stream held back' "$T_WORK/worker-w1.log" | head -n1)"
psql_value "grant insert, update on c2 to tmw_$$" >/dev/null
assert_held_catches_up "$addr" c2
stop_worker
log "ok"
