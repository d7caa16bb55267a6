#!/usr/bin/env bash
# t_http_faults: HTTP 5xx from the source API.
#  (a) fewer 500s than max.retries: the producer retries, the run completes
#      and the changes arrive;
#  (b) more 500s than max.retries on the deleted endpoint, which the run
#      reads after the records: `run --once` exits 1 with an error that
#      says why; the `failed` run record moves the records' HWM past the
#      events Kafka acknowledged (else a deleted endpoint that fails for
#      good would make every run publish them again) and keeps the deleted
#      HWM where it was; once the fault clears the next run publishes
#      nothing again, completes, and the table equals the API.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300
API1=$API_URL
# A second API instance serves only the deleted endpoint in part (b), so
# that a fault can hit the run after its records were published.
start_demoapi --records 0
API2=$API_URL
API_URL=$API1
write_config "stream: max.retries = 3"
topic="$PREFIX.$STREAM"

faults_pending() { curl -fsS --max-time 10 "$1/admin/stats" | jq -r .faults_pending; }

first_sync
assert_table_equals_api

# ---- (a) two 500s, max.retries = 3: retried, completed.
api_post "/admin/update?ids=5,50,150" >/dev/null || fail "admin update"
api_post "/admin/fault?status=500&count=2" >/dev/null || fail "admin fault"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 2 "$(grep -c 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG")" \
    "retry warnings logged by the producer"
assert_eq 0 "$(faults_pending "$API1")" "injected faults left unconsumed"
assert_eq 3 "$(last_run_field published)" "events published by the run that met two 500s"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the latest run record"
wait_run_completed "$run2" 60
assert_table_equals_api
assert_eq 3 "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run2")")" \
    "records_synced of the run that met two 500s"

# ---- (b) 500s for ever, max.retries = 2, on the deleted endpoint, which
# the run reads after it published the changed records.
cp_before=$(last_run_record)
assert_eq "$run2" "$(jq -r .run_id <<<"$cp_before")" "run_id of the checkpoint before (b)"
hwm_before=$(jq -c .hwm <<<"$cp_before")
del_hwm_before=$(jq -c .deleted_hwm <<<"$cp_before")
api_post "/admin/update?ids=7,70,170" >/dev/null || fail "admin update"
api_post "/admin/create?count=2" >/dev/null || fail "admin create"
write_config "stream: max.retries = 2" "stream: deleted.url = $API2/$STREAM/deleted"
curl -fsS --max-time 10 -X POST "$API2/admin/fault?status=500&count=100" >/dev/null ||
    fail "admin fault on the second API"
msgs_before=$(topic_count "$topic")

run_producer_once_rc 1
line=$(last_failed_line)
[ -n "$line" ] || fail "the producer logged no 'run failed' line for $STREAM"
log "failure logged: $line"
case "$line" in
    *"deleted endpoint: "*"HTTP status 500"*"after 2 retries"*) ;;
    *) fail "the failure line does not say 'deleted endpoint: ... HTTP status 500 ... after 2 retries': $line" ;;
esac
assert_eq 97 "$(faults_pending "$API2")" "faults consumed (1 try + max.retries = 2 retries)"
failed_run=$(sed -n 's/.* run_id=\([^ ]*\) .*/\1/p' <<<"$line")
[ -n "$failed_run" ] || fail "no run_id in the failure line"
# The run got as far as publishing the changes, and Kafka acknowledged
# them: the checkpoint covers them.
assert_eq 5 "$(($(topic_count "$topic") - msgs_before))" "events the failed run published before the fault"
rec=$(last_run_record)
log "latest run record: $rec"
assert_eq "$failed_run" "$(jq -r .run_id <<<"$rec")" "run_id of the latest run record"
assert_eq failed "$(jq -r .status <<<"$rec")" "status of the latest run record"
api_max=$(api_get /admin/records | jq -r '[.data[].last_modified] | max')
hwm_failed=$(jq -c .hwm <<<"$rec")
[ "$hwm_failed" != "$hwm_before" ] ||
    fail "the failed run record kept the old hwm: the records acknowledged before the deleted endpoint failed would be published again"
assert_eq "$(date -u -d "$api_max" +%s%3N)" "$(date -u -d "$(jq -r .hwm.value <<<"$rec")" +%s%3N)" \
    "hwm of the failed run record (the largest cursor it published)"
assert_eq "$del_hwm_before" "$(jq -c .deleted_hwm <<<"$rec")" "deleted_hwm of the failed run record (stays where it was)"
# Its end_offsets still account for the events Kafka did acknowledge:
# each names the current end of a partition this run wrote last.
ends=$(topic_ends "$topic")
got=$(jq -r '.end_offsets | to_entries[] | "\(.key) \(.value)"' <<<"$rec")
[ -n "$got" ] || fail "the failed run record has no end_offsets for its 5 acknowledged events"
while read -r p e; do
    grep -qx "$p $e" <<<"$ends" || fail "end_offsets $p=$e of the failed run is not partition $p's end: $ends"
done <<<"$got"
wait_for "run $failed_run failed in sync_metadata" 30 eval '[ "$(run_status "$failed_run")" = failed ]'

# ---- the fault clears: the next run starts from the failed run's HWM.
curl -fsS --max-time 10 -X POST "$API2/admin/fault?count=0" >/dev/null || fail "clear the fault"
run_producer_once
run4=$(last_run_field run_id)
assert_eq 0 "$(last_run_field published)" "events published by the run after the fault cleared (none again)"
assert_eq completed "$(last_run_record | jq -r .status)" "status of the latest run record"
assert_eq "$hwm_failed" "$(last_run_record | jq -c .hwm)" "hwm after the good run (nothing new)"
wait_run_completed "$run4" 60
wait_caught_up 30
assert_table_equals_api

stop_worker
log "ok"
