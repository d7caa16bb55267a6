#!/usr/bin/env bash
# t_restore_shift: an incremental run over an API that pages by number in
# its own order (by id; cursor.sorted = false) and has a deleted
# endpoint. Since the last run, records 3 to 14 changed, and record 8 was
# deleted and restored (the deleted endpoint still lists it, as many do).
# While the records walk reads page 2, record 3 (served on page 1) is
# deleted: the later pages shift by one and record 8 is on none of them.
# Its deletion, held until the walk was over, was published as if 8 were
# still gone, and the next runs, walking from the new HWM, never served
# its restore: deleted downstream while the API serves it. The second
# walk, before the held deletions are published, serves it now.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    st = req.state
    if req.path == "/items/deleted":
        items = [{"id": 8, "deleted_at": iso_ms(BASE + 86400)}] if flag("changed") else []
        return page_of(req, items, cursor_field="deleted_at", cursor_param="since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    page = int(req.query.get("page", "1"))
    if flag("changed") and page == 2 and not st.get("deleted"):
        st["deleted"] = True
    recs = []
    for i in range(1, 21):
        if i == 3 and st.get("deleted"):
            continue
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if 3 <= i <= 14 and flag("changed"):   # 8: restored after its deletion
            r = {"id": i, "name": "changed %d" % i, "updated_at": iso_ms(BASE + 86400 + i * 60)}
        recs.append(r)
    return page_of(req, recs, cursor_field="updated_at", by_id=True)   # the API's own order
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 5" "stream: cursor.sorted = false"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/changed"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
assert_eq 1 "$(last_run_field stale_deletes)" "held deletions found stale (8's)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" \
    "live rows after the run whose first walk missed record 8's restore"
assert_eq "changed 8" "$(psql_value "select name from items where id = 8")" "record 8's name"
log "ok"
