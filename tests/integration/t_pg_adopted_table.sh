#!/usr/bin/env bash
# t_pg_adopted_table: a table an older sync script filled, adopted by
# tidemark. The worker refuses it at start, naming the bookkeeping columns
# it lacks; the user adds them as the README lists them, and ALTER TABLE
# ADD COLUMN leaves them NULL in every existing row. The version guard
# compared a NULL _source_ts as NULL and never updated such a row: the
# first full sync completed with ids 1-10 still holding the old script's
# content, for good. And a tombstone left a row whose _deleted is NULL
# live. Now a row the worker never wrote is older than any event.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
topic="$PREFIX.$STREAM"
psql_value "create table $TABLE (id bigint primary key, name text, email text, country text,
              balance numeric(12,2), tier text, phone text, signup_date date,
              is_deleted boolean, last_modified timestamptz)" >/dev/null || fail "create table"
# what the old script left: ids 1-10 with outdated content, and id 99,
# which the API no longer serves
psql_value "insert into $TABLE (id, name, last_modified)
            select g, 'stale from the old script', '2000-01-01'
            from (select generate_series(1, 10) union all select 99) s(g)" >/dev/null ||
    fail "insert the old rows"
write_config
# refused first, naming the columns
rc=0
timeout 60 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$T_WORK/refused.log" || rc=$?
assert_eq 2 "$rc" "exit status of a worker given a table without the bookkeeping columns"
grep -q "has no column _source_ts" "$T_WORK/refused.log" ||
    fail "the refusal does not name the columns: $(tail -n 3 "$T_WORK/refused.log")"
psql_value "alter table $TABLE add column _source_ts timestamptz, add column _deleted boolean,
              add column _deleted_at timestamptz, add column _kafka_partition int,
              add column _kafka_offset bigint, add column _synced_at timestamptz" >/dev/null ||
    fail "alter table"

first_sync
wait_caught_up 30
assert_eq 0 "$(psql_value "select count(*) from $TABLE where name = 'stale from the old script'
                          and id <= 10")" "rows 1-10 the first full sync left as the old script wrote them"
assert_table_equals_api

# a tombstone of id 99 (compaction's, another producer's) deletes it
printf '99:\n' | kc -P -t "$topic" -p 0 -K: -Z || fail "kcat could not produce the tombstone"
deleted99() { [ "$(psql_value "select _deleted from $TABLE where id = 99")" = t ]; }
wait_for "row 99 deleted by its tombstone" 30 deleted99
stop_worker
log "ok"
