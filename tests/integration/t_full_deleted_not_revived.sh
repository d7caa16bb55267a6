#!/usr/bin/env bash
# t_full_deleted_not_revived: record 2 is deleted on purpose (the deleted
# endpoint lists it, dated after its last change) while the records
# endpoint, a lagging index, still serves it unchanged. An incremental run
# deletes it. A later full run (the deleted HWM past 2's deletion) must
# not make it live again: only an id an earlier full run deleted as
# vanished is revived when served again (t_full_vanished_restored), not
# one the API itself said was deleted.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11)]
def handle(req):
    st = req.state
    dels = st.setdefault("dels", {})
    if req.method == "POST" and req.path == "/admin/delete":
        dels[int(req.query["id"])] = time.time() + 0.002 * len(dels)  # strictly later
        return 200, [], "{}"
    if req.path == "/items/deleted":
        since = req.query.get("since")
        items = [{"id": i, "deleted_at": iso_ms(at)} for i, at in sorted(dels.items(), key=lambda x: x[1])
                 if since is None or iso_ms(at) >= since]
        page = int(req.query.get("page", "1"))
        return 200, [], json.dumps({"data": items if page == 1 else []})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    # the lagging index: 2 stays listed after its deletion; 5 does not
    recs = [r for r in RECS if r["id"] != 5 or 5 not in dels]
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"

api_post "/admin/delete?id=2" >/dev/null || fail "admin delete"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletes of the incremental run"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after 2's deletion"

api_post "/admin/delete?id=5" >/dev/null || fail "admin delete"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,6,7,8,9,10" "$(live_ids)" "live rows after 5's deletion"

run_producer_once --full
assert_eq 0 "$(last_run_field revived)" "ids the full run revived"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,6,7,8,9,10" "$(live_ids)" "live rows after a full run (2 was deleted on purpose)"
log "ok"
