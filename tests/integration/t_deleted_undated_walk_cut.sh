#!/usr/bin/env bash
# t_deleted_undated_walk_cut: t_deleted_undated_recheck_cut's hole in
# the records walk itself. A deleted endpoint of bare ids (undated);
# record 1 is deleted and restored between two runs, and record 2 changes
# after it. In run B the records page with record 1 on it comes back cut
# short: the rows without 1, an `errors` member beside them. The walk is
# taken as proof that 1 is gone (the topic's upsert of 1 is not older
# than the walk's since, so no walk again is made): the deletion is
# published, and record 2 moves the HWM past 1's restore. Run C (no cut)
# starts past it: record 1, served by the API all along, stays deleted
# downstream. Now a records walk that may lack records proves no undated
# deletion's record gone either: run B withholds it, with a warning, and
# holds the deleted HWM, so a later run asks again. (Found by a second
# reading, helper 161.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
import time

def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: "2024-01-01T00:00:00.000Z" for i in (1, 2, 3)})
    dels = st.setdefault("dels", {})
    if req.method == "POST" and req.path == "/admin/restore1":
        now = time.time()
        dels[1] = now             # deleted, then restored at once
        recs[1] = iso_ms(now + 0.001)
        recs[2] = iso_ms(now + 0.002)
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        since = req.query.get("since")
        ids = sorted(i for i, at in dels.items() if since is None or iso_ms(at) >= since)
        return 200, [], json.dumps({"data": ids if req.query.get("page", "1") == "1" else []})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    status, headers, body = page_of(req, [customer(i, c) for i, c in recs.items()])
    rows = json.loads(body)["data"]
    if not flag("cut") or all(r["id"] != 1 for r in rows):
        return status, headers, body
    return 200, [], json.dumps({"data": [r for r in rows if r["id"] != 1], "errors": [
        {"message": "search timed out: results are partial", "code": "PARTIAL_RESULTS"}]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
api_post /admin/restore1 >/dev/null
touch "$T_WORK/cut"
run_producer_once
log "run B: deletes=$(last_run_field deletes) published=$(last_run_field published) hwm=$(last_run_record | jq -c .hwm.value)"
assert_eq 0 "$(last_run_field deletes)" "deletes published by run B, whose records walk was cut short"
rm "$T_WORK/cut"
run_producer_once
log "run C: deletes=$(last_run_field deletes) published=$(last_run_field published)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3" "$(live_ids)" "live rows after run C (the API serves 1, 2 and 3)"
log "ok"
