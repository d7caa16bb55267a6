#!/usr/bin/env bash
# t_since_exclusive_shift: t_incr_tie_shift on an API that filters since
# as `>` and caps its pages at 10. A bulk update gave records 1 to 30 one
# cursor; while the walk pages through that group by number, record 2 is
# deleted and record 11 is on no page. The first walk found the `>` filter
# and asked below each since, but the second walk, a walk of its own,
# asked the group's cursor as it was: the API served nothing of the group,
# and record 11's change was lost. The run's later walks now ask below too.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400
BULK_T = time.time() - 3600
BULK = iso_ms(BULK_T)   # one bulk update an hour ago
BULK_LO = iso_ms(BULK_T - 1)

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 61)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    if flag("bulk") and not st.get("bulk"):
        st["bulk"] = True
        for r in st["recs"]:
            if r["id"] <= 30:
                r.update(name="bulk %d" % r["id"], updated_at=BULK)
            elif r["id"] >= 40:
                r.update(name="changed %d" % r["id"], updated_at=iso_ms(BULK_T + r["id"]))
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    # the tie group's second page: just before it is answered, record 2
    # (served on the first) is deleted
    if flag("bulk") and page == 2 and since is not None and BULK > since >= BULK_LO and not st.get("deleted"):
        st["recs"] = [r for r in st["recs"] if r["id"] != 2]
        st["deleted"] = True
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] > since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
assert_eq 60 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

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
