#!/usr/bin/env bash
# t_registry_mixed_topic: a stream topic that holds both framings -- events
# in single-object encoding from before [schema_registry] was configured,
# 00 + id after -- is read back by the producer as one: the late-delete
# check (keylatest: the topic's latest word on an id) sees a restore
# published 00-framed and drops the stale delete (as
# t_restore_after_delete (b) does on one framing), a delete of an id whose
# latest event is single-object encoded goes out, and a full run
# reconciles over both.
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 40
write_config
topic="$PREFIX.$STREAM"

run_producer_once # single-object encoding
start_registry --first-id 9
api_post "/admin/delete?ids=10,11" >/dev/null || fail "admin delete"
api_post "/admin/restore?ids=10" >/dev/null || fail "admin restore"
api_post "/admin/update?ids=20" >/dev/null || fail "admin update"
# the restore of 10 goes out 00-framed by a run that does not read the
# deleted endpoint; the next run reads the deletions late, below the HWM
write_config "schema_registry: url = $REGISTRY_URL" "stream: -deleted.url"
run_producer_once
write_config "schema_registry: url = $REGISTRY_URL"
run_producer_once
assert_eq 1 "$(last_run_field stale_deletes)" "deletions found stale (10, restored 00-framed)"
assert_eq 1 "$(last_run_field deletes)" "deletions published (11, last seen single-object)"
assert_topic_matches_api "after the late deletions"

heads=$(topic_value_heads "$topic")
assert_eq 40 "$(grep -c '^c301' <<<"$heads")" "single-object encoded events"
assert_eq 3 "$(grep -c -x '0000000009' <<<"$heads")" "00-framed events (10, 20, the delete of 11)"

run_producer_once --full
assert_eq 0 "$(last_run_field deletes)" "deletions by a full run over both framings"
assert_topic_matches_api "after a full run"
log "ok"
