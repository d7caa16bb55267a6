#!/usr/bin/env bash
# t_follow_last_retry_after: three streams in follow mode, poll.interval = 1s;
# c2 has max.retries = 1 and its API answers 503 without Retry-After, then
# 503 with Retry-After: 30 for good. The Retry-After comes on c2's last
# allowed attempt (its deleted endpoint answers 200 []): the run fails "after 1 retries". c2's API asked to be
# left alone for 30 s: it must not be asked again before then.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

cat >"$T_WORK/busy.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    n = req.state["n"] = req.state.get("n", 0) + 1
    if n == 1:
        return 503, [], '{"error": "busy"}'
    return 503, [("Retry-After", "30")], '{"error": "busy"}'
PY
start_three_stream_broker
start_hostileapi "$T_WORK/busy.py"
busy=$API_URL
start_demoapi --records 10
write_config "producer: poll.interval = 1s"
add_stream c2 c2 "$busy/customers"
echo "max.retries = 1" >>"$CONF"
add_stream c3
follow_start

c2_asked() { jq -r 'select(.path == "/customers") | "\(.t) \(.status)"' "$HOSTILE_LOG"; }
c2_asked_n() { [ "$(c2_asked | wc -l)" -ge "$1" ]; }
wait_for "c2's API asked twice (503, then 503 Retry-After: 30)" 20 c2_asked_n 2
t2=$(c2_asked | sed -n 2p | cut -d' ' -f1)
wait_for "c2's first run failed" 10 matches 'msg="run failed" stream=c2 ' "$FOLLOW_LOG"
grep 'msg="run failed" stream=c2 ' "$FOLLOW_LOG" | head -n1 | cut -c1-400
# a few passes of the other streams
r0=$(grep -c 'msg="run completed" stream=customers ' "$FOLLOW_LOG")
more_runs() { [ "$(grep -c 'msg="run completed" stream=customers ' "$FOLLOW_LOG")" -ge $((r0 + 5)) ]; }
wait_for "five more passes" 30 more_runs
c2_asked | cat
n=$(c2_asked | awk -v t="$t2" '$1 > t' | wc -l)
log "requests to c2's API after its Retry-After: 30 answer, within about 5 s: $n"
matches 'msg="the stream.s API asked to wait: the stream sits out the passes until then" stream=c2 ' \
    "$FOLLOW_LOG" || log "no sit-out warning for c2"
assert_eq 0 "$n" "requests to c2's API within its Retry-After: 30"
follow_stop 15
log "ok"
