#!/usr/bin/env bash
# t_kafka_schemas_recreated_refilled: t_kafka_schemas_recreated, but the
# new <prefix>.schemas topic holds as many messages as the worker read of
# the old one before it looks again: two runs of the unchanged producer
# (its v1 schema, known) at offsets 0 and 1, then v2 (phone added) at 2.
# The worker read the old topic to offset 3; the new one ends at 3, "an
# end below what was read" does not hold, and offsets 0..2 are never read:
# v2 stays unknown and every event written with it is dead-lettered
# (README, Schema evolution: applied with the new field dropped).
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
log "schema messages on the old topic: $(kc -C -t "$PREFIX.schemas" -e -f "%o:%k " | tr -d "\n")"

kafka_admin delete "$PREFIX.schemas"
recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$PREFIX.schemas" 1 cleanup.policy=compact >/dev/null 2>&1; }
wait_for "$PREFIX.schemas created again" 30 recreate

SCHEMA=$V1 write_config
run_producer_once
run_producer_once
log "schema messages on the new topic before v2: $(kc -C -t "$PREFIX.schemas" -e -f "%o:%k " | tr -d "\n")"
write_config # v2: phone added (the producer only; the worker runs on)
api_post "/admin/update?ids=1,2,3,4,5" >/dev/null || fail "admin update"
run_producer_once
run=$(last_run_field run_id)
log "schema messages on the new topic: $(kc -C -t "$PREFIX.schemas" -e -f "%o:%k " | tr -d "\n")"
wait_run_completed "$run" 60
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
# the columns before phone (the table has none) equal the API
api_records_tsv | cut -f1-6 >"$T_WORK/a.tsv"
psql_value "copy (select id::text, name, email, country, balance::text, tier from $TABLE
            where not _deleted) to stdout" | _norm_balance | LC_ALL=C sort >"$T_WORK/t.tsv"
cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || { _show_diff rows "$T_WORK/a.tsv" "$T_WORK/t.tsv"; fail "table differs from the API"; }
stop_worker
log "ok"
