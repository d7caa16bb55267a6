# shellcheck shell=bash
# lib_two_streams.sh - lib.sh and the one course of the scenarios where two
# streams (customers and customers2, from the same API) write one table
# and a restored record must stay live: customers2 publishes id 3's
# delete and tombstone, then customers its restored, newer version. The
# scenario file says how the second stream names the table. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# two_streams_restore_after_tombstone [TABLE2] - the course, the second
# stream's table named TABLE2 (default: as the first's).
two_streams_restore_after_tombstone()
{
    local table2=${1:-}
    start_devbroker
    start_demoapi --records 40
    write_config
    add_stream_copy "${STREAM}2" "${table2:+s|^table = .*|table = $table2|}"

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
}
