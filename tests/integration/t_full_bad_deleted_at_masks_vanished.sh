#!/usr/bin/env bash
# t_full_bad_deleted_at_masks_vanished: record 2 is gone from the API
# (purged, unannounced: a full run's job), and the deleted endpoint lists
# an item for 2 whose deleted_at does not read. That item is dead-lettered
# (fine), but a full run then also leaves 2 out of reconciliation: it is
# never deleted downstream, although the API does not serve it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    st = req.state
    if "items" not in st:
        st["items"] = Items(n=10)
    it = st["items"]
    if flag("gone"):
        it.recs.pop(2, None)
    if req.path == "/items/deleted":
        data = [{"id": 2, "deleted_at": "yesterday"}] if flag("gone") else []
        return 200, [], json.dumps({"data": data if req.query.get("page", "1") == "1" else []})
    return it.records_page(req)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
touch "$T_WORK/gone"
run_producer_once --full
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes) failed=$(last_run_field failed)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after a full run (the API no longer serves 2)"
log "ok"
