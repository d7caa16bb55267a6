#!/usr/bin/env bash
# t_multi_follow_one_busy: a follow-mode producer with three streams,
# poll.interval = 1s. Stream c2's API is busy: its first answer is a 503
# with Retry-After: 0 (retried in place: a short wait, the warning names
# the stream), every later one a 503 with Retry-After: 30 (within
# retry.max_wait, 5m by default; max.retries 8 by default), until it
# recovers. customers and c3 have a healthy API.
#  - c2's run fails at once ("retry deferred") and c2 sits out the passes
#    until its Retry-After is over: its API is not asked again before then;
#  - customers and c3 complete a run every pass meanwhile, and a change
#    there is published within a few poll intervals;
#  - /readyz says c2's last run failed, /metrics counts its failed runs;
#  - once c2's API recovers, c2's next run (after the 30 s) completes, its
#    topic has its records and /readyz is 200 again.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"
. "$(dirname "$0")/metrics_lib.sh"

cat >"$T_WORK/busy.py" <<'PY'
rec = gold_customer

# POST /admin/recover: from then on the API answers.
def handle(req):
    if req.path == "/admin/recover":
        req.state["ok"] = True
        return 200, [], "{}"
    n = req.state["n"] = req.state.get("n", 0) + 1
    if not req.state.get("ok"):
        return 503, [("Retry-After", "0" if n == 1 else "30")], '{"error": "busy"}'
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    return page_of(req, [rec(i) for i in range(1, 6)])
PY
addr="127.0.0.1:$(free_port)"
start_c2_beside_demo "$T_WORK/busy.py" "producer: poll.interval = 1s" "producer: metrics.listen = $addr"
busy=$c2url
add_stream c3
follow_start

# c2_asked: the times (epoch s) c2's API was asked, one a line; and the
# status it answered, "T STATUS"
c2_asked() { jq -r 'select(.path | startswith("/customers")) | "\(.t) \(.status)"' "$HOSTILE_LOG"; }
runs_of() { grep -c "msg=\"run completed\" stream=$1 " "$FOLLOW_LOG"; }

c2_asked_twice() { [ "$(c2_asked | wc -l)" -ge 2 ]; }
wait_for "customers' first run" 20 matches 'msg="run completed" stream=customers ' "$FOLLOW_LOG"
wait_for "c2's API asked twice (503, Retry-After: 0, then 30)" 20 c2_asked_twice
t503=$(c2_asked | awk '$2 == 503 { t = $1 } END { print t }')

# customers and c3 go on every pass; a change there is published soon
api_post "/admin/update?ids=1,2" >/dev/null || fail "admin update"
published_again() { grep 'msg="run completed" stream=customers ' "$FOLLOW_LOG" | matches -v 'published=10 '; }
wait_for "customers' change published within a few poll intervals" 8 published_again
c1=$(runs_of customers) c3=$(runs_of c3)
sleep 15
c1=$(($(runs_of customers) - c1)) c3=$(($(runs_of c3) - c3))
log "in 15 s while c2 waits: customers runs completed: $c1, c3 runs completed: $c3"
[ "$c1" -ge 6 ] || fail "customers completed $c1 runs in 15 s at poll.interval = 1s"
[ "$c3" -ge 6 ] || fail "c3 completed $c3 runs in 15 s at poll.interval = 1s"
assert_eq "2" "$(c2_asked | wc -l)" "requests to c2's API before its Retry-After: 30 is over"

# the log says why c2's run failed, and that c2 sits out the passes
grep 'msg="run failed" stream=c2 ' "$FOLLOW_LOG" | head -n1 | matches 'error=.*HTTP status 503 (retry deferred' ||
    fail "c2's failed run does not say its retry was deferred"
grep -q 'msg="http request failed, retrying" stream=c2 .*HTTP status 503.* wait_source=backoff retry_after=0' \
    "$FOLLOW_LOG" || fail "no retry warning naming stream c2 for its first 503 (Retry-After: 0)"
matches 'msg="the stream.s API asked to wait: the stream sits out the passes until then" stream=c2 until=' \
    "$FOLLOW_LOG" || fail "no warning that c2 sits out the passes"

# /readyz and /metrics name c2's failed run
assert_eq 503 "$(http_code "http://$addr/readyz")" "/readyz while c2 waits"
assert_eq "not ready: stream c2: its last run failed" "$(curl -s --max-time 5 "http://$addr/readyz")" \
    "body of /readyz while c2 waits"
m="$T_WORK/waiting.metrics"
scrape "$addr" "$m"
assert_eq 1 "$(metric "$m" 'tidemark_producer_runs_total{stream="c2",mode="full",status="failed"}')" \
    "c2's failed runs while it waits"
assert_eq 0 "$(metric "$m" 'tidemark_producer_runs_total{stream="c2",mode="full",status="completed"}')" \
    "c2's completed runs while it waits"
assert_eq 2 "$(metric "$m" 'tidemark_http_requests_total{stream="c2",code="503"}')" "c2's 503 answers"

# c2's API recovers: c2's run after its wait completes
curl -fsS --max-time 10 -X POST "$busy/admin/recover" >/dev/null || fail "admin recover"
wait_for "c2's run completed after its wait" 30 matches 'msg="run completed" stream=c2 ' "$FOLLOW_LOG"
grep 'msg="run completed" stream=c2 ' "$FOLLOW_LOG" | head -n1 | matches 'published=5 ' ||
    fail "c2's run did not publish its 5 records"
gap=$(c2_asked | awk -v t="$t503" '$1 > t { print $1 - t; exit }')
log "c2's API asked again ${gap}s after its Retry-After: 30"
awk -v g="$gap" 'BEGIN { exit !(g >= 29.5) }' || fail "c2's API asked again ${gap}s after Retry-After: 30"
assert_eq 5 "$(topic_count "$PREFIX.c2")" "events in c2's topic"
wait_for "/readyz 200 once c2's run completed" 10 http_code_is 200 "http://$addr/readyz"
follow_stop 15
log "ok"
