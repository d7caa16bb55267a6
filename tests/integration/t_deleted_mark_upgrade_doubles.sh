#!/usr/bin/env bash
# t_deleted_mark_upgrade_doubles: the upgrade path of README step 4
# (307eedf): an older build's checkpoint has no "source" and a deleted
# mark of 2099. Its first run after the upgrade is full (source unknown),
# drop_mark_past_clock() clears the deleted mark, and the deleted
# endpoint is read from its start. In a full run walk_has_since is 0 and,
# the mark cleared, del_walk_has_since is 0 too: late_delete() flags no
# held deletion, no keylatest scan is made, and every deletion the
# endpoint lists is published again, though the topic already holds each
# (README: "deletions the topic holds are skipped as stale").
# Once the mark is dropped every deletion served is asked of the topic
# (late_delete()), and those it holds are skipped. (Helper 168.)
# brokers: mock
. "$(dirname "$0")/lib_deleted_mark.sh"

deleted_mark_api "1@2024-01-01T00:00:00.000Z,2@2024-01-01T00:00:00.000Z,3@2023-06-01T00:00:00.000Z,4@2023-06-01T00:00:00.000Z" "4@2023-09-01T00:00:00.000Z,3@2024-06-01T00:00:00.000Z"

publish_then_delete 4 2
log "tombstones after run 2: id 3: $(deletes_of 3), id 4: $(deletes_of 4)"

# the checkpoint as a build before 2026-12-03 left it
old_deleted_mark no-source

run_producer_once
log "run 3 (first after the upgrade): mode=$(last_run_field mode) deletes=$(last_run_field deletes)"
log "tombstones after run 3: id 3: $(deletes_of 3), id 4: $(deletes_of 4)"
assert_eq "1 1" "$(deletes_of 3) $(deletes_of 4)" "tombstones of records 3 and 4 (the topic already held each deletion)"
log "ok"
