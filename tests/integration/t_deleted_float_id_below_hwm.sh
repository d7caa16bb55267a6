#!/usr/bin/env bash
# t_deleted_float_id_below_hwm: t_id_float_spelled's deleted item without
# a usable id (`8.0`, dated), with a later deletion (9) listed beside it,
# so that the deleted HWM moves past 8.0's deleted_at and its stand-in id
# is not among the HWM's ids. The deleted walk serves 8.0 again at every
# run all the same: `lookback = 1h` starts it an hour below the HWM, and
# an endpoint that ignores `since` lists everything at every request. It
# is dead-lettered at most once a run: a first version skipped it only at
# the HWM's bucket, and dead-lettered it at every request that served it
# (twice in one run when the endpoint ignores since). (Found by a second
# reading, helper 161.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
AT8 = iso_ms(time.time() - 600)
AT9 = iso_ms(time.time() - 60)
def handle(req):
    if req.path == "/items/deleted":
        since = None if flag("ignore") else req.query.get("since")
        items = [('{"id": 8.0, "deleted_at": "%s"}' % AT8, AT8), ('{"id": 9, "deleted_at": "%s"}' % AT9, AT9)]
        if not flag("deleted") or req.query.get("page", "1") != "1":
            return 200, [], '{"data": []}'
        return 200, [], '{"data": [%s]}' % ",".join(t for t, at in items if since is None or at >= since)
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11) if not (flag("deleted") and i in (8, 9))], cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: lookback = 1h"
deleted_letters() { kc -C -t "$PREFIX.dlq" -e -f '%h\n' | grep -c 'tidemark.error=deleted item: '; }

first_sync
touch "$T_WORK/deleted"
run_producer_once
assert_eq 1 "$(deleted_letters)" "dead letters of the deleted item 8.0 after its first run"
run_producer_once
assert_eq 2 "$(deleted_letters)" "dead letters of 8.0 after a run whose lookback serves it again"
touch "$T_WORK/ignore"
run_producer_once
assert_eq 3 "$(deleted_letters)" "dead letters of 8.0 after a run of an endpoint that ignores since"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,10" "$(live_ids)" "live rows (the deletion of 8.0 dead-lettered, 9 deleted)"
log "ok"
