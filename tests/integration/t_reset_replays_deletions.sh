#!/usr/bin/env bash
# t_reset_replays_deletions: PostgreSQL restored from a backup taken before
# run 2 (which deleted records 6 and 7 at the API), with run 2's events no
# longer there to replay (retention; here the group's offsets moved to
# the end, as `reset-offsets --to-latest` does). The README's remedy is a
# replay from the API: `tidemark-producer reset --since TS` (or --full),
# then a run. The reset copied the deleted endpoint's mark as it was, so
# the replay republished the records but not the deletions: rows 6 and 7
# stayed live for good (a full run deletes only ids still live in Kafka).
# Now --since TS moves the deleted mark down to TS too, and --full drops
# it: the table equals the API again, deletions included.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 30
write_config
first_sync
wait_caught_up 60
pg_dump --clean --if-exists -f "$T_WORK/backup.sql" "$T_DB" || fail "pg_dump"

api_post "/admin/update?ids=1,2" >/dev/null || fail "admin update"
api_post "/admin/delete?ids=6,7" >/dev/null || fail "admin delete"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
stop_worker

psql -X -q -v ON_ERROR_STOP=1 -f "$T_WORK/backup.sql" >/dev/null 2>"$T_WORK/restore.err" ||
    fail "restore: $(cat "$T_WORK/restore.err")"
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-latest --execute \
    >"$T_WORK/reset.out" 2>&1 || fail "reset-offsets: $(cat "$T_WORK/reset.out")"
log "restored the backup; run 2's events skipped"

# before every cursor of the demo API
"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --since 2026-01-01T00:00:00Z \
    >"$T_WORK/preset.out" 2>&1 || fail "producer reset: $(cat "$T_WORK/preset.out")"
assert_eq 2026-01-01T00:00:00.000Z "$(last_run_record | jq -r '.deleted_hwm.value')" \
    "the deleted endpoint's mark after reset --since"
start_worker
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "table deleted ids: $(table_deleted_ids | paste -sd,); api deleted: $(api_deleted_ids | paste -sd,)"
assert_table_equals_api

"$BUILD/tidemark-producer" -c "$CONF" reset --stream "$STREAM" --full \
    >"$T_WORK/preset2.out" 2>&1 || fail "producer reset --full: $(cat "$T_WORK/preset2.out")"
assert_eq null "$(last_run_record | jq -c '.deleted_hwm.value')" \
    "the deleted endpoint's mark after reset --full"
stop_worker
log "ok"
