#!/usr/bin/env bash
# t_kafka_dlq_compacted: <prefix>.dlq was created compacted
# (cleanup.policy=compact, as the stream topics and sync-runs are). A
# stranger's message on the stream topic, with no key and a value that is
# not an event, is dead-lettered with no key, as it came; a compacted
# topic refuses a message without a key, and the broker says only "Broker
# failed to validate record". The worker must retry the batch (never skip
# the dead letter) and say the likely cause; once the topic is set to
# cleanup.policy=delete, the dead letter goes through and the run
# completes. (The producer's delivery reports give the same words.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def init(state, argv):
    state["records"] = [customer(i, "2026-01-01T00:00:%02d.000Z" % i) for i in range(1, 31)]

def handle(req):
    return page_of(req, req.state["records"])
PY
start_broker --topic "$PREFIX.dlq:1:compact"
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
first_sync
topic="$PREFIX.$STREAM"
hint="compacted topic? the dead-letter topic must not be compacted"

printf 'not an event' >"$T_WORK/poison.bin"
kc -P -t "$topic" -p 0 "$T_WORK/poison.bin" || fail "kcat produce"
wait_for "the batch retried, naming the likely cause" 60 \
    matches "batch rolled back; retrying.*$hint" "$T_WORK/worker-w1.log"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters on the compacted topic"

kafka_tool configs --alter --entity-type topics --entity-name "$PREFIX.dlq" \
    --add-config cleanup.policy=delete >/dev/null || fail "could not alter $PREFIX.dlq"
one_dead_letter() { [ "$(topic_count "$PREFIX.dlq")" = 1 ]; }
wait_for "the dead letter delivered" 60 one_dead_letter
wait_caught_up 60
assert_table_equals_api
stop_worker
log "ok"
