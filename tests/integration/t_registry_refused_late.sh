#!/usr/bin/env bash
# t_registry_refused_late: follow mode, the schema registry down through
# the producer's start (answers past its timeout), then refusing (409):
# the producer stops, exit 1, as a refusal at start does, instead of
# failing every pass for ever, and writes no event. (Split from
# t_registry_outage.)
. "$(dirname "$0")/lib.sh"

start_broker
start_registry --first-id 5
start_demoapi --records 20
write_config "schema_registry: url = $REGISTRY_URL" "schema_registry: timeout = 1s" \
    "producer: poll.interval = 1s"
topic="$PREFIX.$STREAM"

# 6 answers past the timeout for the start, then 409s
registry_admin "/admin/slow?seconds=3&count=6" >/dev/null
registry_admin "/admin/fail?status=409&count=1000" >/dev/null
follow_start refused
wait_for "the follow-mode producer to stop on the refusal" 60 _follow_exited
rc=0
wait "$FOLLOW_PID" || rc=$?
assert_eq 1 "$rc" "exit status of the follow-mode producer after a refusal"
grep -q "cannot register the schemas yet" "$FOLLOW_LOG" || fail "no warning at start"
grep -q "the schema registry refused a stream's schema" "$FOLLOW_LOG" ||
    fail "no refusal line: $(tail -n 3 "$FOLLOW_LOG")"
assert_eq 1 "$(grep -c 'msg="run failed"' "$FOLLOW_LOG")" "failed passes before the stop"
assert_eq 0 "$(topic_count "$topic")" "events"
log "ok"
