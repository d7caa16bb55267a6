#!/usr/bin/env bash
# t_since_moved_date: an ordinary `>=` API with cursor.precision = date.
# During an incremental run the only record of the day the walk re-seeks
# at is deleted between the two requests: the page looks like a `>` API's,
# and the walk asks the day before from then on. Its page starts at 01:00
# the day before, 43 h below the since: the 38 h rule, measured from the
# since and not from the day asked, failed the run saying the API ignores
# its parameter. (Record 29, served before its deletion, stays live until
# a full run finds it vanished.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import json, time, datetime
D0 = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - datetime.timedelta(days=60)
def at(i):
    t = D0 + datetime.timedelta(days=i, hours=20 if i % 2 == 0 else 1)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "updated_at": at(i)} for i in range(1, 21)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    st = req.state
    if flag("more") and not st.get("more"):
        st["more"] = True
        st["recs"] += [{"id": i, "name": "item %d" % i, "updated_at": at(i)} for i in range(21, 41)]
    page = int(req.query.get("page", "1"))
    since = req.query.get("modified_since")
    if flag("more") and since == at(29)[:10] and not st.get("deleted"):
        st["deleted"] = True
        st["recs"] = [r for r in st["recs"] if r["id"] != 29]
    rows = sorted((r for r in st["recs"] if since is None or r["updated_at"][:10] >= since),
                  key=lambda r: (r["updated_at"], r["id"]))
    size = min(int(req.query.get("per_page", "100")), 10)   # the API's cap
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: cursor.precision = date"

first_sync
assert_eq 20 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the first sync"
touch "$T_WORK/more"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "rows after the incremental run"
log "ok"
