#!/usr/bin/env bash
# t_cursor_timezone_unreadable: cursor.precision = date with cursor.timezone
# = America/New_York, and the zone's file cannot be opened after the start
# (EMFILE: the process at its descriptor limit; ENOENT: tzdata being
# upgraded), injected with strace. glibc then converts as UTC without a
# word: the run asked since=2026-01-06 where New York's date was still
# 5 January, completed without record 4's change (03:00Z, 22:00 on 5
# January there), and its HWM (7 January) left it behind for good. The run
# now fails naming the zone's file, keeps the HWM it started from, and the
# next run brings the change. (Found by helper 142.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_timezone.sh"


new_york_evening_change
# and one on 7 January (New York's too), which moves the HWM past 5 January
api_post "/admin/update?ids=5&at=2026-01-07T12:00:00Z" >/dev/null || fail "admin update"

# Every open of the zone's file after the first (the check at start) fails.
producer_zone_unreadable
[ "$(grep -c INJECTED "$T_WORK/strace.out")" -gt 0 ] ||
    fail "strace injected no failure (the zone's file was not opened again)"
assert_eq 1 "$ZONE_RC" "the producer's exit status under the injection"
grep -q "the time zone file of 'America/New_York' could not be read" "$ZONE_LOG" ||
    fail "the failed run does not name the zone's file"
# Whatever that run did, once the fault is gone the next run must bring
# the table level with the API: record 4's change is not lost.
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "ok"
