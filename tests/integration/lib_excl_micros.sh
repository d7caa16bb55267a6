# shellcheck shell=bash
# lib_excl_micros.sh - lib_items.sh and the one course of the scenarios of
# an API that keeps microseconds and filters `>` (fixtures/
# excl_micros_api.py): the scenario file says which variant and what it
# shows. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib_items.sh"

# excl_micros_runs N LATER - the API of records 1..N (10..LATER later in
# the bulk update's millisecond), a full sync, two incremental runs and a
# full one; then the table must hold all N.
excl_micros_runs()
{
    start_devbroker
    start_hostileapi "$(dirname "${BASH_SOURCE[0]}")/fixtures/excl_micros_api.py" "$1" "$2"
    write_config "stream: -deleted.url"
    first_sync
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    run_producer_once --full
    wait_run_completed "$(last_run_field run_id)" 60
    log "ids in the table: $(psql_value 'select string_agg(id::text, $$ $$ order by id) from items')"
    assert_eq "$1" "$(psql_value 'select count(*) from items')" \
        "rows after a full sync, two incremental runs and a full run"
}
