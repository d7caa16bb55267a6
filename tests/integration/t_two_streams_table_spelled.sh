#!/usr/bin/env bash
# t_two_streams_table_spelled: t_two_streams_tombstone with the second
# stream naming the one table schema-qualified (`table = public.customers`,
# the first `customers`). A table two streams write holds rows of two
# topics, so a Kafka tombstone is ordered against a row by when each was
# produced, never by partition and offset. Deciding "shared" by comparing
# the `table` strings took the table for two, ordered a tombstone of one
# topic by offset against a newer row of the other, and deleted the
# restored, live record.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
{
    echo
    echo "[stream ${STREAM}2]"
    sed -n '/^\[stream /,$p' "$CONF" | tail -n +2 | sed -e "s|^table = .*|table = public.$TABLE|"
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
