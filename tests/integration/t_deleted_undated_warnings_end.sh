#!/usr/bin/env bash
# t_deleted_undated_warnings_end: an API that puts a warning in "errors"
# beside every answer, its last, empty page too, and lists deletions as
# bare ids (no deleted_at). Record 5, published long before, is deleted.
# Its deletion is undated, so the records are walked again from record
# 5's cursor to prove it gone; that walk ends on the warning page, which
# looked like an empty page that says it is an error (a rate limit
# answered 200): the walk proved nothing, and record 5's deletion was
# withheld at every run, for ever. An empty page beside the very words
# every page of the walk had beside its records is the API's habit, the
# walk's end. (Helper 163's D4.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cp "$REPO/tests/integration/fixtures/warnings_api.py" "$T_WORK/api.py"
start_devbroker
start_hostileapi "$T_WORK/api.py" "5" "5"
write_config

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/deleted"
for i in 1 2; do
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    log "run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
done
if matches 'msg="undated deletions not published' "$PRODUCER_LAST_LOG"; then
    fail "record 5's undated deletion withheld again: $(grep 'undated deletions not published' "$PRODUCER_LAST_LOG")"
fi
assert_eq "t" "$(psql_value 'select _deleted from items where id = 5')" \
    "record 5's row after two runs since its deletion"
assert_eq 29 "$(psql_value 'select count(*) from items where not _deleted')" "live rows"
log "ok"
