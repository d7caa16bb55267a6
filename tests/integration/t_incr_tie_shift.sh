#!/usr/bin/env bash
# t_incr_tie_shift: an incremental run over an API that caps its pages at
# 10 whatever per_page asks and sorts by (cursor, id). Since the last
# run, a bulk update gave records 1 to 30 one cursor value, and record 40
# changed a minute later. Inside that tie group the seek walk pages by
# number, and while it asks the group's second page, record 2 (served on
# the first) is deleted: the later pages shift by one and record 11 is on
# none of them. The walk goes on to record 40, so the HWM passes the
# group and no later incremental run reads record 11's change again. A
# second walk of the group now publishes it.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)   # one bulk update an hour ago

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for r in st["recs"]:
            if r["id"] <= 30:
                r.update(name="bulk %d" % r["id"], updated_at=BULK)
            elif r["id"] == 40:
                r.update(name="changed 40", updated_at=iso_ms(time.time() - 3540))
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    # the tie group's second page: just before it is answered, record 2
    # (served on the first) is deleted
    if flag("bulk") and page == 2 and since == BULK and not st.get("deleted"):
        st["recs"] = [r for r in st["recs"] if r["id"] != 2]
        st["deleted"] = True
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/bulk"
run_producer_once
assert_eq incremental "$(last_run_field mode)" "the run's mode"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "bulk 11" "$(psql_value "select name from items where id = 11")" \
    "record 11 after the incremental run whose first walk missed it"
assert_eq 30 "$(psql_value "select count(*) from items where name like 'bulk %'")" \
    "rows of the bulk update after it (2 was served before its deletion)"
assert_eq "changed 40" "$(psql_value "select name from items where id = 40")" "record 40 after it"
grep -q 'msg="records walked a second time.*reason=paged_by_number.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 11: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
log "ok"
