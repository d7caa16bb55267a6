#!/usr/bin/env bash
# t_full_second_walk_cut: t_full_tie_shift's full run (30 records of one
# bulk import, pages capped at 10, item 2 deleted while the tie group is
# paged by number, so the first walk never serves item 11), but the
# second walk's pages with item 11 on them come back cut short: the rows
# the query got, without item 11, and an `errors` member beside them (a
# search timeout). The second walk read to its end and was
# taken as proof: item 11 counted as vanished, and the full run deleted it
# downstream although the API served it all along. Now a second walk that
# may lack records deletes no id as vanished, and says so.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'EOF'
import json, time

T = iso_ms(time.time() - 3600)   # one bulk import an hour ago

def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": T} for i in range(1, 31)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    recs = st["recs"]
    page = int(req.query.get("page", "1"))
    if flag("armed") and page == 2 and not st.get("deleted"):
        st["recs"] = recs = [r for r in recs if r["id"] != 2]
        st["deleted"] = True
    since = req.query.get("modified_since")
    rows = sorted((r for r in recs if since is None or r["updated_at"] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    rows = rows[(page - 1) * size:page * size]
    # after the deletion only the second walk asks a first page (at no
    # since, then at the tie group's): every one with item 11 on it is
    # cut short by a timeout
    if st.get("deleted") and any(r["id"] == 11 for r in rows):
        return 200, [], json.dumps({"data": [r for r in rows if r["id"] != 11], "errors": [
                {"message": "search timed out: results are partial", "code": "PARTIAL_RESULTS"}]})
    return 200, [], json.dumps({"data": rows})
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
assert_eq 30 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/armed"
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
matches 'msg="records walked a second time\|msg="second walk' \
    "$PRODUCER_LAST_LOG" || fail "the full run did not walk the records a second time"
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished"
assert_eq "f" "$(psql_value 'select _deleted from items where id = 11')" \
    "item 11 deleted in PostgreSQL? (the API served it before, during and after the full run)"
matches 'msg="second walk served records beside an error' "$PRODUCER_LAST_LOG" ||
    fail "no warning that the second walk proved nothing"
log "ok"
