#!/usr/bin/env bash
# t_two_streams_tombstone: two streams write one table (as
# t_two_streams_one_table): customers and customers2, from the same API.
# The Kafka tombstone's guard ordered a tombstone against the stored row
# by (_kafka_partition, _kafka_offset), without the topic: a tombstone of
# customers2 (offset 18) was taken to come after a row that customers
# wrote at offset 12 of the same partition number, although that row is a
# newer version (a restore), and the live record was deleted. In a table
# that two streams write, a tombstone is now ordered by production.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
{
    echo
    echo "[stream ${STREAM}2]"
    sed -n '/^\[stream /,$p' "$CONF" | tail -n +2
} >"$CONF.2"
cat "$CONF.2" >>"$CONF"

run_producer_once --stream "$STREAM"
run_producer_once --stream "${STREAM}2"
# customers2 gets more messages than customers in id 3's partition
for i in 1 2 3 4 5 6; do
    api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
    run_producer_once --stream "${STREAM}2"
done
api_post "/admin/update?ids=3" >/dev/null || fail "admin update"
run_producer_once --stream "$STREAM"
start_worker
wait_caught_up 60
wait_for "customers2 applied" 60 offsets_at_ends "$PREFIX.${STREAM}2" "$(topic_ends "$PREFIX.${STREAM}2")" ""
assert_table_equals_api
stop_worker

# id 3 is deleted, and customers2 publishes the delete and its tombstone;
api_post "/admin/delete?ids=3" >/dev/null || fail "admin delete"
run_producer_once --stream "${STREAM}2"
# then it is restored, and customers publishes the restored (newer) version.
api_post "/admin/restore?ids=3" >/dev/null || fail "admin restore"
run_producer_once --stream "$STREAM"

start_worker
wait_caught_up 60
wait_for "customers2 applied" 60 offsets_at_ends "$PREFIX.${STREAM}2" "$(topic_ends "$PREFIX.${STREAM}2")" ""
assert_eq "f" "$(psql_value "select _deleted from $TABLE where id = 3")" "row 3 deleted (the API has it live, restored)"
assert_table_equals_api
stop_worker
log "ok"
