#!/usr/bin/env bash
# t_since_exclusive: an API whose cursor parameter serves records *after*
# its value (updated_after: `>`), not from it, and caps its pages at 10.
# A bulk update gave records 5 to 34 one cursor value. The seek walk asks
# each next page from the last cursor it saw: such an API skipped every
# record of the group after the first page, and the first sync stored 20
# of 40 rows, completed without a word. The first page at a new since
# must start in the bucket of the record that set it; when it does not,
# the walk starts again asking one unit below each since. A second bulk
# update, read incrementally, comes whole too.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)
BULK2 = iso_ms(time.time() - 1800)
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i,
                      "updated_at": BULK if 5 <= i <= 34 else iso_ms(BASE + i * 60)}
                     for i in range(1, 41)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    if flag("bulk2") and not st.get("bulk2"):
        st["bulk2"] = True
        for r in st["recs"]:
            if r["id"] <= 25:
                r.update(name="second %d" % r["id"], updated_at=BULK2)
    # records after since (`>`), pages capped at 10
    return page_of(req, st["recs"], cursor_field="updated_at", max_page=10, after=True)
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
grep -q 'msg="the API serves records after the cursor parameter' "$PRODUCER_LAST_LOG" ||
    fail "no warning of the API's exclusive filter"

touch "$T_WORK/bulk2"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 25 "$(psql_value "select count(*) from items where name like 'second %'")" \
    "rows of the second bulk update after the incremental run"
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after it"
log "ok"
