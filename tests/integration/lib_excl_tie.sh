# shellcheck shell=bash
# lib_excl_tie.sh - lib_items.sh and the one course of the scenarios of a
# tie group at the HWM's bucket on an API that filters its since `>`
# (fixtures/excl_tie_api.py, fixtures/excl_deleted_tie_api.py): the
# scenario file says which variant and what it shows. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib_items.sh"

# _excl_tie_runs FLAG - the bulk change's run, then FLAG's, then an idle one.
_excl_tie_runs()
{
    touch "$T_WORK/bulk"
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    touch "$T_WORK/$1"
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
}

# excl_tie_records LAST [unproven] - records 1..LAST share the HWM's
# bucket; record 11 is on no page of the first walk: it must reach the
# table, and record 41, new after it, too.
excl_tie_records()
{
    start_devbroker
    cp "$REPO/tests/integration/fixtures/excl_tie_api.py" "$T_WORK/api.py"
    start_hostileapi "$T_WORK/api.py" "$@"
    write_config "stream: -deleted.url" "stream: more.path = more"
    first_sync
    assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
    _excl_tie_runs new
    assert_eq "item 41" "$(psql_value "select name from items where id = 41")" "record 41"
    assert_eq "bulk 11" "$(psql_value "select name from items where id = 11")" "record 11 (hidden by the shift)"
}

# excl_tie_deleted LAST [unproven] - deletions 21..LAST share the deleted
# HWM's bucket; deletion 31 is on no page of the first walk: record 31
# must end deleted, and record 50, deleted after it, too.
excl_tie_deleted()
{
    start_devbroker
    cp "$REPO/tests/integration/fixtures/excl_deleted_tie_api.py" "$T_WORK/api.py"
    start_hostileapi "$T_WORK/api.py" "$@"
    write_config "stream: more.path = more"
    first_sync
    assert_eq 50 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
    _excl_tie_runs later
    assert_eq t "$(psql_value "select _deleted from items where id = 50")" "record 50 deleted"
    assert_eq t "$(psql_value "select coalesce(_deleted, true) from items where id = 31")" \
        "record 31 deleted downstream (its deletion hidden by the shift)"
}
