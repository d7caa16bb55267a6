#!/usr/bin/env bash
# t_two_streams_one_table: two streams write one table; the second one's
# schema lacks `email`. Once the first stream has applied every record,
# the second stream's (newer) upserts name only their own columns and
# must leave email as it is. When the worker's stage table and prepared
# statements were named after the table alone (found by review), the
# first statement set prepared applied both streams' rows: email became
# NULL (or the worker stopped on a missing stage column).
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-no-email.avsc"
jq '.fields |= map(select(.name != "email"))' "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 40
write_config
run_producer_once
start_worker
wait_caught_up 60
assert_eq 0 "$(psql_value "select count(*) from $TABLE where email is null")" "rows without email after stream 1"
stop_worker

add_stream_copy "${STREAM}2" "s|^schema = .*|schema = $V2|"
# a batch with events of both streams: stream 1 has three updates
api_post "/admin/update?ids=1,2,3" >/dev/null || fail "admin update"
run_producer_once
start_worker
ends2=$(topic_ends "$PREFIX.${STREAM}2") || fail "kcat"
wait_caught_up 60
wait_for "second stream applied" 60 offsets_at_ends "$PREFIX.${STREAM}2" "$ends2" ""
assert_eq 0 "$(psql_value "select count(*) from $TABLE where email is null")" "rows whose email was nulled by stream 2"
assert_table_equals_api
stop_worker
log "ok"
