#!/usr/bin/env bash
# t_follow_deleted_ra_overwritten: three streams, poll.interval = 1s. c2's
# deleted endpoint, on another origin (localhost), answers every request
# 503 Retry-After: 10; its records endpoint answers 503 Retry-After: 2.
# README: the stream "sits out the passes until the wait is over. Its API
# is not asked again before then". The deleted endpoint's wait is
# deferred (10 s), the records are asked all the same, and their wait (2 s)
# is deferred too: it overwrites the client's retry_due, so the stream
# sits out only 2 s and the deleted endpoint is asked again ~8 s before
# the end of the wait it asked for.
# (Found by helper 126.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

cat >"$T_WORK/c2.py" <<'PY'
def handle(req):
    if req.path == "/customers/deleted":
        return 503, [("Retry-After", "10")], '{"error": "busy"}'
    return 503, [("Retry-After", "2")], '{"error": "busy"}'
PY
start_c2_beside_demo "$T_WORK/c2.py" "producer: poll.interval = 1s"
move_c2_deleted_elsewhere
add_stream c3
follow_start
deleted_asked() { [ "$(grep -c '"path": "/customers/deleted"' "$HOSTILE_LOG")" -ge "$1" ]; }
wait_for "c2's deleted endpoint asked" 20 deleted_asked 1
wait_for "c2's deleted endpoint asked a second time" 15 deleted_asked 2
follow_stop 15
grep 'stream=c2 ' "$FOLLOW_LOG" | grep -E 'sits out|run failed' | head -4 | cut -c1-300 >&2
python3 - "$HOSTILE_LOG" <<'PYC' || fail "c2's deleted endpoint was asked again before the end of its Retry-After"
import json, sys
ts = [json.loads(l)["t"] for l in open(sys.argv[1]) if '"/customers/deleted"' in l]
gaps = [round(b - a, 2) for a, b in zip(ts, ts[1:])]
print("deleted endpoint requests:", len(ts), "gaps (s):", gaps, file=sys.stderr)
sys.exit(1 if any(g < 9.5 for g in gaps) else 0)
PYC
log "ok"
