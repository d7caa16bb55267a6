#!/usr/bin/env bash
# t_deleted_undated_recheck_ratelimit: a deleted endpoint of bare ids
# (undated) that honours `since` by when the API deleted them. Record 2
# changes (run A), then record 1 is deleted for good (run B): the deleted
# endpoint lists 1, the records walk does not serve it, the topic's last
# word on 1 is its upsert from 2024 (below the walk's since), so the
# records are walked again from there. That walk's first answer is a
# one-off rate limit answered 200 {"data": [], "error": ...}. On e145b6f
# run B failed and run C listed 1 again and deleted it. 06460ce dropped
# the deletion with a warning, the deleted HWM moved past it, and no later
# run heard of it: record 1, gone from the API, stayed live downstream
# (until a full run, `full_sync.every`, 7 days). Now run B completes
# without it, holding the deleted HWM, and run C lists 1 again and
# deletes it. (Found by a second reading, helper 161.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time

def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: "2024-01-01T00:00:00.000Z" for i in (1, 2, 3)})
    dels = st.setdefault("dels", {})  # id -> when deleted
    if flag("change2") and not st.get("changed2"):
        st["changed2"] = 1
        recs[2] = iso_ms(time.time() - 60)
    if req.method == "POST" and req.path == "/admin/delete1":
        dels[1] = time.time()
        del recs[1]
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        since = req.query.get("since")
        ids = sorted(i for i, at in dels.items() if since is None or iso_ms(at) >= since)
        return 200, [], json.dumps({"data": ids if req.query.get("page", "1") == "1" else []})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since") or ""
    # the walk again for undated deletions asks from 1's old cursor: once
    # rate-limited, as a 200 with an empty page and an error
    if flag("delete1") and since.startswith("2024") and not st.get("limited"):
        st["limited"] = 1
        return 200, [], json.dumps({"data": [], "error": {"message": "rate limit exceeded, retry later"}})
    return page_of(req, [customer(i, c) for i, c in recs.items()])
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
touch "$T_WORK/change2"
run_producer_once
log "run A: published=$(last_run_field published)"
api_post /admin/delete1 >/dev/null
touch "$T_WORK/delete1"
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes published by run B, whose walk again was rate limited"
matches 'msg="undated deletions not published: the records walk' "$PRODUCER_LAST_LOG" ||
    fail "no warning in run B that the deletion of 1 waits"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletes published by run C"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "2,3" "$(live_ids)" "live rows after run C (record 1 is gone from the API)"
log "ok"
