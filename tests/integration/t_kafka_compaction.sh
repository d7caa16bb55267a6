#!/usr/bin/env bash
# t_kafka_compaction: the stream topic is compacted (cleanup.policy=compact,
# a cleaner that runs at once) while the worker is stopped behind a run
# that deleted records. Compaction removes those delete events and keeps
# only their tombstones (null value, key = id), the latest message of each
# key. Then, from what is left of the topic:
#  (a) the lagging worker, back on its stored offsets, deletes the rows:
#      the tombstones alone must do it (a worker that ignores them keeps
#      the deleted rows alive);
#  (b) a NEW consumer group into a new table rebuilds the same table,
#      deletes included (soft delete: the tombstone-only ids are rows with
#      _deleted = true), and so does one with delete.mode = hard (the
#      deleted ids are in the tombstone table, not in the table);
#  (c) `reset-offsets --to-earliest` of the first group over its emptied
#      table rebuilds it equal to the API.
# brokers: kafka
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
# One partition: one append after the cleaner's segment.ms rolls the
# segment that holds the deletes, so that the cleaner may clean it.
start_devbroker --topic "$topic:1:compact"
start_demoapi --records 60
write_config
first_sync
wait_caught_up 30
assert_table_equals_api
stop_worker

# ---- a run that deletes, while the worker is stopped
hard="7,17,27"
soft="8,18"
api_post "/admin/delete?ids=$hard" >/dev/null || fail "admin delete"
api_post "/admin/soft-delete?ids=$soft" >/dev/null || fail "admin soft-delete"
api_post "/admin/update?ids=3,4" >/dev/null || fail "admin update"
run_producer_once
assert_eq 5 "$(last_run_field deletes)" "delete events of run 2"

# ---- compaction: delete events gone, tombstones kept
# "DELETE_EVENTS TOMBSTONES" on the topic now.
deletes_and_tombstones()
{
    kc -C -t "$topic" -e -f '%S %h\n' |
        awk '$1 != -1 && $2 ~ /tidemark\.op=delete/ { d++ } $1 == -1 { t++ } END { print d + 0, t + 0 }'
}
assert_eq 5 "$(deletes_and_tombstones | cut -d' ' -f2)" "tombstones of run 2"
only_tombstones() { [ "$(deletes_and_tombstones)" = "0 5" ]; }
wait_compacted 45 "the cleaner to remove the delete events and keep their tombstones" only_tombstones
log "compacted after $COMPACT_APPENDS more runs: $(kc -C -t "$topic" -e -f '%o\n' | wc -l) messages left"

# ---- (a) the lagging worker meets only the tombstones
start_worker
wait_caught_up 30
assert_table_equals_api
stop_worker

# ---- (b) a new consumer group, into a new table
GROUP=tm-rebuild TABLE=customers_rebuild
write_config
start_worker rebuild
wait_caught_up 30 "$GROUP"
assert_table_equals_api
assert_eq 0 "$(psql_value "select count(*) from $TABLE where _deleted and _deleted_at is null")" \
    "deleted rows without _deleted_at"
stop_worker rebuild

GROUP=tm-hard TABLE=customers_hard
write_config "worker: delete.mode = hard"
start_worker hard
wait_caught_up 30 "$GROUP"
assert_eq "$(api_records_tsv)" "$(table_records_tsv)" "live rows of $TABLE (delete.mode = hard)"
want=$(echo "$hard,$soft" | tr ',' '\n' | LC_ALL=C sort | tr '\n' ' ')
assert_eq "$want" "$(psql_value "select id::text from ${TABLE}__tombstones" | LC_ALL=C sort | tr '\n' ' ')" \
    "ids in ${TABLE}__tombstones"
assert_eq 0 "$(psql_value "select count(*) from $TABLE where id in ($hard,$soft)")" \
    "rows of deleted ids in $TABLE"
stop_worker hard

# ---- (c) reset-offsets --to-earliest over the emptied table
GROUP=tm-worker TABLE=customers
write_config
psql_value "delete from $TABLE" >/dev/null || fail "could not empty $TABLE"
"$BUILD/tidemark-worker" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest --execute \
    >"$T_WORK/reset.out" 2>"$T_WORK/reset.err" || fail "reset-offsets failed: $(cat "$T_WORK/reset.err")"
start_worker
wait_caught_up 30
assert_table_equals_api
stop_worker
log "ok"
