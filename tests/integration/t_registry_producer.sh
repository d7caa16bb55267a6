#!/usr/bin/env bash
# t_registry_producer: with [schema_registry] the producer registers its
# stream's change-event schema (POST /subjects/<topic>-value/versions,
# content type application/vnd.schemaregistry.v1+json, HTTP Basic from
# basic.auth.user.info) and writes every event as 00 + the registry's id,
# big-endian (--first-id 70000 = 00 01 11 70). A second process registers
# again and gets the same id; a follow-mode process registers once for all
# its passes; under subject.name.strategy = topic_record the subject is
# <topic>-<the change event's full name>. The secret never reaches a log.
. "$(dirname "$0")/lib.sh"

start_broker
start_registry --basic-auth "tidemark:reg-S3CRET" --first-id 70000
start_demoapi --records 40
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:reg-S3CRET" \
    "producer: poll.interval = 1s"
topic="$PREFIX.$STREAM"
subject="$topic-value"

# registrations: "PATH STATUS" of each POST the registry answered
registrations() { jq -r 'select(.method == "POST") | "\(.path) \(.status)"' "$REGISTRY_LOG"; }

topic_holds() { [ "$(topic_count "$topic")" -ge "$1" ]; }

# assert_all_framed N - the topic holds N messages, each an event that
# starts 00 00 01 11 70, or a tombstone.
assert_all_framed()
{
    local heads
    heads=$(topic_value_heads "$topic")
    assert_eq "$1" "$(wc -l <<<"$heads")" "messages on $topic"
    if grep -v -x -e 0000011170 -e - <<<"$heads" | matches .; then
        grep -v -x -e 0000011170 -e - <<<"$heads" | sort | uniq -c >&2
        fail "events on $topic that are not 00 + id 70000 (above: their first bytes, counted)"
    fi
    log "all $1 messages of $topic are 00 + id 70000 (or tombstones)"
}

run_producer_once
assert_all_framed 40
assert_eq "/subjects/$subject/versions 200" "$(registrations)" "the registration"
jq -e -s 'map(select(.method == "POST"))[0] |
    .content_type == "application/vnd.schemaregistry.v1+json" and .auth == true' \
    "$REGISTRY_LOG" >/dev/null || fail "the registration's content type or auth: $(cat "$REGISTRY_LOG")"
grep -q 'msg="schema registered".*id=70000' "$PRODUCER_LAST_LOG" || fail "no 'schema registered' line"

# A second process: registers again, the same schema gets the same id.
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=5" >/dev/null || fail "admin delete"
run_producer_once
assert_all_framed 44 # 2 updates, a delete and its tombstone
assert_eq 2 "$(registrations | grep -c " 200$")" "registrations after two processes"
assert_eq 1 "$(curl -fsS "$REGISTRY_URL/admin/stats" | jq .schemas)" "schemas in the registry"

# Follow mode: one registration for all its passes.
follow_start
wait_for "three passes of the follow-mode producer" 30 follow_passes_at_least 3
api_post "/admin/update?ids=6" >/dev/null || fail "admin update"
wait_for "the update on $topic" 20 topic_holds 45
follow_stop
assert_all_framed 45
assert_eq 3 "$(registrations | grep -c " 200$")" "registrations after a follow-mode process"

# topic_record: the subject names the change event's record.
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:reg-S3CRET" \
    "schema_registry: subject.name.strategy = topic_record"
api_post "/admin/update?ids=7" >/dev/null || fail "admin update"
run_producer_once
assert_eq "/subjects/$topic-io.tidemark.demo.CustomerChangeEvent/versions 200" \
    "$(registrations | tail -n1)" "the topic_record subject"
assert_all_framed 46 # the schema's id is global: the same 70000 under the new subject

! grep -q 'reg-S3CRET' "$T_WORK"/producer.log "$T_WORK"/follow.log ||
    fail "the registry's secret is in a producer log"
log "ok"
