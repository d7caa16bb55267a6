#!/usr/bin/env bash
# t_kafka_key_not_id_compacted: t_kafka_key_not_id's stranger copy of
# record 5's event keyed "05", on a compacted topic. Record 5 is then
# deleted at the API; the full run publishes its delete and tombstone
# keyed "5". Since reconciliation reads "05" as id 5, nothing was
# published under "05": its copy stayed the latest message of its key for
# good, while the cleaner removed every message keyed "5" once
# delete.retention.ms had passed, and a new consumer group (a rebuild, as
# the README's Compaction section describes) had row 5 live, a record the
# API deleted. The full run now tombstones such a key once the walk does
# not serve its id. (A second reading found this in ad94d85.)
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_broker --topic "$topic:1:compact" --topic-config "$topic:delete.retention.ms=100"
start_demoapi --records 30
write_config
first_sync
copy_event_as 5 05
wait_caught_up 60
assert_table_equals_api

api_post "/admin/delete?ids=5" >/dev/null || fail "admin delete"
run_producer_once --full
matches 'msg="tombstone for a key written apart from its id.s text".*key=05' "$PRODUCER_LAST_LOG" ||
    fail "the full run did not tombstone the key 05"
wait_caught_up 60
assert_table_equals_api
stop_worker

keys_of() { kc -C -t "$topic" -e -f '%k\n' | grep -cx "$1"; }
no_key_5() { [ "$(keys_of 5)" = 0 ]; }
wait_compacted 60 "the cleaner to remove every message keyed 5" no_key_5
log "compacted after $COMPACT_APPENDS runs: messages keyed 05 left: $(keys_of 05)"

assert_rebuild_live_rows
log "ok"
