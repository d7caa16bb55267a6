#!/usr/bin/env bash
# t_runs_head_key_mismatch: a `running` run record under the key of
# stream customers whose "stream" field says orders (a hand-made record,
# another tool's). The producer takes it as customers' checkpoint (it
# reads the key) and, marking that run abandoned, writes the failed copy
# under the key the record's field names: orders' checkpoint key, a
# stream this producer does not run. Such a record is now ignored with a
# warning by the producer (and dead-lettered by the worker).
# (Found by helper 135.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
start_devbroker
start_demoapi --records 20
write_config
first_sync
base=$(last_run_record)
jq -c '.stream = "orders" | .run_id = "orders-20261205T000000Z-deadbeef" | .status = "running"' \
    <<<"$base" >"$T_WORK/h.json"
kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/h.json" || fail "produce the record"
run_producer_once
keyed=$(kc -C -t "$PREFIX.sync-runs" -e -f '%k\n' | grep -c '^orders$')
log "messages keyed orders on sync-runs: $keyed"
grep 'the last run did not end' "$PRODUCER_LAST_LOG" | cut -c1-200
assert_eq 0 "$keyed" "run records the customers producer wrote under orders' key"
stop_worker
log "ok"
