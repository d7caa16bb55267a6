#!/usr/bin/env bash
# t_deleted_bare_ids_warnings: an API that puts a warning in "errors"
# beside every answer, its last, empty page too (a page that ends a walk
# without failing it). Its deleted endpoint lists bare ids (no
# deleted_at), 20 of them (record 30, the newest, and 19 records created
# and deleted since the last run), pages capped at 10: the walk pages them
# by number (no cursor to seek at), so a second walk follows, from no
# since, and ends on that warning page, unproven, as the first walk did.
# With no deleted HWM yet, failing the deleted endpoint there failed every
# run and no deletion ever reached the table; the first walk's HWM stands.
# (The API: fixtures/warnings_api.py.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cp "$REPO/tests/integration/fixtures/warnings_api.py" "$T_WORK/api.py"
start_devbroker
start_hostileapi "$T_WORK/api.py" "30" "30,101-119"
write_config

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/deleted"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 29 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after record 30's deletion"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "ok"
