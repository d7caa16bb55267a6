#!/usr/bin/env bash
# t_second_walk_hwm_ids: a bulk update gives records 1 to 30 one cursor
# value and records 31 to 33 the minute after; pages are capped at 10.
# The tie group is paged by number, and its fourth page also holds the
# next minute: the HWM's bucket. While that page is asked, record 2 is
# deleted: record 31 is on no page of the first walk, and the second walk
# publishes it. The next run reads the HWM's bucket again and skips what
# the HWM's ids say was published; record 31, published by the second
# walk, was not among them and went out again: a second copy of one
# version on the topic.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time

BASE = time.time() - 3 * 86400
BULK = iso_ms(time.time() - 3600)   # one bulk update an hour ago
NEXT = iso_ms(time.time() - 3540)   # and a minute later

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
            elif r["id"] <= 33:
                r.update(name="next %d" % r["id"], updated_at=NEXT)
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    # the tie group's fourth page: just before it is answered, record 2
    # (served on the first) is deleted
    if flag("bulk") and page == 4 and since == BULK and not st.get("deleted"):
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
wait_run_completed "$(last_run_field run_id)" 60
grep -q 'msg="records walked a second time.*missed=1' "$PRODUCER_LAST_LOG" ||
    fail "no second walk finding record 31: $(grep -i 'second time' "$PRODUCER_LAST_LOG" | tail -2)"
assert_eq "next 31" "$(psql_value "select name from items where id = 31")" "record 31 after the run"
run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by the next run (nothing changed)"
assert_eq 2 "$(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | grep -cx 31)" \
    "events of record 31 on the topic (its first version and the bulk update's)"
log "ok"
