#!/usr/bin/env bash
# t_deleted_mark_fail_doubles: t_deleted_mark_doubles where the run
# that drops the 2099 deleted mark fails at the deleted endpoint (one 500,
# max.retries = 0). bb7c178 clears del_durable so the failed run does not
# write the old mark back; the next run then has no deleted mark at all,
# del_mark_dropped is 0 there, and late_delete() flags no deletion dated at
# or past the records walk's since: the deletion of record 3 the topic
# already holds is published a second time (rv4).
# The dropped mark is now kept in the run's durable state: a failed run
# writes it back, and the next run drops it and asks the topic again.
# (Helper 169.)
# brokers: mock
. "$(dirname "$0")/lib_deleted_mark.sh"

deleted_mark_api "1@2024-01-01T00:00:00.000Z,2@2024-01-01T00:00:00.000Z,3@2023-06-01T00:00:00.000Z" "3@2024-06-01T00:00:00.000Z" "stream: max.retries = 0"

publish_then_delete 3 1
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 2"

# the checkpoint as a build before 2026-12-03 left it
old_deleted_mark

touch "$T_WORK/faildel"
run_producer_once_rc 1
log "run 3 (fails at the deleted endpoint): $(last_run_record | jq -c '{status, mode, deleted_hwm, hwm}')"
rm -f "$T_WORK/faildel"
run_producer_once
log "run 4: mode=$(last_run_field mode) deletes=$(last_run_field deletes) stale=$(last_run_field stale_deletes) deleted mark: $(last_run_record | jq -c .deleted_hwm)"
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 4 (the topic already held its deletion)"
log "ok"
