#!/usr/bin/env bash
# shellcheck disable=SC2034 # variables read by lib.sh
# t_generic_stream: nothing assumes the demo's stream. A stream with string
# ids, renamed id and cursor fields, other query parameters, records nested
# at result.items and its own table syncs like the demo's.
STREAM=accounts
TABLE=acct
ID_FIELD=account_id
CURSOR_FIELD=updated_at
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/account.avsc"
API_RECORDS_JQ=.result.items
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300 --stream accounts --string-ids --id-field account_id \
    --cursor-field updated_at --cursor-param since --records-path result.items \
    --page-param p --page-size-param limit
write_config "stream: url = $API_URL/accounts" \
    "stream: cursor.param = since" \
    "stream: records.path = result.items" \
    "stream: page.param = p" \
    "stream: page.size.param = limit" \
    "stream: page.size = 70" \
    "stream: deleted.url = $API_URL/accounts/deleted"

# The API really serves the renamed shape (else this scenario proves nothing).
first=$(api_get "/accounts?since=1970-01-01T00:00:00.000Z&p=1&limit=1") || fail "GET /accounts failed"
echo "$first" | jq -e '.result.items[0] | (.account_id | type == "string") and has("updated_at")
                       and (has("id") | not) and (has("last_modified") | not)' >/dev/null ||
    fail "the demo API does not serve the renamed shape: $first"

run_producer_once
run1=$(last_run_field run_id)
assert_eq 300 "$(last_run_field published)" "events published by the full sync"
start_worker
wait_run_completed "$run1" 60
assert_table_equals_api
assert_eq text "$(psql_value "select data_type from information_schema.columns
                               where table_name = 'acct' and column_name = 'account_id'")" "type of acct.account_id"

# An incremental run on the same renamed fields.
ids=$(api_get /admin/records | jq -r '.result.items[0:3] | map(.account_id) | join(",")')
api_post "/admin/update?ids=$ids" >/dev/null || fail "admin update"
api_post "/admin/create?count=2" >/dev/null || fail "admin create"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 5 "$(last_run_field published)" "events published by the incremental run"
wait_run_completed "$run2" 60
assert_table_equals_api
stop_worker
log "ok"
