#!/usr/bin/env bash
# t_kafka_stream_added: a stream added to a live pipeline, as the README
# has it: the configuration edited, the worker restarted before the new
# stream's first run, on a cluster that creates a topic on its first
# produce. The worker subscribed to a topic that did not exist yet and
# looked for it again only at librdkafka's next metadata refresh, five
# minutes later: the new stream's first run stayed `running` that long.
# The worker now refreshes every 10 s: the run completes within 30 s.
# (The mock broker has every topic at once: real Kafka only.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 20
write_config
first_sync
add_stream_copy "${STREAM}2" "s|^table = .*|table = ${STREAM}2|"
stop_worker
start_worker
has_table() { [ "$(psql_value "select to_regclass('${STREAM}2') is not null")" = t ]; }
wait_for "the new stream's table" 30 has_table
run_producer_once
wait_run_completed_or_stop "$(last_run_field run_id "${STREAM}2")" 30
TABLE=${STREAM}2 assert_table_equals_api
assert_table_equals_api
stop_worker
log "ok"
