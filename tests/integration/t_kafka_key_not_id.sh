#!/usr/bin/env bash
# t_kafka_key_not_id: a stranger puts on the stream topic a copy of the
# producer's own event of record 5 (same bytes, envelope id "5"), keyed
# "05" (a loader that pads its keys). The worker reads "05" and "5" as one
# row of the integer id column (idkey.h), and the copy changes nothing.
# The next full run's reconciliation scan went by the Kafka key as it
# was: "05" was live in Kafka and the API served no "05", so the run
# published a delete of "05" as vanished, which the worker read as id 5:
# row 5, still served, was deleted, and no later run published it again.
# The scan now reads keys as the worker reads ids.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_broker
start_demoapi --records 30
write_config
first_sync
copy_event_as 5 05
wait_caught_up 60
assert_table_equals_api

run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "records the full run found vanished"
assert_eq 0 "$(last_run_field deletes)" "deletes the full run published"
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker
log "ok"
