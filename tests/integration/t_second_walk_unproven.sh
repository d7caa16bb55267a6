#!/usr/bin/env bash
# t_second_walk_unproven: as t_incr_tie_shift, a deletion in a tie group
# of 30 records (pages capped at 10) hides record 11 from the first walk;
# but the second walk meets an empty page that says it is an error (a
# rate limit answered 200). It read part of what the first walk may have
# missed, so the run holds its HWM at the tie group's since instead of
# moving past it, and completes; the next run reads the group again and
# publishes record 11.
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
    if flag("bulk") and since == BULK:
        n = st[page] = st.get(page, 0) + 1
        if page == 2 and n == 1:   # the first walk: record 2 is deleted
            st["recs"] = [r for r in st["recs"] if r["id"] != 2]
        elif page == 1 and n == 2:  # the second walk: a rate limit, answered 200
            return 200, [], json.dumps({"data": [], "error": {"code": 429, "message": "slow down"}})
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync

touch "$T_WORK/bulk"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "item 11" "$(psql_value "select name from items where id = 11")" \
    "record 11 after the run whose second walk was cut short"
grep -q 'msg="second walk not provably complete' "$PRODUCER_LAST_LOG" ||
    fail "no warning of the second walk cut short: $(grep -i 'second' "$PRODUCER_LAST_LOG" | tail -2)"

run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "bulk 11" "$(psql_value "select name from items where id = 11")" "record 11 after the next run"
assert_eq "changed 40" "$(psql_value "select name from items where id = 40")" "record 40 after it"
log "ok"
