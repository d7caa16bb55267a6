#!/usr/bin/env bash
# t_full_stale_deleted_masks_vanished: the deleted endpoint keeps an id's
# FIRST deletion (a deletions table keyed by id, insert-if-absent): record
# 2 is deleted at D, restored at R > D (published, live downstream), then
# gone from the API again (purged; the endpoint still says "2 at D"). The
# incremental runs cannot tell (the entry is stale); a full run must: the
# API no longer serves 2, the topic holds it live, the deleted endpoint's
# only word on it is older than the live version. Expected: the full run
# deletes 2 (vanished, or its deletion published as the id's last word).
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

start_first_deletion_api
items_step "/admin/delete?id=2" "1,3,4,5,6,7,8,9,10"
items_step "/admin/restore?id=2" "1,2,3,4,5,6,7,8,9,10"
api_post "/admin/delete?id=2" >/dev/null || fail "admin delete again"
log "API: $(api_get "/items" | jq -c '[.data[].id]'); deleted endpoint: $(api_get "/items/deleted" | jq -c '.data')"
run_producer_once --full
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after a full run (the API no longer serves 2)"
log "ok"
