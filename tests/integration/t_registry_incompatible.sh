#!/usr/bin/env bash
# t_registry_incompatible: a schema registry that refuses the stream's
# change-event schema stops the producer at start, exit 1, before any
# event: 409 when the subject already holds a schema that ours cannot read
# under BACKWARD compatibility (stderr names the subject and the
# registry's message), in --once and in follow mode; 401 with the wrong
# basic.auth.user.info (the secret stays out of the log). The stream topic
# and <prefix>.schemas hold nothing afterwards, and no run was recorded.
. "$(dirname "$0")/lib.sh"

start_broker
start_registry --basic-auth "tidemark:reg-S3CRET"
start_demoapi --records 20
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:reg-S3CRET"
topic="$PREFIX.$STREAM"
subject="$topic-value"

# Another schema under the subject first: ours lacks defaults for its
# fields, so it cannot read what that one wrote.
other='{"type":"record","name":"CustomerChangeEvent","namespace":"io.tidemark.demo","fields":[{"name":"legacy","type":"string"}]}'
jq -n --arg s "$other" '{schema: $s}' |
    curl -fsS --max-time 30 -u "tidemark:reg-S3CRET" -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
        --data-binary @- "$REGISTRY_URL/subjects/$subject/versions" >/dev/null ||
    fail "could not register the other schema"

assert_refused()
{
    grep -q "the schema registry refused a stream's schema" "$PRODUCER_LAST_LOG" ||
        fail "no refusal line in $PRODUCER_LAST_LOG"
    grep "refused" "$PRODUCER_LAST_LOG" | matches -F "subject '$subject'" ||
        fail "the refusal does not name the subject $subject"
    grep "refused" "$PRODUCER_LAST_LOG" | matches -F "$1" ||
        fail "the refusal does not hold the registry's message '$1'"
    ! grep -q 'msg="run started"' "$PRODUCER_LAST_LOG" || fail "a run started after the refusal"
}

run_producer_once_rc 1
assert_refused "HTTP 409, error_code 409: Schema being registered is incompatible with an earlier schema for subject"

# follow mode stops too, at once
PRODUCER_LAST_LOG="$T_WORK/follow.log"
follow_start
wait_for "the follow-mode producer to exit" 30 _follow_exited
wait "$FOLLOW_PID" && fail "the follow-mode producer exited 0 after the refusal"
assert_refused "Schema being registered is incompatible"

# wrong credentials: 401, the secret not shown
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:WRONG-s3cret"
run_producer_once_rc 1
assert_refused "HTTP 401, error_code 401: Unauthorized"
! grep -q -e 'WRONG-s3cret' -e 'reg-S3CRET' "$T_WORK"/producer.log "$T_WORK"/follow.log ||
    fail "a secret is in a producer log"

assert_eq 0 "$(topic_count "$topic")" "messages on $topic"
assert_eq 0 "$(topic_count "$PREFIX.schemas")" "messages on $PREFIX.schemas"
assert_eq 0 "$(topic_count "$PREFIX.sync-runs")" "run records"
log "ok"
