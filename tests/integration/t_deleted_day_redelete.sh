#!/usr/bin/env bash
# t_deleted_day_redelete: a deleted endpoint that dates deletions by their
# day alone in a stream of timestamps. Record 7 is deleted, restored and
# deleted again, all on one day. The second deletion names the same day
# as the first, whose id the deleted HWM (that day's midnight) noted as
# handled: it was skipped, and the restore stayed live downstream until a
# full run. An upsert published for an id now supersedes that note.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time
YDAY = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
TODAY = time.strftime("%Y-%m-%d", time.gmtime(time.time()))
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": "%sT08:%02d:00.000Z" % (YDAY, i)}
                     for i in range(1, 11)}
    state["deleted"] = []
    state["phase"] = ""
def handle(req):
    st = req.state
    ph = "del2" if flag("del2") else "restore" if flag("restore") else "del1" if flag("del1") else ""
    if ph != st["phase"]:
        st["phase"] = ph
        if ph in ("del1", "del2"):
            st["recs"].pop(7, None)
            st["deleted"] = [{"id": 7, "deleted_at": TODAY}]
        elif ph == "restore":
            st["deleted"] = []
            st["recs"][7] = {"id": 7, "name": "restored 7", "updated_at": iso_ms(time.time())}
    if req.path == "/items/deleted":
        since = req.query.get("since")   # filters by day: a date compares with its day
        rows = [d for d in st["deleted"] if since is None or d["deleted_at"] >= since[:10]]
        return 200, [], json.dumps({"data": rows if req.query.get("page", "1") == "1" else []})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, list(st["recs"].values()), cursor_field="updated_at")
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/del1"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,8,9,10" "$(live_ids)" "live rows after the first deletion"
touch "$T_WORK/restore"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the restore"
touch "$T_WORK/del2"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "deletes in the last run: $(last_run_field deletes)"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,8,9,10" "$(live_ids)" "live rows after the second deletion (same day)"
log "ok"
