# shellcheck shell=bash
# lib_items.sh - lib.sh for a scenario on the items stream of a scripted
# API (start_hostileapi; hostile_api.py's Items keeps such an API's
# records and deleted list): the fixture schema fixtures/item.avsc (id,
# name, updated_at) and no soft-delete field. Sourced instead of lib.sh.
# shellcheck disable=SC2034 # variables read by lib.sh
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures/item.avsc"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# deleted_at_of_rows - _deleted_at of the deleted rows, by id.
deleted_at_of_rows() { psql_value "select string_agg(_deleted_at::text, ',' order by id) from items where _deleted"; }

# delete_events - delete events (header tidemark.op=delete) on the
# stream's topic.
delete_events() { kc -C -t "$PREFIX.$STREAM" -e -f '%k %h\n' | grep -c 'tidemark.op=delete'; }

# deletes_3_4_then_quiet_runs - with the scenario's API (3 and 4 deleted
# once the flag file "deleted" exists): the first sync, a run that
# publishes the two deletes, then two runs with nothing changed, each
# applied. After the deletes' run: n1, the delete events on the topic, and
# at1, the deleted rows' _deleted_at (deleted_at_of_rows).
deletes_3_4_then_quiet_runs()
{
    local i
    first_sync
    touch "$T_WORK/deleted"
    run_producer_once
    assert_eq 2 "$(last_run_field deletes)" "deletes of the run after 3 and 4 were deleted"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows after the deletions"
    n1=$(delete_events)
    at1=$(deleted_at_of_rows)
    for i in 1 2; do
        run_producer_once
        wait_run_completed "$(last_run_field run_id)" 60
        log "quiet run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes); delete events on the topic: $(delete_events)"
    done
    assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows after two quiet runs"
}
