# shellcheck shell=bash
# lib_schemas_recreated.sh - lib.sh plus the rounds of the scenarios where
# <prefix>.schemas is deleted and made again under a running worker
# (t_kafka_schemas_recreated, t_kafka_schemas_recreated_refilled,
# t_kafka_schemas_recreated_same_ends).
# Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# schemas_offsets - "offset:key " of every message of <prefix>.schemas.
schemas_offsets() { kc -C -t "$PREFIX.schemas" -e -f "%o:%k " | tr -d "\n"; }

# schemas_made_again_then_v2 REFILL_RUNS [BEFORE_REMAKE] - three producer
# runs with schema v1 (customer less phone) applied by a worker, which read
# the schemas topic to offset 3; the command BEFORE_REMAKE, if given; the
# topic deleted and made again (compacted), then REFILL_RUNS runs of the
# unchanged (v1) producer, then one with v2 (phone added: the producer
# only, the worker runs on). Its events must be applied with phone
# dropped: no dead letter but those from before the topic was made again.
schemas_made_again_then_v2()
{
    local v1="$T_WORK/customer-v1.avsc" i run dead_before
    jq '.fields |= map(select(.name != "phone"))' "$REPO/schemas/customer.avsc" >"$v1"
    start_devbroker
    start_demoapi --records 30
    SCHEMA=$v1 write_config
    run_producer_once
    run_producer_once
    first_sync
    wait_caught_up 30
    log "schema messages on the old topic: $(schemas_offsets)"
    [ -z "${2:-}" ] || "$2"
    dead_before=$(topic_count "$PREFIX.dlq")
    kafka_admin delete "$PREFIX.schemas"
    recreate() { timeout 30 "$BUILD/tidemark-kafka-admin" -b "$BOOTSTRAP" create "$PREFIX.schemas" 1 cleanup.policy=compact >/dev/null 2>&1; }
    wait_for "$PREFIX.schemas created again" 30 recreate
    SCHEMA=$v1 write_config
    for ((i = 0; i < $1; i++)); do run_producer_once; done
    write_config # v2
    api_post "/admin/update?ids=1,2,3,4,5" >/dev/null || fail "admin update"
    run_producer_once
    run=$(last_run_field run_id)
    log "schema messages on the new topic: $(schemas_offsets)"
    wait_run_completed "$run" 60
    assert_eq "$dead_before" "$(topic_count "$PREFIX.dlq")" "dead letters (those from before the topic was made again)"
    # the columns before phone (the table has none) equal the API
    api_records_tsv | cut -f1-6 >"$T_WORK/a.tsv"
    psql_value "copy (select id::text, name, email, country, balance::text, tier from $TABLE
                where not _deleted) to stdout" | _norm_balance | LC_ALL=C sort >"$T_WORK/t.tsv"
    cmp -s "$T_WORK/a.tsv" "$T_WORK/t.tsv" || { _show_diff rows "$T_WORK/a.tsv" "$T_WORK/t.tsv"; fail "table differs from the API"; }
    stop_worker
}
