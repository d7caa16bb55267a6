#!/usr/bin/env bash
# t_registry_downstream_python: with [schema_registry], a downstream
# consumer built on confluent-kafka's SchemaRegistryClient and
# AvroDeserializer (from PyPI: `make pydeps`), pointed at the same
# registry with its own credentials, decodes every event of the stream
# topic -- a first sync, then updates, creates, hard and soft deletes --
# and the latest event per key equals the API
# (fixtures/downstream_consumer.py --registry). Skipped, with the reason,
# when the venv could not be made (no PyPI).
. "$(dirname "$0")/lib.sh"

need_pyvenv confluent_kafka.schema_registry.avro
start_broker
start_registry --basic-auth "tidemark:reg-S3CRET" --first-id 70000
start_demoapi --records 300
write_config "schema_registry: url = $REGISTRY_URL" \
    "schema_registry: basic.auth.user.info = tidemark:reg-S3CRET"
topic="$PREFIX.$STREAM"

"$BUILD/tidemark-producer" -c "$CONF" schema --stream "$STREAM" >"$T_WORK/customer-event.avsc" ||
    fail "tidemark-producer schema --stream $STREAM failed"

run_producer_once
api_post "/admin/update?ids=3,30,130" >/dev/null || fail "admin update"
api_post "/admin/create?count=4" >/dev/null || fail "admin create"
api_post "/admin/delete?ids=7,77,177" >/dev/null || fail "admin delete"
api_post "/admin/soft-delete?ids=8,88" >/dev/null || fail "admin soft-delete"
run_producer_once
assert_eq 5 "$(last_run_field deletes)" "delete events of the second run"

"$PYVENV" "$REPO/tests/integration/fixtures/downstream_consumer.py" --bootstrap "$BOOTSTRAP" \
    --topic "$topic" --schema "$T_WORK/customer-event.avsc" --api "$API_URL" \
    --registry "$REGISTRY_URL" --registry-auth "tidemark:reg-S3CRET" \
    >"$T_WORK/consumer.out" 2>"$T_WORK/consumer.log" || {
    cat "$T_WORK/consumer.log" >&2
    fail "the downstream consumer found differences (above)"
}
log "$(cat "$T_WORK/consumer.out")"
# 300 + 4 created; 3 updated; 5 deletes, each with a tombstone; one id.
grep -q '^ok: 317 messages (307 upserts, 5 deletes, 5 tombstones); 299 live and 5 deleted ids .*; registry ids \[70000\]$' \
    "$T_WORK/consumer.out" || fail "unexpected counts: $(cat "$T_WORK/consumer.out")"
jq -e -s 'any(.method == "GET" and .path == "/schemas/ids/70000" and .auth)' "$REGISTRY_LOG" >/dev/null ||
    fail "the consumer did not fetch schema 70000 from the registry"
log "ok"
