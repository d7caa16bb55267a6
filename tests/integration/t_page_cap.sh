#!/usr/bin/env bash
# t_page_cap: an API that serves at most 100 records a page, whatever
# page.size (1000) asks for. A page shorter than page.size proves nothing:
# the walk goes on until a page is empty or shorter than one already
# served. So the first run publishes all 300 records, the HWM is the
# largest cursor and never moves backwards from run to run, and a full run
# finds nothing vanished and deletes no live row.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 300 --max-page-size 100
write_config "stream: page.size = 1000"
topic="$PREFIX.$STREAM"

# The cap is real: a request for 1000 gets 100.
served=$(api_get "/$STREAM?per_page=1000&page=1" | jq '.data | length') || fail "GET /$STREAM"
assert_eq 100 "$served" "records the API serves for per_page=1000"

api_max_ms()
{
    api_get /admin/records | jq -r '[.data[].last_modified] | max' |
        xargs -I{} date -u -d {} +%s%3N
}
hwm_ms() { date -u -d "$(last_run_record | jq -r .hwm.value)" +%s%3N; }

first_sync
assert_eq 300 "$(last_run_field published)" "records published by the first run"
assert_eq "$(api_max_ms)" "$(hwm_ms)" "HWM after the first run (the largest cursor)"
assert_table_equals_api

# An incremental run: the changes only, the HWM moves forward.
api_post "/admin/update?ids=5,150,299" >/dev/null || fail "admin update"
run_producer_once
run2=$(last_run_field run_id)
assert_eq 3 "$(last_run_field published)" "records published by the incremental run"
assert_eq "$(api_max_ms)" "$(hwm_ms)" "HWM after the incremental run"
wait_run_completed "$run2" 60

# A full run: every record served again, nothing vanished, no row deleted.
live_before=$(psql_value "select count(*) from $TABLE where not _deleted")
run_producer_once --full
run3=$(last_run_field run_id)
assert_eq full "$(last_run_field mode)" "mode of the run with --full"
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
[ "$(last_run_field fetched)" -ge 300 ] || fail "the full run fetched $(last_run_field fetched) records, not all 300"
assert_eq "$(api_max_ms)" "$(hwm_ms)" "HWM after the full run"
wait_run_completed "$run3" 60
wait_caught_up 30
assert_eq "$live_before" "$(psql_value "select count(*) from $TABLE where not _deleted")" \
    "live rows after the full run"
assert_table_equals_api

# Over every run record: the HWM never went backwards.
run_records | jq -r 'select(.hwm.value != null) | .hwm.value' >"$T_WORK/hwms.txt"
prev=0
while read -r v; do
    ms=$(date -u -d "$v" +%s%3N)
    [ "$ms" -ge "$prev" ] || fail "the HWM moved backwards: $(tr '\n' ' ' <"$T_WORK/hwms.txt")"
    prev=$ms
done <"$T_WORK/hwms.txt"
[ -s "$T_WORK/hwms.txt" ] || fail "no run record with a HWM"

stop_worker
log "ok"
