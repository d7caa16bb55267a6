#!/usr/bin/env bash
# t_deleted_undated_after_revival: record 2 was hidden during a full run
# (vanished, deleted), then served again unchanged and revived by the next
# full run: its upsert went out at the run's start, past its own (old)
# cursor. Later the HWM moves past that revival (record 5 changes), and the
# deleted endpoint, which lists bare ids and keeps listing ids it restored,
# lists 2 (deleted and restored from a backup, unchanged). The API still
# serves 2. The run asks the topic, finds 2's upsert older than the walk's
# start, and walks the records again from that upsert's source_ts to see
# whether 2 lives: but that is the revival's mark, not 2's cursor, so the
# walk never serves 2, and its deletion goes out.
# Expected: the deletion is stale (the API serves 2): 2 stays live.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                                  for i in range(1, 11)})
    dels = st.setdefault("dels", [])
    if req.method == "POST" and req.path == "/admin/touch":
        i = int(req.query["id"])
        recs[i] = dict(recs[i], name="changed %d" % i, updated_at=iso_ms(time.time()))
        return 200, [], "{}"
    if req.method == "POST" and req.path == "/admin/list_deleted":
        dels.append(int(req.query["id"]))   # deleted, then restored as it was
        return 200, [], "{}"
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": dels if req.query.get("page", "1") == "1" else []})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    rows = [r for r in recs.values() if not (flag("hidden") and r["id"] == 2)]
    return page_of(req, rows, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync_then_hide_two
rm "$T_WORK/hidden"
run_producer_once --full
assert_eq 1 "$(last_run_field revived)" "ids the full run revived"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once 2 is served again"

api_post "/admin/touch?id=5" >/dev/null || fail "admin touch"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60

api_post "/admin/list_deleted?id=2" >/dev/null || fail "admin list_deleted"
api_get "/items" | jq -c '[.data[].id]'
run_producer_once
grep 'records walked again' "$PRODUCER_LAST_LOG" | sed 's/.*msg=/msg=/'
log "run: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
assert_eq 0 "$(last_run_field deletes)" "deletes published (2 is served)"
assert_eq 1 "$(last_run_field stale_deletes)" "deletions found stale"
grep -q 'msg="records walked again for undated deletions.* since=none' "$PRODUCER_LAST_LOG" ||
    fail "no whole walk of the records for the revived id"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows (the API serves 2)"
log "ok"
