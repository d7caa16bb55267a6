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

command -v strace >/dev/null 2>&1 || skip "strace is not installed"
zonefile=/usr/share/zoneinfo/America/New_York
[ -r "$zonefile" ] || skip "no $zonefile"

start_devbroker
start_demoapi --records 12 --base-time 2026-01-06T01:59:00Z --date-cursor \
    --cursor-timezone America/New_York
write_config "stream: cursor.precision = date" "stream: cursor.timezone = America/New_York"

first_sync
assert_table_equals_api

api_post "/admin/update?ids=4&at=2026-01-06T03:00:00Z" >/dev/null || fail "admin update"
api_post "/admin/update?ids=5&at=2026-01-07T12:00:00Z" >/dev/null || fail "admin update"
# the deleted endpoint (walked first) fails with 400; the records walk is answered
api_post "/admin/fault?status=400&count=1&after=0" >/dev/null || fail "admin fault"

log=$T_WORK/producer.strace.log
timeout --foreground -k 5 120 strace -f -qq -o "$T_WORK/strace.out" -P "$zonefile" \
    -e trace=openat,open -e inject=openat:error=EMFILE:when=2+ \
    "$BUILD/tidemark-producer" -c "$CONF" run --once >"$T_WORK/producer.strace.out" 2>"$log"
rc=$?
log "producer under injection exited $rc"
log "failed opens of $zonefile: $(grep -c INJECTED "$T_WORK/strace.out")"
grep -E 'msg="run (completed|failed)"' "$log" | cut -c1-400
api_post "/admin/fault?count=0" >/dev/null || fail "admin fault clear"
log "failed record: $(last_run_record | cut -c1-200)"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
