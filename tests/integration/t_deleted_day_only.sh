#!/usr/bin/env bash
# t_deleted_day_only: an API whose records carry full timestamps but whose
# deleted endpoint dates each deletion by its day alone ("deleted_at":
# "2026-12-02"). Record 7 was last changed yesterday at 10:00 (published
# by the first run), then deleted yesterday afternoon. Read as that day's
# midnight, its deletion lay below the version published before it:
# taken for stale against the topic, never published, and record 7 stayed
# live downstream. A deletion dated by its day alone cannot be ordered
# against that day's versions: it is held as an undated one (a version
# the API still serves makes it stale; published past every cursor), and
# its day still moves the deleted HWM: the next run does not publish it
# again.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time

DAY = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))   # yesterday

def at(hh, mm):
    return "%sT%02d:%02d:00.000Z" % (DAY, hh, mm)

def handle(req):
    gone = flag("deleted")
    if req.path == "/items/deleted":
        items = [{"id": 7, "deleted_at": DAY}] if gone else []
        return page_of(req, items, cursor_field="deleted_at", cursor_param="since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": at(8, i)} for i in range(1, 11) if i != 7]
    if not gone:
        recs.append({"id": 7, "name": "item 7", "updated_at": at(10, 0)})
    return page_of(req, recs, cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"

touch "$T_WORK/deleted"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletions published by the run after record 7's deletion"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,8,9,10" "$(live_ids)" "live rows after it"
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletions published again by the next run"
log "ok"
