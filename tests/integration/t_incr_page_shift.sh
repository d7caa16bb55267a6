#!/usr/bin/env bash
# t_incr_page_shift: an incremental run over an API that pages by number
# in its own order (by id; cursor.sorted = false). Records 3 to 14
# changed since the last run; while the walk reads page 2, record 3
# (served on page 1) is deleted. The later pages shift by one, and
# record 8 is on no page of the walk. Its change lies below the HWM the
# next runs walk from: lost until a full run. A second walk, from the
# same since, now publishes the record the first one missed.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    page = int(req.query.get("page", "1"))
    if flag("shift") and page == 2 and not st.get("deleted"):
        st["deleted"] = True
    recs = []
    for i in range(1, 21):
        if i == 3 and st.get("deleted"):
            continue
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if 3 <= i <= 14 and flag("changed"):
            r = {"id": i, "name": "changed %d" % i, "updated_at": iso_ms(BASE + 86400 + i * 60)}
        recs.append(r)
    return page_of(req, recs, cursor_field="updated_at", by_id=True)   # the API's own order
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5" "stream: cursor.sorted = false"

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20" "$(live_ids)" "live rows after the first run"

touch "$T_WORK/changed" "$T_WORK/shift"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 8" "$(psql_value "select name from items where id = 8")" \
    "record 8 after the incremental run whose first walk missed it"
assert_eq 12 "$(psql_value "select count(*) from items where name like 'changed %'")" \
    "rows changed after it (3 to 14: 3 was served before its deletion)"
log "ok"
