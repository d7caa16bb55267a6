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

cat >"$T_WORK/api.py" <<'PY'
import time
def handle(req):
    st = req.state
    if "items" not in st:
        st["items"] = Items(n=10)
    it = st["items"]
    if req.method == "POST" and req.path == "/admin/delete":
        i = int(req.query["id"])
        it.recs.pop(i, None)
        if not any(d["id"] == i for d in it.deleted):   # first deletion kept
            it.deleted.append({"id": i, "deleted_at": iso_ms(time.time())})
        return 200, [], "{}"
    if req.method == "POST" and req.path == "/admin/restore":
        i = int(req.query["id"])   # back, changed now; the deletions table keeps its entry
        it.recs[i] = {"id": i, "name": "restored %d" % i, "updated_at": iso_ms(time.time())}
        return 200, [], "{}"
    if req.path == "/items/deleted":
        return it.deleted_page(req)
    return it.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"

api_post "/admin/delete?id=2" >/dev/null || fail "admin delete"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after 2's deletion"

api_post "/admin/restore?id=2" >/dev/null || fail "admin restore"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after 2's restore"

api_post "/admin/delete?id=2" >/dev/null || fail "admin delete again"
api_get "/items" | jq -c '[.data[].id]'
api_get "/items/deleted" | jq -c '.data'
run_producer_once --full
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after a full run (the API no longer serves 2)"
log "ok"
