#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_long_field_name: a field name longer than PostgreSQL's 63-byte
# identifiers (here the cursor field, 72 bytes). PostgreSQL would cut the
# column's name and the field's values would never reach it (silently
# NULL). With no table yet the worker refuses to start: exit 2 naming the
# field. With a table that already has the column under the cut name
# (what an older tidemark created), the worker starts and fills it.
LONG=record_last_modified_at_the_source_system_in_coordinated_universal_times
CUT=${LONG:0:63}
CURSOR_FIELD=$LONG
. "$(dirname "$0")/lib.sh"

assert_eq 72 "${#LONG}" "length of the long field name"
SCHEMA="$T_WORK/customer-long.avsc"
jq --arg f "$LONG" '.fields |= map(if .name == "last_modified" then .name = $f else . end)' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA"

start_devbroker
start_demoapi --records 30 --cursor-field "$LONG"
write_config
run_producer_once
run1=$(last_run_field run_id)

# No table: refused.
log="$T_WORK/worker-refused.log"
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$log"
rc=$?
tail -n 2 "$log"
assert_eq 2 "$rc" "exit status of the worker whose schema has a 72-byte field name"
grep 'level=error' "$log" | matches -F "field '$LONG'" || fail "the error does not name the field '$LONG'"
assert_eq "" "$(psql_value "select to_regclass('$TABLE')")" "table created by the refused worker"

# A table with the column under its cut name: accepted, and filled.
psql_value "create table $TABLE (id bigint not null primary key, name text, email text,
    country text, balance numeric(12,2), tier text, phone text, signup_date date,
    is_deleted boolean, \"$CUT\" timestamptz, _source_ts timestamptz not null,
    _deleted boolean not null default false, _deleted_at timestamptz,
    _kafka_partition integer, _kafka_offset bigint, _synced_at timestamptz)" >/dev/null ||
    fail "cannot create the table"
start_worker
wait_run_completed "$run1" 60
assert_eq 30 "$(psql_value "select count(*) from $TABLE")" "rows"
assert_eq 30 "$(psql_value "select count(*) from $TABLE where \"$CUT\" is not null")" \
    "rows whose long-named field reached its column"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where \"$CUT\" <> _source_ts")" \
    "rows whose long-named cursor differs from _source_ts"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "messages on $PREFIX.dlq"
stop_worker
log "ok"
