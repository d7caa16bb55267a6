#!/usr/bin/env bash
# t_sigterm_slow_get: SIGTERM while the producer waits for an API answer
# that is slow to come (the API accepted the request and holds it). The
# stream's timeout is 60 s; the producer must stop within seconds all the
# same: Docker and systemd give a process about 10 s after SIGTERM before
# they kill it, and a killed producer loses the run's progress. Here pages
# are read on the main thread (cursor.precision = date in a zone other
# than UTC: no read-ahead), which nothing but SIGTERM can interrupt.
. "$(dirname "$0")/lib.sh"

api_requests_at_least() { [ "$(api_requests)" -ge "$1" ]; }

start_devbroker
start_demoapi --records 20 --date-cursor --cursor-timezone America/New_York
write_config "stream: cursor.precision = date" "stream: cursor.timezone = America/New_York" \
    "stream: -deleted.url" "stream: timeout = 60s"

# The next data request is held for a minute before it is answered.
api_post "/admin/fault?delay_ms=60000&count=1" >/dev/null || fail "admin fault"
follow_start
wait_for "the producer's first request to reach the API" 20 api_requests_at_least 1
follow_stop 5
grep -q 'interrupted' "$FOLLOW_LOG" || fail "no 'interrupted' in the producer's log"
