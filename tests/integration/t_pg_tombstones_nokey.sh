#!/usr/bin/env bash
# t_pg_tombstones_nokey: under delete.mode = hard a table's tombstones go
# to <table>__tombstones, upserted with the same ON CONFLICT (id). One that
# exists without a key on the id (a user's, a restore without its
# constraints) passed the start check, which looked at the table alone,
# and the first deletion of every start failed with 42P10 ("batch failed;
# stopping", naming neither stream nor table). It is refused at start,
# exit 2, naming the tombstones table and the id field.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
psql_value "create table ${TABLE}__tombstones (id bigint not null, _source_ts timestamptz not null,
              _kafka_partition integer, _kafka_offset bigint, _produced_at timestamptz)" \
    >/dev/null || fail "create the tombstones table"
write_config "worker: delete.mode = hard"
run_producer_once
rc=0
timeout --foreground -k 5 60 "$BUILD/tidemark-worker" -c "$CONF" run \
    >"$T_WORK/worker.out" 2>"$T_WORK/worker.log" || rc=$?
assert_eq 2 "$rc" "the worker's exit"
grep 'level=error' "$T_WORK/worker.log" |
    grep -q -F "${TABLE}__tombstones\\\" has no primary key or unique index on exactly (\\\"id\\\")" ||
    fail "no error naming the tombstones table: $(grep level=error "$T_WORK/worker.log" | head -2)"
! grep -q 'msg="partitions assigned"' "$T_WORK/worker.log" || fail "the worker joined its group first"
log "ok"
