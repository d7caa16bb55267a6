#!/bin/sh
# fixtures-smoke.sh - checks that the development fixtures do what tests
# rely on: tidemark-demoapi (paging, ties, filters, admin changes, faults,
# string ids, date cursor) and tidemark-devbroker (metadata, produce and
# consume, fault injection through the control FIFO).
#
#   BUILD=build sh tests/integration/fixtures-smoke.sh
#
# Needs curl, jq and kcat. Loopback only. Exits non-zero on the first
# failed check.
set -eu

BUILD=${BUILD:-build}
DEMOAPI=$BUILD/tidemark-demoapi
DEVBROKER=$BUILD/tidemark-devbroker
TMP=$(mktemp -d)
PIDS=""

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# Waits (up to ~10 s) for a file a fixture writes once it is ready.
wait_file() {
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && fail "timed out waiting for $1"
        sleep 0.1
    done
}

# Stops a fixture with SIGTERM: it must exit 0 (under ASan: no leaks).
stop() {
    kill "$1"
    rc=0
    wait "$1" || rc=$?
    PIDS=$(echo "$PIDS" | sed "s/ $1\b//")
    [ $rc -eq 0 ] || { cat "$2" >&2; fail "$3 exited $rc after SIGTERM"; }
    ok "$3 stops cleanly"
}

# eq WHAT EXPECTED ACTUAL
eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
    ok "$1"
}

# ---------------------------------------------------------------- demoapi
"$DEMOAPI" --records 50 --url-file "$TMP/api.url" >/dev/null 2>"$TMP/api.log" &
API_PID=$!
PIDS="$PIDS $API_PID"
wait_file "$TMP/api.url"
U=$(cat "$TMP/api.url")

eq "total" 50 "$(curl -sf "$U/customers?per_page=7" | jq '.total')"
eq "page size" 7 "$(curl -sf "$U/customers?per_page=7" | jq '.data | length')"
eq "last page" "43,44,45,46,47,48,49" \
    "$(curl -sf "$U/customers?per_page=7&page=7" | jq -r '[.data[].id] | join(",")')"
eq "past the end" 0 "$(curl -sf "$U/customers?per_page=7&page=9" | jq '.data | length')"
eq "ties of 3" "3" \
    "$(curl -sf "$U/customers?per_page=100" | jq '[.data[].last_modified] | group_by(.) | map(length) | max')"
eq "filter >=" "4,5,6" \
    "$(curl -sf "$U/customers?modified_since=2026-01-01T00:00:01Z&per_page=3" | jq -r '[.data[].id] | join(",")')"
eq "filter with offset" "4,5,6" \
    "$(curl -sf "$U/customers?modified_since=2026-01-01T01:00:01%2B01:00&per_page=3" | jq -r '[.data[].id] | join(",")')"
eq "hard names are valid JSON" "true" \
    "$(curl -sf "$U/customers?per_page=100" | jq '[.data[].name] | any(test("\""))')"
eq "bad parameter" 400 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/customers?modified_since=yesterday")"
eq "unknown path" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U/nope")"

max=$(curl -sf "$U/customers?per_page=100" | jq -r '.data[-1].last_modified')
eq "update at=max ties" "$max" \
    "$(curl -sf -X POST "$U/admin/update?ids=1&at=max" | jq -r '.at')"
eq "updated record now at the max" "$max Customer 1 v1" \
    "$(curl -sf "$U/customers?per_page=100" | jq -r '.data[] | select(.id == 1) | "\(.last_modified) \(.name)"' | awk '{print $1, $2, $3, $NF}')"
at=$(curl -sf -X POST "$U/admin/update?ids=2,3" | jq -r '.at')
eq "default at = clock + 1 s" "2026-01-01T00:00:17.000Z" "$at"
eq "delete" '[4]' "$(curl -sf -X POST "$U/admin/delete?ids=4" | jq -c '.ids')"
eq "deleted endpoint" "4" \
    "$(curl -sf "$U/customers/deleted?since=2026-01-01T00:00:18Z" | jq -r '[.data[].id] | join(",")')"
eq "deleted record gone" 49 "$(curl -sf "$U/customers" | jq '.total')"
curl -sf -X POST "$U/admin/soft-delete?ids=5" >/dev/null
eq "soft delete stays served" "true" \
    "$(curl -sf "$U/admin/records" | jq '.data[] | select(.id == 5) | .is_deleted')"
eq "create" '[51,52]' "$(curl -sf -X POST "$U/admin/create?count=2" | jq -c '.ids')"

curl -sf -X POST "$U/admin/fault?status=503&count=2" >/dev/null
codes=""
for _ in 1 2 3; do
    codes="$codes$(curl -s -o /dev/null -w '%{http_code}' "$U/customers") "
done
eq "faults" "503 503 200 " "$codes"
eq "admin not faulted" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/admin/stats")"

"$DEMOAPI" --records 12 --string-ids --date-cursor --records-path result.items \
    --url-file "$TMP/api2.url" >/dev/null 2>"$TMP/api2.log" &
API2_PID=$!
PIDS="$PIDS $API2_PID"
wait_file "$TMP/api2.url"
U2=$(cat "$TMP/api2.url")
eq "string ids, nested path" "cus_000001" \
    "$(curl -sf "$U2/customers?per_page=1" | jq -r '.result.items[0].id')"
eq "date cursor takes the whole day" 12 \
    "$(curl -sf "$U2/customers?modified_since=2026-01-01T23:00:00Z" | jq '.total')"

# -------------------------------------------------------------- devbroker
"$DEVBROKER" --brokers 3 --topic smoke:3 --bootstrap-file "$TMP/bootstrap" \
    --control "$TMP/control" >/dev/null 2>"$TMP/broker.log" &
BROKER_PID=$!
PIDS="$PIDS $BROKER_PID"
wait_file "$TMP/bootstrap"
B=$(cat "$TMP/bootstrap")
eq "3 brokers" 3 "$(kcat -b "$B" -L -J | jq '.brokers | length')"
eq "topic with 3 partitions" 3 \
    "$(kcat -b "$B" -L -J -t smoke | jq '.topics[0].partitions | length')"

printf 'k1:v1\nk2:v2\nk3:v3\n' | kcat -b "$B" -P -t smoke -K:
echo "fail Produce 2" >"$TMP/control"
# The command is applied asynchronously: wait for its log line.
i=0
until grep -q "ok: fail Produce 2" "$TMP/broker.log"; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "control command not applied"; sleep 0.1
done
ok "control command applied"
printf 'k4:v4\n' | kcat -b "$B" -P -t smoke -K: -X debug=msg 2>"$TMP/kcat.log"
eq "produce retried through injected errors" 2 \
    "$(grep -c 'Request timed out' "$TMP/kcat.log")"
eq "consume all" "k1 k2 k3 k4" \
    "$(kcat -b "$B" -C -t smoke -e -q -f '%k\n' | sort | tr '\n' ' ' | sed 's/ $//')"
echo "bogus" >"$TMP/control"
i=0
until grep -q 'error: bogus' "$TMP/broker.log"; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "bad command not reported"; sleep 0.1
done
ok "bad command reported"


# ---------------------------------------------------------------- registry
# tests/registry/fake_registry.py: ids stable per schema, 409 under
# BACKWARD, 404 error codes, basic auth, injected failures.
python3 "$(dirname "$0")/../registry/fake_registry.py" --basic-auth u:s --first-id 70000 \
    --url-file "$TMP/reg.url" >/dev/null 2>"$TMP/reg.log" &
REG_PID=$!
PIDS="$PIDS $REG_PID"
wait_file "$TMP/reg.url"
R=$(cat "$TMP/reg.url")
SRCT='Content-Type: application/vnd.schemaregistry.v1+json'
v1='{"type":"record","name":"E","fields":[{"name":"a","type":"int"}]}'
v2='{"type":"record","name":"E","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","default":""}]}'
v3='{"type":"record","name":"E","fields":[{"name":"a","type":"long"},{"name":"c","type":"string"}]}'
reg_post() { curl -s -u u:s -H "$SRCT" -X POST --data "$(jq -n --arg s "$2" '{schema: $s}')" "$R$1"; }
eq "registry: no auth" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$R/subjects")"
eq "registry: first id" 70000 "$(reg_post /subjects/t-value/versions "$v1" | jq .id)"
eq "registry: same schema, same id" 70000 "$(reg_post /subjects/other-value/versions "$v1" | jq .id)"
eq "registry: compatible change" 70001 "$(reg_post /subjects/t-value/versions "$v2" | jq .id)"
eq "registry: incompatible change" 409 "$(reg_post /subjects/t-value/versions "$v3" | jq .error_code)"
eq "registry: schema by id" '"E"' "$(curl -s -u u:s "$R/schemas/ids/70001" | jq '.schema | fromjson | .name')"
eq "registry: unknown id" 40403 "$(curl -s -u u:s "$R/schemas/ids/5" | jq .error_code)"
eq "registry: versions" "[1,2]" "$(curl -s -u u:s "$R/subjects/t-value/versions" | jq -c .)"
curl -sf -X POST "$R/admin/fail?status=503&count=1" >/dev/null
eq "registry: injected failure" 503 "$(curl -s -o /dev/null -w '%{http_code}' -u u:s "$R/subjects")"
eq "registry: after the failure" 200 "$(curl -s -o /dev/null -w '%{http_code}' -u u:s "$R/subjects")"

stop "$API_PID" "$TMP/api.log" tidemark-demoapi
stop "$REG_PID" "$TMP/reg.log" fake_registry.py
stop "$API2_PID" "$TMP/api2.log" "tidemark-demoapi (string ids)"
stop "$BROKER_PID" "$TMP/broker.log" tidemark-devbroker
[ ! -e "$TMP/api.url" ] && [ ! -e "$TMP/bootstrap" ] && [ ! -e "$TMP/control" ] ||
    fail "files left behind"
ok "url, bootstrap and control files removed"

echo "all fixture checks passed"
