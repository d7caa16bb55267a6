#!/usr/bin/env bash
# t_full_tie_group_progress: a `run --full` over 25000 records in pages of
# 1000, in cursor order, whose records 5001..6001 share one cursor (a bulk
# import). The tie group pages by number, so until the second walk has
# read it again, a progress checkpoint (one per 20000 events) may hold the
# HWM at the group's cursor and no further (t_progress_tie_group). A full
# run started afresh compared that with the HWM from before it, which lies
# past the whole walk, and wrote no progress checkpoint of its own: when
# its walk failed at item 24500 (an empty 200), its record said
# restart_full, and the next run read all 25000 records again. Now the
# progress checkpoint holds the group's cursor as the full run's own HWM,
# and the next run resumes from there.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time, json
BASE = time.time() - 3 * 86400
RECS = []
for i in range(1, 25001):
    c = BASE + 5001 if 5001 <= i <= 6001 else BASE + i
    RECS.append({"id": i, "name": "item %d" % i, "updated_at": iso_ms(c)})
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    page = int(req.query.get("page", "1"))
    size = int(req.query.get("per_page", "100"))
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["updated_at"] >= since]
    rows = rows[(page - 1) * size:page * size]
    if flag("empty") and any(r["id"] == 24500 for r in rows):
        return 200, [("Content-Length", "0")], b""
    return 200, [], json.dumps({"data": rows})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 1000"

run_producer_once
assert_eq 25000 "$(last_run_field published)" "records published by the first run"

touch "$T_WORK/empty"
run_producer_once_rc 1 --full
rm "$T_WORK/empty"
# the tie group's cursor: the first since asked a second page (paged by
# number; the walk's end asks one more at its last since)
tie=$(jq -r 'select(.path == "/items" and .query.page == "2") | .query.modified_since // empty' \
    "$T_WORK/hostileapi.1.requests" | sort | head -n1)
full_id=$(last_run_record | jq -r .run_id)
# its running records: the start (the HWM from before it), then progress
held=$(run_records | jq -r --arg id "$full_id" 'select(.run_id == $id and .status == "running") |
    .hwm.value' | tail -n +2)
assert_eq "$tie" "$held" "the full run's progress checkpoint HWM (the tie group's cursor)"
assert_eq null "$(last_run_record | jq -c .restart_full)" "restart_full of the failed full run's record"

run_producer_once
assert_eq full "$(last_run_field mode)" "mode of the run after the failed full run"
matches 'msg="full run resumed' "$PRODUCER_LAST_LOG" || fail "the full run was not resumed"
published=$(last_run_field published)
[ "$published" -lt 21000 ] ||
    fail "the resumed full run published $published records: it read those below the tie group again"
log "ok"
