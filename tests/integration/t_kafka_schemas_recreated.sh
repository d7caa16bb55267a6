#!/usr/bin/env bash
# t_kafka_schemas_recreated: <prefix>.schemas is deleted and created again
# (compacted, as the README asks: an operator fixing a topic the broker
# auto-created without compaction) under a running worker. The producer
# publishes its schema again at the start of every run, so the new topic
# holds the new schema at offset 0. The worker remembered how far it read
# the OLD topic (offset 3 here: three runs published the schema) and read
# the topic again only from there, so it never saw the new topic's first
# messages: a schema gaining a nullable field then made every event
# written with it "unknown" and dead-lettered, instead of applied with the
# new field dropped (README, Schema evolution). A partition whose end lies
# below what was read is now read again from its start.
# (Found by helper 130.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

V1="$T_WORK/customer-v1.avsc"
jq '.fields |= map(select(.name != "phone"))' "$REPO/schemas/customer.avsc" >"$V1"
topic="$PREFIX.$STREAM"
start_devbroker
start_demoapi --records 30
SCHEMA=$V1 write_config
run_producer_once
run_producer_once
first_sync
wait_caught_up 30
log "schema messages on the old topic: $(topic_count "$PREFIX.schemas")"

kafka_admin delete "$PREFIX.schemas"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$PREFIX.schemas" 1 cleanup.policy=compact >/dev/null 2>&1; }
wait_for "$PREFIX.schemas created again" 30 recreate

write_config # v2: phone added (the producer only; the worker runs on)
api_post "/admin/update?ids=1,2,3,4,5" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
log "schema messages on the new topic: $(topic_count "$PREFIX.schemas")"
wait_run_completed "$run" 60
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
# the columns before phone (the table has none) equal the API
api_records_tsv | cut -f1-6 >"$T_WORK/a.tsv"
psql_value "copy (select id::text, name, email, country, balance::text, tier from $TABLE
            where not _deleted) to stdout" | _norm_balance | LC_ALL=C sort >"$T_WORK/t.tsv"
cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || { _show_diff rows "$T_WORK/a.tsv" "$T_WORK/t.tsv"; fail "table differs from the API"; }
stop_worker
log "ok"
