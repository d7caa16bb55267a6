#!/usr/bin/env bash
# t_progress_tie_group: a sorted page walk (cursor.sorted = true, the
# default) of 25000 records whose first 1001 share one cursor (a bulk
# import) with page.size = 1000. The tie group pages by number early, so
# until the second walk has read it again a record a shift hid may lie at
# its cursor: a progress checkpoint (one per 20000 events) holds the HWM
# there, neither past it (a resume would skip that record) nor not at all
# (a run that fails late would start from scratch). The second walk reads
# the group and stops past it, not at the API's end.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time, json
BASE = time.time() - 3 * 86400
RECS = []
for i in range(1, 25001):
    c = BASE if i <= 1001 else BASE + i
    RECS.append({"id": i, "name": "item %d" % i, "updated_at": iso_ms(c)})
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    page = int(req.query.get("page", "1"))
    size = int(req.query.get("per_page", "100"))
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["updated_at"] >= since]
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 1000"

run_producer_once
assert_eq completed "$(last_run_record | jq -r .status)" "the run's status"
held=$(run_records | jq -r 'select(.status == "running" and .hwm.value != null) | .hwm.value')
assert_eq 1 "$(printf '%s\n' "$held" | grep -c .)" "progress checkpoints with an HWM"
first=$(jq -r 'select(.path == "/items" and .query.modified_since != null) | .query.modified_since' \
    "$T_WORK/hostileapi.1.requests" | head -n1)
assert_eq "$first" "$held" "the progress checkpoint's HWM (the tie group's cursor)"
grep -q 'msg="records walked a second time.*reason=paged_by_number.*missed=0' "$PRODUCER_LAST_LOG" ||
    fail "no second walk of the tie group"
# the first walk: about 29 pages; the second: the group's 2 pages and the
# 2 after, then it stops (it read on to the API's end: 57)
requests=$(grep -c '"path": "/items"' "$T_WORK/hostileapi.1.requests")
[ "$requests" -le 35 ] || fail "the second walk read on past the tie group: $requests requests"
log "ok"
