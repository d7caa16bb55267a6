#!/usr/bin/env bash
# t_registry_outage: the schema registry's outages at the producer's start.
#  (a) down for longer than the client's retries (503 on every request):
#      `run --once` exits 1 with a clear error and writes no event, after
#      one stream's retries (a second stream is not asked: it would only
#      wait them out again);
#  (b) a slow answer (past the registry's timeout), then two 503s: retried
#      with backoff, the run completes, every event framed 00 + the id;
#  (c) follow mode, down through the start and the first pass: that run
#      fails without writing an event, the next pass registers and
#      publishes.
# A refusal after an outage: t_registry_refused_late.
# long
. "$(dirname "$0")/lib.sh"

start_broker
start_registry --first-id 5
start_demoapi --records 20
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 1s" \
    "producer: poll.interval = 1s"
topic="$PREFIX.$STREAM"

heads_all_framed()
{
    local heads
    heads=$(topic_value_heads "$topic")
    ! grep -v -x -e 0000000005 -e - <<<"$heads" | matches . ||
        fail "events on $topic not framed 00 + id 5: $(grep -v -x -e 0000000005 -e - <<<"$heads" | sort -u | head -n 3)"
}

# ---- (a) with a second stream
cp "$CONF" "$T_WORK/one-stream.conf"
sed -n "/^\[stream $STREAM\]/,\$p" "$CONF" |
    sed "s/^\[stream $STREAM\]/[stream other]/; s/^table = .*/table = other/" >>"$CONF"
registry_admin "/admin/fail?status=503&count=1000" >/dev/null
run_producer_once_rc 1
assert_eq 6 "$(curl -fsS --max-time 30 "$REGISTRY_URL/admin/stats" | jq -er .failed)" \
    "registry requests (one stream's retries)"
cp "$T_WORK/one-stream.conf" "$CONF"
grep 'the schema registry is unavailable' "$PRODUCER_LAST_LOG" | matches 'HTTP status 503 (after 5 retries)' ||
    fail "no clear error for the outage: $(tail -n 3 "$PRODUCER_LAST_LOG")"
assert_eq 0 "$(topic_count "$topic")" "events written while the registry was down"
registry_admin "/admin/clear" >/dev/null

# ---- (b)
registry_admin "/admin/slow?seconds=3&count=1" >/dev/null
registry_admin "/admin/fail?status=503&count=3" >/dev/null # the slow one's too
run_producer_once
assert_eq 3 "$(grep -c 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG")" "retries"
grep -m1 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG" | matches 'timed out' ||
    fail "the first attempt did not time out"
assert_eq 20 "$(topic_count "$topic")" "events"
heads_all_framed

# ---- (c) 6 failures for the start, 6 for the first pass
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
registry_admin "/admin/fail?status=503&count=12" >/dev/null
follow_start
wait_for "a completed pass" 40 follow_passes_at_least 1
follow_stop
grep -q "cannot register the schemas yet" "$FOLLOW_LOG" || fail "no warning at start"
grep 'msg="run failed"' "$FOLLOW_LOG" | matches 'unavailable' || fail "the first pass did not fail"
assert_eq 1 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed passes"
assert_eq 22 "$(topic_count "$topic")" "events"
heads_all_framed

registry_admin "/admin/clear" >/dev/null
log "ok"
