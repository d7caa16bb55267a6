#!/usr/bin/env bash
# t_deleted_mark_doubles: drop_mark_past_clock() (307eedf) reads the
# deleted endpoint from its start and says "the deletions the topic
# already holds are skipped as stale" (README, upgrade step 4). Only held
# deletions that late_delete() flags are checked against the topic
# (keylatest): with the deleted mark cleared, del_walk_has_since is 0, so
# a deletion dated at or past the records walk's since is published
# again. Record 3, deleted at the API (2024-06-01) after the last record
# change (2024-01-01), is tombstoned by run 2; after the checkpoint's
# deleted mark is set to 2099 (as an older build left it), run 3 drops
# the mark and publishes the deletion of 3 a second time.
# Once the mark is dropped every deletion served is asked of the topic
# (late_delete()): the topic keeps one tombstone of 3. (Helper 168.)
# brokers: mock
. "$(dirname "$0")/lib_deleted_mark.sh"

deleted_mark_api "1@2024-01-01T00:00:00.000Z,2@2024-01-01T00:00:00.000Z,3@2023-06-01T00:00:00.000Z" "3@2024-06-01T00:00:00.000Z"

publish_then_delete 3 1
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 2"

# the checkpoint as a build before 2026-12-03 left it
old_deleted_mark

run_producer_once
log "run 3: mode=$(last_run_field mode) deletes=$(last_run_field deletes) deleted mark: $(last_run_record | jq -c .deleted_hwm.value)"
grep -c "deleted endpoint's mark lies past" "$T_WORK"/producer*.log 2>/dev/null || true
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 3 (the topic already held its deletion)"
log "ok"
