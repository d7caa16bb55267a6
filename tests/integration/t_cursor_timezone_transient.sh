#!/usr/bin/env bash
# t_cursor_timezone_transient: a follow-mode producer, cursor.timezone =
# America/New_York, poll.interval = 1s. The zone's file cannot be opened
# ONCE (strace: only the first open after the start check fails, EMFILE);
# every later open would succeed. The first pass fails naming the zone's
# file, as it should; the next passes should complete. They do not: glibc
# never reads the file again (tzset() returns at once when TZ holds the
# same text as before, and tz_enter() sets the same text), so every pass
# fails until the process restarts: a stuck stream.
# Now a failed load leaves TZ at UTC0, so the next conversion reads the
# zone's file again. (Found by helper 145.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_timezone.sh"


start_new_york_api "producer: poll.interval = 1s"

FOLLOW_LOG=$T_WORK/follow.log
# shellcheck disable=SC2046 # the arguments are words without spaces
strace $(zone_unreadable_args 2) "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
child() { pgrep -P "$FOLLOW_PID" | head -n1; }
wait_for "the producer under strace" 10 child
_track_pid "$(child)"

failed_once() { matches "the time zone file of 'America/New_York' could not be read" "$FOLLOW_LOG"; }
wait_for "the pass with the unreadable zone file to fail" 20 failed_once
log "opens of the zone's file so far: $(grep -c 'New_York' "$T_WORK/strace.out") (injected: $(grep -c INJECTED "$T_WORK/strace.out"))"
completed() { matches 'msg="run completed"' "$FOLLOW_LOG"; }
if ! (wait_for "a later pass to complete once the file reads again" 15 completed); then
    log "passes failed: $(grep -c 'msg="run failed"' "$FOLLOW_LOG"), completed: 0"
    log "opens of the zone's file: $(grep -c 'New_York' "$T_WORK/strace.out")"
    grep 'msg="run failed"' "$FOLLOW_LOG" | tail -n1 | grep -o 'error=.*'
    fail "every pass after one failed open of the zone's file fails"
fi
log "ok"
