#!/usr/bin/env bash
# t_cursor_timezone_failed_run: as t_cursor_timezone_unreadable (the zone's
# file cannot be read after the start, so the since date is UTC's), but
# the run's deleted endpoint (walked first) answers 400 once, and the run
# fails after its records walk ended and was acknowledged. run_mark_failed() keeps the records tracker in the
# failed record (dates_unknown is only set by a non-failed write_record),
# so the HWM moves past record 4's change, which is never brought.
# Now run_mark_failed() takes the failure too, and the failed record keeps
# the HWM the run started from. (Found by helper 145.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_timezone.sh"


start_new_york_api

first_sync
assert_table_equals_api

api_post "/admin/update?ids=4&at=2026-01-06T03:00:00Z" >/dev/null || fail "admin update"
api_post "/admin/update?ids=5&at=2026-01-07T12:00:00Z" >/dev/null || fail "admin update"
# the deleted endpoint (walked first) fails with 400; the records walk is answered
api_post "/admin/fault?status=400&count=1&after=0" >/dev/null || fail "admin fault"

producer_zone_unreadable
api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
log "failed record: $(last_run_record | cut -c1-200)"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
