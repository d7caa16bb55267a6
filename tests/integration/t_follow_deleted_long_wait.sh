#!/usr/bin/env bash
# t_follow_deleted_long_wait: three streams, poll.interval = 1s; c2's
# records endpoint is healthy, its deleted endpoint (on the records'
# origin) answers every request 503 with Retry-After: 2, longer than a
# stream's turn; max.retries = 2. Follow mode honours each wait: the run
# ends there and c2 sits out. But a deleted endpoint that never recovers
# stopped c2's records for good: record 6 was never published, while
# run --once, after its retries, fails the deleted endpoint for good and
# reads the records. After max.retries runs in a row that the deleted
# endpoint ended so, the next one treats it as failed for good: the
# records are read and the run fails with the deleted endpoint's error,
# as under --once; the API is still not asked before each wait is over.
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

write_c2_deleted_busy 2
start_c2_beside_demo "$T_WORK/c2.py" "producer: poll.interval = 1s"
grep -q "^deleted.url = $c2url/customers/deleted" "$CONF" || fail "c2's deleted.url is not on the records' origin"
echo "max.retries = 2" >>"$CONF"
add_stream c3
curl -fsS --max-time 10 -X POST "$c2url/admin/add" >/dev/null || fail "admin add"
follow_start
c2_events() { [ "$(topic_count "$PREFIX.c2")" -ge 6 ]; }
rc=0
wait_for "c2's 6 records published in follow mode" 40 c2_events || rc=1
grep -E 'stream=c2 ' "$FOLLOW_LOG" | grep -E 'run failed|sits out' | head -6 | cut -c1-300 >&2
follow_stop 15
[ "$rc" = 0 ] || fail "c2's records stalled behind its deleted endpoint"
# every request to the deleted endpoint came after the wait it was asked for
python3 - "$HOSTILE_LOG" <<'PY' || fail "the deleted endpoint was asked again before its Retry-After"
import json, sys
ts = [json.loads(l)["t"] for l in open(sys.argv[1]) if '"/customers/deleted"' in l]
gaps = [b - a for a, b in zip(ts, ts[1:])]
print("deleted endpoint asked %d times, smallest gap %.2f s" % (len(ts), min(gaps) if gaps else -1))
sys.exit(0 if all(g >= 1.9 for g in gaps) else 1)
PY
log "ok"
