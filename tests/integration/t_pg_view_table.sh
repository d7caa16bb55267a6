#!/usr/bin/env bash
# t_pg_view_table: `table` names an automatically updatable view over the
# real table (a table exposed under another name or schema). PostgreSQL
# infers the upsert's ON CONFLICT (id) through the view from the primary
# key of the table under it. The start check for that key read the
# view's own indexes (it has none) and refused it: the worker now checks
# only ordinary and partitioned tables, and syncs through the view.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
psql_value "create table ${TABLE}_base (id bigint primary key, name text, email text, country text,
              balance numeric(12,2), tier text, phone text, signup_date date,
              is_deleted boolean, last_modified timestamptz,
              _source_ts timestamptz, _deleted boolean, _deleted_at timestamptz,
              _kafka_partition int, _kafka_offset bigint, _synced_at timestamptz,
              _produced_at timestamptz)" >/dev/null || fail "create table"
psql_value "create view $TABLE as select * from ${TABLE}_base" >/dev/null || fail "create view"
write_config
first_sync
assert_eq 20 "$(psql_value "select count(*) from ${TABLE}_base")" "rows written through the view"
assert_table_equals_api
stop_worker
log "ok"
