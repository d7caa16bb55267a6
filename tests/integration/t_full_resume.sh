#!/usr/bin/env bash
# t_full_resume: a first full sync that fails part-way resumes from its last
# progress checkpoint instead of starting again (a huge first load on a
# flaky API might otherwise never finish).
#  run 1: 30,000 records in pages of 1,000; the API fails for good after 25
#         pages: the run fails after its progress checkpoint at 20,000;
#  run 2: full, resumed from that checkpoint: it publishes what is left,
#         not all 30,000 again, completes, and counts as the full sync;
#  run 3: incremental, nothing new.
# The table ends equal to the API.
# long
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30000 --max-page-size 1000
write_config "stream: page.size = 1000" "stream: max.retries = 0" "stream: -deleted.url"

api_post "/admin/fault?status=500&count=1000&after=25" >/dev/null || fail "admin fault"
run_producer_once_rc 1
failed=$(last_run_record)
assert_eq failed "$(jq -r .status <<<"$failed")" "status of the interrupted first run"
assert_eq full "$(jq -r .mode <<<"$failed")" "mode of the interrupted first run"
[ "$(jq -r .hwm.value <<<"$failed")" != null ] ||
    fail "the interrupted run kept no HWM from its progress checkpoint: $failed"
first_published=$(jq -r .records <<<"$failed")
log "run 1 published $first_published before the API failed; HWM $(jq -r .hwm.value <<<"$failed")"

api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
run_producer_once
grep -q 'msg="full run resumed from the last progress checkpoint' "$PRODUCER_LAST_LOG" ||
    fail "run 2 did not say it resumed the full run"
assert_eq full "$(last_run_field mode)" "mode of run 2"
resumed=$(last_run_field published)
[ "$resumed" -lt 20000 ] || fail "run 2 published $resumed events: it started the full sync again"
[ $((first_published + resumed)) -ge 30000 ] ||
    fail "runs 1 and 2 published $first_published + $resumed events, fewer than the 30,000 records"
run2=$(last_run_field run_id)
done2=$(last_run_record)
assert_eq completed "$(jq -r .status <<<"$done2")" "status of run 2"
assert_eq "$(jq -r .started_at <<<"$done2")" "$(jq -r .last_full_at <<<"$done2")" \
    "last_full_at of run 2 (it finished the first load)"

run_producer_once
assert_eq incremental "$(last_run_field mode)" "mode of run 3"
assert_eq 0 "$(last_run_field published)" "events published by run 3"

start_worker w1
wait_run_completed "$run2" 120
assert_table_equals_api
