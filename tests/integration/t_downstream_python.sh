#!/usr/bin/env bash
# t_downstream_python: a downstream consumer written with real third-party
# libraries (confluent-kafka, fastavro from PyPI: `make pydeps`) reads the
# stream topic after a first sync, updates, creates, hard and soft deletes;
# every event is single-object encoded with the fingerprint of the schema
# `tidemark-producer schema` prints, decodes with it, and the latest event
# per key equals the API (fixtures/downstream_consumer.py). Skipped, with
# the reason, when the venv could not be made (no PyPI).
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

need_pyvenv
start_broker
start_demoapi --records 300
write_config
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
    >"$T_WORK/consumer.out" 2>"$T_WORK/consumer.log" || {
    cat "$T_WORK/consumer.log" >&2
    fail "the downstream consumer found differences (above)"
}
log "$(cat "$T_WORK/consumer.out")"
# 300 + 4 created; 3 updated; 5 deletes, each with a tombstone.
grep -q '^ok: 317 messages (307 upserts, 5 deletes, 5 tombstones); 299 live and 5 deleted ids' \
    "$T_WORK/consumer.out" || fail "unexpected counts: $(cat "$T_WORK/consumer.out")"
log "ok"
