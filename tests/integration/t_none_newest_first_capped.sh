#!/usr/bin/env bash
# t_none_newest_first_capped: pagination = none on a list endpoint that
# answers its newest records first, at most 10, whatever since says (as
# Stripe's lists do without their own pagination). An answer out of
# cursor order is the whole walk: nothing can ask past it. Once an 11th
# record came, the oldest was past the cap, and a full run took it for
# vanished and deleted its row (1 of 10 live ids, under
# full_sync.max_delete_ratio) without a word. Expected: the run warns
# that the answer may be capped, and a full run deletes no id as
# vanished. (Found by a second reading, helper 159.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 5 * 86400

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    last = 11 if flag("more") else 10
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
            for i in range(1, last + 1)]
    return 200, [], json.dumps({"data": sorted(recs, key=lambda r: r["updated_at"], reverse=True)[:10]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none"
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"

touch "$T_WORK/more"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished"
grep 'msg="an answer out of cursor order is the whole walk' "$PRODUCER_LAST_LOG" |
    matches "records=10" || fail "no warning that the answer may be capped"
matches 'msg="full fetch not provably complete' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the full run treats no id as vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11" "$(live_ids)" "live rows after the full run (record 1 is past the cap)"
log "ok"
