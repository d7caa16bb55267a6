#!/usr/bin/env bash
# t_follow_deleted_same_origin_busy: three streams, poll.interval = 3s; c2's
# records endpoint is healthy, its deleted endpoint (same origin) answers
# every request 503 with Retry-After: 1 (well within a stream's turn);
# max.retries = 2. run --once: the deleted endpoint fails for good and
# the records go on (README). In follow mode the same stream must go on
# too: its waits (1 s, 1 s) fit its turn; yet the last retry's
# Retry-After is now "deferred", and a deferral from the records' own
# origin ends every run before the records walk: record 6 never comes.
# (Found by helper 126.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

write_c2_deleted_busy 1
start_c2_beside_demo "$T_WORK/c2.py" "producer: poll.interval = 3s"
grep -q "^deleted.url = $c2url/customers/deleted" "$CONF" || fail "c2's deleted.url is not on the records' origin"
echo "max.retries = 2" >>"$CONF"
add_stream c3
run_producer_once_rc 1 --stream c2
assert_eq 5 "$(topic_count "$PREFIX.c2")" "c2's events after run --once (its deleted endpoint failed for good)"
curl -fsS --max-time 10 -X POST "$c2url/admin/add" >/dev/null || fail "admin add"
follow_start
c2_events() { [ "$(topic_count "$PREFIX.c2")" -ge 6 ]; }
rc=0
wait_for "record 6 of c2 published in follow mode" 40 c2_events || rc=1
grep -E 'stream=c2 ' "$FOLLOW_LOG" | grep -E 'run failed|sits out' | head -4 | cut -c1-400 >&2
follow_stop 15
[ "$rc" = 0 ] || fail "c2 stalled"
log "ok"
