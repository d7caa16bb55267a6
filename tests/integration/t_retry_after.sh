#!/usr/bin/env bash
# t_retry_after: a busy API says when to come back (tests/hostileapi).
#  run 1: 429 with Retry-After: 2 -> the retry comes no earlier than 2 s
#         later (not after the 200 ms backoff), the run completes;
#  run 2: 503 with Retry-After as an HTTP-date 3 s ahead -> the retry waits
#         for that date; then a 408 (retried, with the backoff);
#  run 3: retry.max_wait = 1s and a 429 asking for a day -> the retry
#         comes after about 1 s and the log says the wait was capped.
# Each wait is logged with its length and source.
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF'
import email.utils
import time

def rec(i):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": "gold", "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % i}

# POST /admin/fault?status=S[&retry_after=V|&retry_after_in=SECONDS] queues
# an answer for the next request to /customers.
def handle(req):
    faults = req.state.setdefault("faults", [])
    if req.path == "/admin/fault":
        faults.append(dict(req.query))
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    if faults:
        f = faults.pop(0)
        headers = []
        if "retry_after" in f:
            headers.append(("Retry-After", f["retry_after"]))
        if "retry_after_in" in f:
            when = int(time.time()) + int(f["retry_after_in"])
            headers.append(("Retry-After", email.utils.formatdate(when, usegmt=True)))
        return int(f["status"]), headers, '{"error": "injected"}'
    return page_of(req, [rec(i) for i in range(1, 11)])
EOF

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config

# gap_after STATUS: seconds from the last request to /customers answered
# STATUS to the request after it (the retry).
gap_after()
{
    jq -s -r --argjson s "$1" '[.[] | select(.path == "/customers")] as $r
        | ([range(0; $r | length) | select($r[.].status == $s)] | last) as $i
        | $r[$i + 1].t - $r[$i].t' "$HOSTILE_LOG"
}
fault() { api_post "/admin/fault?$1" >/dev/null || fail "could not queue fault $1"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

fault "status=429&retry_after=2"
run_producer_once
assert_eq 10 "$(last_run_field published)" "events published by run 1"
g=$(gap_after 429)
log "429 with Retry-After: 2 -> retried after ${g}s"
ge "$g" 1.95 || fail "the retry after 'Retry-After: 2' came after ${g}s"
grep -q 'msg="http request failed, retrying".*HTTP status 429.* wait_ms=2000 wait_source=retry-after ' \
    "$PRODUCER_LAST_LOG" || fail "no retry warning with wait_ms=2000 wait_source=retry-after"

fault "status=503&retry_after_in=3"
fault "status=408"
run_producer_once
assert_eq completed "$(last_run_record | jq -r .status)" "status of run 2"
g=$(gap_after 503)
log "503 with an HTTP-date 3 s ahead -> retried after ${g}s"
ge "$g" 1.9 || fail "the retry after a Retry-After date ~3 s ahead came after ${g}s"
grep -q 'HTTP status 503.* wait_source=retry-after ' "$PRODUCER_LAST_LOG" ||
    fail "no retry warning for the 503 with wait_source=retry-after"
grep -q 'HTTP status 408.* wait_ms=[0-9]* wait_source=backoff' "$PRODUCER_LAST_LOG" ||
    fail "the 408 was not retried with the backoff"

write_config "stream: retry.max_wait = 1s"
fault "status=429&retry_after=86400"
run_producer_once
g=$(gap_after 429)
log "429 with Retry-After: 86400, retry.max_wait = 1s -> retried after ${g}s"
ge "$g" 0.95 || fail "the capped retry came after ${g}s (want ~1 s)"
ge 10 "$g" || fail "the capped retry came after ${g}s: retry.max_wait = 1s was not applied"
grep -q 'HTTP status 429.* wait_ms=1000 wait_source=retry-after-capped retry_after=86400' \
    "$PRODUCER_LAST_LOG" || fail "no retry warning saying the wait was capped"
assert_eq "429 503 408 429" \
    "$(jq -s -r '[.[] | select(.path == "/customers" and .status != 200) | .status] | join(" ")' \
        "$HOSTILE_LOG")" "faulted answers, in order, each retried once"
log "ok"
