#!/usr/bin/env bash
# t_follow_deleted_busy: three streams, poll.interval = 1s; c2's records
# endpoint is healthy (5 records), its deleted endpoint, on another origin
# (localhost for 127.0.0.1), answers every request 503 with Retry-After:
# 5; c2 has max.retries = 2. README: a deleted endpoint that fails for
# good "must not make every run publish the same records again: the
# records go on and their HWM moves". run --once does so (two waits of
# 5 s, then the 5 records; exit 1). Then record 6 is added: follow mode
# deferred the deleted endpoint's wait and ended each run there, so c2's
# records stalled for ever; they are now read all the same, and the
# stream sits out. (Found by helper 125.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

write_c2_deleted_busy 5
start_c2_beside_demo "$T_WORK/c2.py" "producer: poll.interval = 1s"
move_c2_deleted_elsewhere
echo "max.retries = 2" >>"$CONF"
add_stream c3
run_producer_once_rc 1 --stream c2
grep 'msg="run failed" stream=c2 ' "$PRODUCER_LAST_LOG" | cut -c1-100
assert_eq 5 "$(topic_count "$PREFIX.c2")" "c2's events after run --once (its deleted endpoint failed for good)"
curl -fsS --max-time 10 -X POST "$c2url/admin/add" >/dev/null || fail "admin add"
follow_start
wait_for "c2 sits out" 20 matches 'msg="the stream.s API asked to wait: the stream sits out the passes until then" stream=c2 ' "$FOLLOW_LOG"
c2_events() { [ "$(topic_count "$PREFIX.c2")" -ge 6 ]; }
wait_for "record 6 of c2 published in follow mode" 40 c2_events
follow_stop 15
log "ok"
