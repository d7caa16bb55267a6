#!/usr/bin/env bash
# t_deleted_undated_after_revival: record 2 was hidden during a full run
# (vanished, deleted), then served again unchanged and revived by the next
# full run: its upsert went out at the run's start, past its own (old)
# cursor. Later the HWM moves past that revival (record 5 changes), and the
# deleted endpoint, which lists bare ids and keeps listing ids it restored,
# lists 2 (deleted and restored from a backup, unchanged). The API still
# serves 2. The run asks the topic, finds 2's upsert older than the walk's
# start, and walks the records again from that upsert's source_ts to see
# whether 2 lives: but that is the revival's mark, not 2's cursor, so the
# walk never serves 2, and its deletion goes out.
# Expected: the deletion is stale (the API serves 2): 2 stays live.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_revival_api
revive_two
api_post "/admin/touch?id=5" >/dev/null || fail "admin touch"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_listed_two_stays_live
log "ok"
