#!/usr/bin/env bash
# t_pg_shared_table_other_id: a stream's upsert (ON CONFLICT on its id
# field) needs a primary key or unique index on exactly that column. Two
# streams that write one table but key it by different id fields (`id`
# and `email`), or a table the user made without such a key, passed the
# start check (columns only): the first batch failed with 42P10 and the
# worker stopped ("batch failed; stopping", naming neither the stream nor
# the table), on every restart. Now it refuses the table at start (exit
# 2), naming the stream, the table and the id field; a unique index on
# the id field does as well as a primary key.
# brokers: mock
. "$(dirname "$0")/lib.sh"

# worker_refuses WHAT STREAM FIELD - a worker run (deadline 60 s) exits 2
# with one error line, which names the stream, the table and the field.
worker_refuses()
{
    local what=$1 stream=$2 field=$3 rc=0 errors
    timeout 60 "$BUILD/tidemark-worker" -c "$CONF" run >/dev/null 2>"$T_WORK/refused.log" || rc=$?
    errors=$(grep 'level=error' "$T_WORK/refused.log")
    assert_eq 2 "$rc" "exit status of a worker given $what ($errors)"
    assert_eq 1 "$(grep -c 'level=error' "$T_WORK/refused.log")" "error lines ($errors)"
    for name in "stream $stream" "table \\\"$TABLE\\\"" "exactly (\\\"$field\\\")"; do
        matches -F "$name" <<<"$errors" || fail "the refusal does not name $name: $errors"
    done
    log "refused $what: $errors"
}

start_devbroker
start_demoapi --records 20
write_config
add_stream_copy "${STREAM}2" "s|^id.field = .*|id.field = email|"
run_producer_once --stream "$STREAM"
run_producer_once --stream "${STREAM}2"
worker_refuses "two streams keying one table by id and email" "${STREAM}2" email

# the table the worker creates has its key; a user's table without one is
# refused, and a unique index (no primary key) is enough
write_config
start_worker
wait_caught_up 60
stop_worker
pkey=$(psql_value "select conname from pg_constraint
                   where conrelid = '$TABLE'::regclass and contype = 'p'") || fail "read the key"
psql_value "alter table $TABLE drop constraint $pkey" >/dev/null || fail "drop the primary key"
worker_refuses "a table without a key" "$STREAM" "$ID_FIELD"
psql_value "create unique index on $TABLE ($ID_FIELD)" >/dev/null || fail "create unique index"
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "admin update"
run_producer_once --stream "$STREAM"
start_worker
wait_caught_up 60
assert_table_equals_api
stop_worker
log "ok"
