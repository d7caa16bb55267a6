#!/usr/bin/env bash
# t_follow_ra_equal_interval: three streams in follow mode, poll.interval =
# 3s; c2's API answers every request 503 with Retry-After: 3 (= the
# interval: waited in place, max.retries 8 by default). The commit that
# brought stream_turn_t names this case ("a Retry-After of 30 s (up to
# max.retries x retry.max_wait) held every other stream's polls"), and
# poll.interval = 30s with Retry-After: 30 is it under the defaults.
# Each wait was no longer than the limit, so all were waited: about 48 s a
# pass, and customers had no run in 15 s. The waits in place of a run's
# walk now add up to at most poll.interval, so a pass takes at most about
# two intervals: customers is polled every 6 s or so. (Found by helper
# 125.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

cat >"$T_WORK/busy.py" <<'PY'
def handle(req):
    return 503, [("Retry-After", "3")], '{"error": "busy"}'
PY
start_three_stream_broker
start_hostileapi "$T_WORK/busy.py"
busy=$API_URL
start_demoapi --records 10
write_config "producer: poll.interval = 3s"
add_stream c2 c2 "$busy/customers"
add_stream c3
follow_start
runs_of() { grep -c "msg=\"run completed\" stream=$1 " "$FOLLOW_LOG"; }
wait_for "customers' first run" 20 matches 'msg="run completed" stream=customers ' "$FOLLOW_LOG"
c1=$(runs_of customers)
two_more() { [ "$(runs_of customers)" -ge $((c1 + 2)) ]; }
# about 12 s when each pass takes two intervals; 24 s leaves room for a
# loaded machine and still fails the 48 s passes of the bug
WAIT_INTERVAL=1 wait_for "two more runs of customers in 24 s at poll.interval = 3s" 24 two_more
follow_stop 15
log "ok"
