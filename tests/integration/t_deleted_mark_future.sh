#!/usr/bin/env bash
# t_deleted_mark_future: a checkpoint written by a build older than
# 2026-12-03 (f8b6e30) for a deleted endpoint that once listed a deletion
# stamped 2099 (a sentinel; t_cursor_future): that build moved the
# deleted mark to 2099-01-01 (and wrote no "source"). The new build no
# longer moves the mark past the API's clock, but takes the checkpoint's
# mark as it is: the first run after the upgrade is full (no source), and
# so is the `run --once --full` the README's upgrade steps ask for, yet
# both keep the deleted mark (run_init loads the deleted tracker from the
# checkpoint in every mode). Every later incremental run asks the deleted
# endpoint for deletions since 2099 and publishes none, saying nothing.
# brokers: mock
. "$(dirname "$0")/lib_deleted_mark.sh"

deleted_mark_api "1@2024-01-01T00:00:00.000Z,2@2024-01-01T00:00:00.000Z" "2@2024-06-01T00:00:00.000Z"

run_producer_once
assert_eq 2 "$(last_run_field published)" "records published by the first run"

# the checkpoint as a build before 2026-12-03 left it
old_deleted_mark no-source

# the upgrade: its first run (full by itself) and the README's step 3
run_producer_once
log "first run after the upgrade: mode=$(last_run_field mode)"
run_producer_once --full
log "deleted mark after the full runs: $(last_run_record | jq -c .deleted_hwm.value)"

# record 2 is deleted at the API: the deleted endpoint lists it, the
# records endpoint no longer serves it
touch "$T_WORK/later"
run_producer_once
log "incremental run: deletes=$(last_run_field deletes) deleted mark: $(last_run_record | jq -c .deleted_hwm.value)"
last_word() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k { s = $2 } END { print s }'; }
assert_eq 1 "$(last_run_field deletes)" "deletions published by the incremental run after the API deleted record 2"
assert_eq -1 "$(last_word 2)" "the topic's last word on record 2, deleted at the API (-1: a tombstone)"
log "ok"
