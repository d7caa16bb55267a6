#!/usr/bin/env bash
# t_hold_shared_table_spelled: streams customers (table customers),
# customers2 (table public.customers: the same table) and c3. customers'
# table is locked (lock_timeout 3s). README: "a stream writing the same
# table is held with it": both must be held by the one attempt that found
# the lock, and once the lock goes everything equals the API.
# (Found by helper 124.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker --topic "$PREFIX.customers:4" --topic "$PREFIX.customers2:4" --topic "$PREFIX.c3:4" \
    --topic "$PREFIX.sync-runs:1" --topic "$PREFIX.dlq:1" --topic "$PREFIX.schemas:1"
start_demoapi --records 20
addr="127.0.0.1:$(free_port)"
write_config "worker: metrics.listen = $addr" "postgres: lock_timeout = 3s"
add_stream customers2 public.customers "$API_URL/customers"
sed -i "/^\[stream customers2\]/,\$ s|^deleted.url = .*|deleted.url = $API_URL/customers/deleted|" "$CONF"
add_stream c3
apply_first_runs customers customers2 c3
pg_hold_open migration "LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"
api_post "/admin/update?count=10" >/dev/null || fail "admin update"
run_producer_once
for s in customers customers2 c3; do r[$s]=$(last_run_field run_id $s); done
wait_run_completed "${r[c3]}" 60
wait_for "customers and customers2 held" 30 sh -c "grep 'stream held back' '$T_WORK/worker-w1.log' | grep -q 'stream=customers2 ' && grep 'stream held back' '$T_WORK/worker-w1.log' | grep -q 'stream=customers '"
grep 'stream held back' "$T_WORK/worker-w1.log" | cut -c1-160
pg_release migration
for s in customers customers2 c3; do wait_run_completed "${r[$s]}" 60; done
TABLE=customers assert_table_equals_api
TABLE=c3 assert_table_equals_api
wait_for "/readyz ready" 30 http_code_is 200 "http://$addr/readyz"
# held by one attempt, both lines come at once; by two, a lock_timeout
# (3 s) apart
apart=$(grep 'stream held back' "$T_WORK/worker-w1.log" | head -n2 | cut -c4-27 |
    while read -r ts; do date -u -d "$ts" +%s%3N; done | paste -sd' ' | awk '{ print $2 - $1 }')
[ "${apart:-99999}" -lt 1000 ] ||
    fail "customers and customers2 held $apart ms apart: by two attempts, not together"
stop_worker
log "ok"
