#!/usr/bin/env bash
# t_since_exclusive_record_moved: an API that filters `updated_at >
# :since` (updated_after), millisecond times, pages capped at 3. Record 3
# is the last record of the first page; the walk takes the API for `>`
# and asks one unit below each since. Between two requests record 3 is
# edited: it moves to the newest cursor. The page at its old since does
# not serve it again, and the walk (which since this round fails then,
# for an API comparing the parameter as text) failed the run. The page
# that served it is now read again once: record 3 is no longer there,
# nothing is lost, the run completes with all 12 records.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_devbroker
start_hostileapi "$(dirname "$0")/fixtures/excl_record_change_api.py" edit
write_config "stream: -deleted.url"

first_sync
assert_eq 12 "$(psql_value 'select count(*) from items')" \
    "rows after a walk whose record 3 was edited between two requests"
log "ok"
