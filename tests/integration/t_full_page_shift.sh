#!/usr/bin/env bash
# t_full_page_shift: a full run over an API that pages by number in its
# own order (by id; cursor.sorted = false). While the run walks, record 2
# is deleted: the later pages shift by one, and record 11, changed since
# the last run, is on no page of the first walk. The run's second walk
# serves it, so it was spared from deletion, but its change was not
# published: it lies below the HWM that the incremental runs walk from,
# and waited for the next full run. The second walk now publishes what
# the first missed.
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
    recs = []
    for i in range(1, 21):
        if i == 2 and st.get("deleted"):
            continue
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if i == 11 and flag("changed"):
            r = {"id": 11, "name": "changed 11", "updated_at": iso_ms(BASE + 86400)}
        recs.append(r)
    size = int(req.query.get("per_page", "100"))
    since = req.query.get("modified_since")
    rows = sorted((r for r in recs if since is None or r["updated_at"] >= since),
                  key=lambda r: r["id"])   # the API's own order: by id
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: cursor.sorted = false"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/changed" "$T_WORK/shift"
# (2 was served on page 1 before its deletion: the next full run finds it)
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 11" "$(psql_value "select name from items where id = 11")" \
    "record 11 after the full run whose first walk missed it"
rm "$T_WORK/shift"
run_producer_once --full
assert_eq 1 "$(last_run_field vanished)" "ids the next full run found vanished (2)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after it"
assert_eq "changed 11" "$(psql_value "select name from items where id = 11")" "record 11 after it"
log "ok"
