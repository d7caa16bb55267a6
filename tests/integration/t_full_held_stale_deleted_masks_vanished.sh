#!/usr/bin/env bash
# t_full_held_stale_deleted_masks_vanished: t_full_stale_deleted_masks_vanished
# with a deleted endpoint that ignores since (README: "walked on") and
# keeps an id's FIRST deletion. Record 2 is deleted at D (published),
# restored at R > D (published, live downstream), record 5 is deleted at
# D5 > R (the deleted mark moves past D), then 2 is gone from the API
# again (purged; the endpoint still says "2 at D"). In the full run the
# entry "2 at D" is no longer at the mark, so it is HELD (not skipped),
# then dropped as stale (the topic's latest word on 2 is the newer
# upsert), but handle_deleted has already marked 2 as the deleted
# endpoint's deletion (reconcile_deleting), so reconciliation never calls
# 2 vanished. Expected: the full run deletes 2, which the API no longer
# serves.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_first_deletion_api ignores-since
items_step "/admin/delete?id=2" "1,3,4,5,6,7,8,9,10"
items_step "/admin/restore?id=2" "1,2,3,4,5,6,7,8,9,10"
items_step "/admin/delete?id=5" "1,2,3,4,6,7,8,9,10"
api_post "/admin/delete?id=2" >/dev/null || fail "admin delete again"
log "API: $(api_get "/items" | jq -c '[.data[].id]'); deleted endpoint: $(api_get "/items/deleted" | jq -c '.data')"
run_producer_once --full
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,6,7,8,9,10" "$(live_ids)" "live rows after a full run (the API no longer serves 2)"
log "ok"
