#!/usr/bin/env bash
# t_schema_enum_symbols: the stream's .avsc gains an enum symbol that is not
# last (tier: [bronze, silver, gold] -> [basic, bronze, silver, gold]: a new
# lowest tier). Avro resolves enums by symbol name. A backlog written with
# the old schema is then read by the worker with the new one: each old
# event's tier must stay what the API said. avro-c hands the writer's
# index on as the reader's: bronze was stored as basic, gold as silver,
# with nothing dead-lettered and the run completed.
# brokers: mock
. "$(dirname "$0")/lib.sh"

V2="$T_WORK/customer-v2.avsc"
jq '(.fields[] | select(.name == "tier") | .type.symbols) |= ["basic"] + .' \
    "$REPO/schemas/customer.avsc" >"$V2"

start_devbroker
start_demoapi --records 30
write_config
run_producer_once                 # events written with v1
run1=$(last_run_field run_id)

SCHEMA=$V2 write_config           # the user's new .avsc, for both programs
start_worker
wait_run_completed "$run1" 60
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
assert_table_equals_api
stop_worker
log "ok"
