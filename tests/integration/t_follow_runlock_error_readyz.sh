#!/usr/bin/env bash
# t_follow_runlock_error_readyz: a follow-mode producer whose stream's run
# lock cannot be opened (EMFILE: the process at its descriptor limit; a
# full lock.dir would say ENOSPC), every pass. Each pass logs `run not
# started` and the stream is never run: nothing is published any more.
# /readyz must then say the stream's last pass failed (503), as it does
# for a run or a checkpoint read that fails, and runs_total count it;
# answering `ready` hid a producer that synced nothing. (Found by helper
# 142.)
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

command -v strace >/dev/null 2>&1 || skip "strace is not installed"

start_devbroker
start_demoapi --records 20
addr="127.0.0.1:$(free_port)"
write_config "producer: poll.interval = 1s" "producer: metrics.listen = $addr"
run_producer_once # makes the lock file and a checkpoint
lock=$(ls "$T_WORK"/tidemark-producer-*.lock)
[ -f "$lock" ] || fail "no run lock file in $T_WORK"

api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
FOLLOW_LOG=$T_WORK/follow.log
strace -f -qq -o "$T_WORK/strace.out" -P "$lock" -e trace=openat \
    -e inject=openat:error=EMFILE:when=1+ \
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
not_started_twice() { [ "$(grep -c 'msg="run not started"' "$FOLLOW_LOG")" -ge 2 ]; }
wait_for "two passes that could not start the run" 60 not_started_twice
child=$(pgrep -P "$FOLLOW_PID" | head -n1)
[ -n "$child" ] && _track_pid "$child"
grep 'msg="run not started"' "$FOLLOW_LOG" | tail -n1 | cut -c1-250
code=$(http_code "http://$addr/readyz")
body=$(curl -s --max-time 5 "http://$addr/readyz")
log "/readyz: $code $body"
scrape "$addr" "$T_WORK/metrics.txt"
grep '^tidemark_producer_runs_total' "$T_WORK/metrics.txt"
assert_eq 503 "$code" "/readyz while every pass fails to start the stream's run (body: $body)"
case "$body" in
*"run lock could not be taken"*) ;;
*) fail "/readyz does not say why: $body" ;;
esac
log "ok"
