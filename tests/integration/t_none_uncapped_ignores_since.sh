#!/usr/bin/env bash
# t_none_uncapped_ignores_since: pagination = none on a plain list
# endpoint that ignores the cursor parameter and answers all it holds at
# once. Whether an API that ignores since caps its answers, nothing in
# them tells (t_none_capped_ignores_since: one that did had a live record
# deleted as vanished), so by default a full run deletes no id as
# vanished, and says so. `none.uncapped = true` states that this API has
# no limit: then a record the API no longer serves is deleted by a full
# run.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 5 * 86400

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    rows = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
            for i in range(1, 13) if not (i == 5 and flag("gone"))]
    return 200, [], json.dumps({"data": rows})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none"
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12" "$(live_ids)" "live rows after the first sync"

touch "$T_WORK/gone"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids deleted as vanished, none.uncapped unset"
grep 'msg="an answer asked from the last record' "$PRODUCER_LAST_LOG" | matches "set none.uncapped = true" ||
    fail "the warning does not name none.uncapped"

write_config "stream: -deleted.url" "stream: pagination = none" "stream: none.uncapped = true"
run_producer_once --full
assert_eq 1 "$(last_run_field vanished)" "ids deleted as vanished, none.uncapped = true"
! matches 'msg="an answer asked from the last record' "$PRODUCER_LAST_LOG" ||
    fail "warned that the answers may be capped under none.uncapped = true"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,6,7,8,9,10,11,12" "$(live_ids)" "live rows after the full run"
log "ok"
