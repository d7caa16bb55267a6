#!/usr/bin/env bash
# t_multi_follow_ratelimit: follow mode, two streams, poll.interval = 1s.
# c2's API is rate-limited the common way: 3 requests, then 429 with
# Retry-After: 2 (within retry.max_wait, 5m; max.retries 8), after which
# the quota is back. c2 has 10 records, 2 a page (6 requests and more a
# walk), in the API's own order (cursor.sorted = false: no progress
# checkpoint inside the walk).
# Waiting the 2 s in place (as --once and a single stream do), every run
# completes. In follow mode with 2 streams the Retry-After (2 s) is longer
# than poll.interval: the run fails with "retry deferred", and the next one
# starts the walk again from the same HWM and meets the same 429: c2 never
# completes a run, its records never published - a stuck stream.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

cat >"$T_WORK/limited.py" <<'PY'
import time
rec = gold_customer

def handle(req):
    now = time.time()
    st = req.state
    if st.get("until") and now >= st["until"]:
        st["until"] = None
        st["count"] = 0
    if st.get("until"):
        return 429, [("Retry-After", "2")], '{"error": "slow down"}'
    st["count"] = st.get("count", 0) + 1
    if st["count"] > 3:
        st["until"] = now + 2
        return 429, [("Retry-After", "2")], '{"error": "slow down"}'
    if req.path.endswith("/deleted"):
        return 200, [], '{"data": []}'
    return page_of(req, [rec(i) for i in range(1, 11)], by_id=True)
PY
start_devbroker --topic "$PREFIX.customers:4" --topic "$PREFIX.c2:4" \
    --topic "$PREFIX.sync-runs:1" --topic "$PREFIX.dlq:1" --topic "$PREFIX.schemas:1"
start_hostileapi "$T_WORK/limited.py"
limited=$API_URL
start_demoapi --records 10
write_config "producer: poll.interval = 1s" "stream: page.size = 2" "stream: cursor.sorted = false"
add_stream c2 c2 "$limited/customers"
follow_start

wait_for "customers' first run" 20 matches 'msg="run completed" stream=customers ' "$FOLLOW_LOG"
wait_for "c2's run completed (its API rate-limits with Retry-After: 2)" 40 \
    matches 'msg="run completed" stream=c2 ' "$FOLLOW_LOG"
follow_stop 15
log "ok"
