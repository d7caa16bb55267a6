#!/usr/bin/env bash
# t_pg_precreated_table: the user created the target table before the
# first start, with the schema's columns and the id as primary key, but
# without tidemark's bookkeeping columns (_source_ts, _deleted, ...). The
# worker started, joined its group and stopped (exit 1) on its first batch
# with "42703: column _source_ts does not exist", on every restart. It now
# refuses the table at start (exit 2, as for a schema that does not fit),
# naming the missing columns, before it joins the group.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
psql_value "create table $TABLE (id bigint primary key, name text, email text, country text,
              balance numeric(12,2), tier text, phone text, signup_date date,
              is_deleted boolean, last_modified timestamptz)" >/dev/null || fail "create table"
write_config
run_producer_once

rc=0
timeout --foreground -k 5 60 "$BUILD/tidemark-worker" -c "$CONF" run \
    >"$T_WORK/worker.out" 2>"$T_WORK/worker.log" || rc=$?
assert_eq 2 "$rc" "the worker's exit"
grep -q "has no column _source_ts, _deleted, _deleted_at, _kafka_partition, _kafka_offset, _synced_at" \
    "$T_WORK/worker.log" || fail "no error naming the missing columns: $(grep level=error "$T_WORK/worker.log" | head -2)"
! grep -q 'msg="partitions assigned"' "$T_WORK/worker.log" || fail "the worker joined its group first"
assert_eq 0 "$(psql_value "select count(*) from $TABLE")" "rows written"
log "ok"
