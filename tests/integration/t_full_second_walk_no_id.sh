#!/usr/bin/env bash
# t_full_second_walk_no_id: a full run over an API that pages by number in
# its own order (by id; cursor.sorted = false), where record 11 is now
# served with "id": null. While the run walks, record 2 is deleted: the
# later pages shift by one and record 11 is on no page of the first walk.
# The second walk, looking for the ids the first did not serve, serves it
# with no id. A full run whose walk serves a record without a usable id
# deletes no id as vanished (that record may be any of them); the first
# walk's count of such records said none, so the run deleted row 11 as
# vanished while the API still served the record. (Helper 158.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time, json
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    # record 2 is deleted while the first walk of a shifting run reads page 3
    if flag("shift") and page == 3 and not st.get("deleted"):
        st["deleted"] = True
    rows = []
    since = req.query.get("modified_since")
    for i in range(1, 21):   # the API's own order: by id
        if i == 2 and st.get("deleted"):
            continue
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if i == 11 and flag("no_id"):
            r["id"] = None
        if since is None or r["updated_at"] >= since:
            rows.append(r)
    size = int(req.query.get("per_page", "100"))
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: cursor.sorted = false"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/no_id" "$T_WORK/shift"
run_producer_once --full
grep 'msg="vanished ids checked by a second walk' "$PRODUCER_LAST_LOG" ||
    fail "no second walk for the ids the first did not serve"
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
matches 'msg="full fetch served records without an id: no id treated as vanished' "$PRODUCER_LAST_LOG" ||
    fail "no warning that a record without an id kept the run from deleting vanished ids"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" \
    "live rows after the full run (record 11 is still served, without its id)"
log "ok"
