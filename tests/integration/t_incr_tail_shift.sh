#!/usr/bin/env bash
# t_incr_tail_shift: an incremental run over an API that pages by number
# in its own order (by id; cursor.sorted = false) and caps its pages at 5
# whatever per_page asks. Records 3 to 7 and 20 changed since the last
# run: the first page serves 3 to 7. Before the second page is answered,
# record 3 is deleted, record 20 moves onto the first page's slots, and
# the second page is empty: the walk ends, and only an empty page was
# asked by number, which did not count as paging. Record 20's change lay
# below the HWM for ever (until a full run). Such an empty page now
# counts.
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
    if flag("changed") and page == 2 and not st.get("deleted"):
        st["deleted"] = True
    recs = []
    for i in range(1, 21):
        if i == 3 and st.get("deleted"):
            continue
        r = {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        if (3 <= i <= 7 or i == 20) and flag("changed"):
            r = {"id": i, "name": "changed %d" % i, "updated_at": iso_ms(BASE + 86400 + i * 60)}
        recs.append(r)
    # the API's own order, pages capped at 5
    return page_of(req, recs, cursor_field="updated_at", by_id=True, max_page=5)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: cursor.sorted = false"

first_sync
assert_eq 20 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first run"

touch "$T_WORK/changed"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 20" "$(psql_value "select name from items where id = 20")" \
    "record 20 after the incremental run whose first walk missed it"
log "ok"
