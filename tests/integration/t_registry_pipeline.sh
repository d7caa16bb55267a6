#!/usr/bin/env bash
# t_registry_pipeline: the whole pipeline with a Schema Registry, on both
# brokers. The producer registers its schema and writes 00 + id; the
# worker, with the same [schema_registry], looks the id up once and
# applies every event: after a first sync, then updates, creates, hard
# and soft deletes, the table equals the API, nothing is dead-lettered,
# every event on the topic is Confluent-framed, and the worker asked the
# registry for the id exactly once.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_registry --basic-auth "tidemark:pipe-S3CRET" --first-id 4242
start_demoapi --records 150
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:pipe-S3CRET"
topic="$PREFIX.$STREAM"

first_sync
assert_table_equals_api
api_post "/admin/update?ids=3,30,130" >/dev/null || fail "admin update"
api_post "/admin/create?count=5" >/dev/null || fail "admin create"
api_post "/admin/delete?ids=7,77" >/dev/null || fail "admin delete"
api_post "/admin/soft-delete?ids=8,88" >/dev/null || fail "admin soft-delete"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api

assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
heads=$(topic_value_heads "$topic")
others=$(grep -v -x -e 0000001092 -e - <<<"$heads" | sort | uniq -c)
[ -z "$others" ] || fail "events that are not 00 + id 4242 (first bytes, counted): $others"
lookups=$(jq -r 'select(.method == "GET" and .path == "/schemas/ids/4242") | .status' "$REGISTRY_LOG")
assert_eq 200 "$lookups" "the worker's lookups of id 4242 (one, answered 200)"
stop_worker
log "ok"
