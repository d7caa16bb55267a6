#!/usr/bin/env bash
# t_since_exclusive_record_deleted: t_since_exclusive_record_moved with
# record 3 hard-deleted between the two requests instead of edited: the
# page that served it is read again once, and the run completes.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_devbroker
start_hostileapi "$(dirname "$0")/fixtures/excl_record_change_api.py" delete
write_config "stream: -deleted.url"

first_sync
# record 3 was served before it went: a later full run finds it vanished
assert_eq 12 "$(psql_value 'select count(*) from items')" \
    "rows after a walk whose record 3 was deleted between two requests"
log "ok"
