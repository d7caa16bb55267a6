#!/usr/bin/env bash
# t_restore_after_delete: a deleted endpoint that keeps listing ids the API
# has since restored must not make "deleted" the topic's last word on a live
# record (issue: a stale delete after a newer upsert).
#  (a) within one run: ids deleted at D and restored at R > D before the
#      run; the deleted endpoint still lists them at D;
#  (b) across runs: the restore's upsert went out in an earlier run (the
#      deleted endpoint was not configured then), and the deletion shows up
#      late, below the HWM, so that only the topic can tell it is stale;
#  (c) an id deleted and never restored still ends deleted.
# After each step the latest message per key on the topic matches the API
# (live ids live, deleted ids gone) and so does the table.
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 40
write_config
topic="$PREFIX.$STREAM"

first_sync
assert_topic_matches_api "first sync"

# ---- (a) deleted at D, restored at R > D, both before the run.
api_post "/admin/delete?ids=5,6,7" >/dev/null || fail "admin delete"
api_post "/admin/restore?ids=5,6" >/dev/null || fail "admin restore"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_topic_matches_api "(a) restored in the same interval"
assert_table_equals_api

# ---- (b) the restore is published by a run that does not read the deleted
# endpoint; the deletion comes later, below the HWM.
api_post "/admin/delete?ids=10,11" >/dev/null || fail "admin delete"
api_post "/admin/restore?ids=10" >/dev/null || fail "admin restore"
# A later change moves the HWM past the restore, so that the run that reads
# the deletion does not see id 10 again: only the topic knows it is live.
api_post "/admin/update?ids=20" >/dev/null || fail "admin update"
write_config "stream: -deleted.url"
run_producer_once
write_config
run_producer_once
run_b=$(last_run_field run_id)
stale_b=$(last_run_field stale_deletes)
wait_run_completed "$run_b" 60
# the run before it published on partitions run b may have no event on
wait_caught_up
assert_topic_matches_api "(b) deletion reported after the restore was published"
assert_eq 1 "$stale_b" "deletions found stale by the run that read them"
assert_table_equals_api

# ---- (c) nothing restored: the next run changes nothing.
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes published by a run with nothing new"
assert_topic_matches_api "(c) a quiet run"
