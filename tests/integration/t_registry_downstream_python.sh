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
downstream_workload
downstream_consume --registry "$REGISTRY_URL" --registry-auth "tidemark:reg-S3CRET"
grep -q 'registry ids \[70000\]$' "$T_WORK/consumer.out" ||
    fail "the events do not all carry schema id 70000: $(cat "$T_WORK/consumer.out")"
jq -e -s 'any(.method == "GET" and .path == "/schemas/ids/70000" and .auth)' "$REGISTRY_LOG" >/dev/null ||
    fail "the consumer did not fetch schema 70000 from the registry"
log "ok"
