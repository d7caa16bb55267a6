#!/usr/bin/env bash
# t_none_capped_ignores_since: README's own motivating case for
# pagination = none, "a list endpoint's default limit": an endpoint that
# answers at most 10 records, oldest change first, and ignores the cursor
# parameter (a plain list: unknown query parameters are dropped). Records
# 1-10 are published; then record 11 is added and record 3 changed after
# it, so that 3 sorts 11th, past the cap: the API still serves it (ask it
# and it is there), it is only beyond the default limit. A full run asks
# again at its answer's last cursor, gets the same ten records (the API
# ignores since), takes that as "nothing new" and the walk as whole, and
# deleted 3 as vanished (1 of 11, under full_sync.max_delete_ratio):
# a live row deleted, without a word. Expected: the full run deletes no
# live record (an answer repeated by an API that ignores since does not
# prove the walk complete), and says why. (Found by a second reading,
# helper 159.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 5 * 86400

def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: {"id": i, "name": "item %d" % i,
                                      "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 11)})
    if flag("more") and 11 not in recs:
        recs[11] = {"id": 11, "name": "item 11", "updated_at": iso_ms(BASE + 3600)}
        recs[3] = {"id": 3, "name": "item 3 changed", "updated_at": iso_ms(BASE + 7200)}
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    rows = sorted(recs.values(), key=lambda r: (r["updated_at"], r["id"]))[:10]
    return 200, [], json.dumps({"data": rows})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = none"
first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first sync"

touch "$T_WORK/more"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
log "incremental run: live rows $(live_ids)"

run_producer_once --full
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes)"
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished"
grep 'msg="an answer asked from the last record' "$PRODUCER_LAST_LOG" | matches "records=10" ||
    fail "no warning that the API ignores the cursor parameter and may cap its answers"
matches 'msg="full fetch not provably complete' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the full run treats no id as vanished"
wait_run_completed "$(last_run_field run_id)" 60
live=$(live_ids)
case ",$live," in
    *,3,*) ;;
    *) fail "live rows after the full run: $live (record 3, which the API still serves past its default limit, was deleted as vanished)" ;;
esac
log "ok"
