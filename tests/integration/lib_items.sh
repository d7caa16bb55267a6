# shellcheck shell=bash
# lib_items.sh - lib.sh for a scenario on the items stream of a scripted
# API (start_hostileapi; hostile_api.py's Items keeps such an API's
# records and deleted list): the fixture schema fixtures/item.avsc (id,
# name, updated_at) and no soft-delete field. Sourced instead of lib.sh.
# shellcheck disable=SC2034 # variables read by lib.sh
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures/item.avsc"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# deleted_at_of_rows - _deleted_at of the deleted rows, by id.
deleted_at_of_rows() { psql_value "select string_agg(_deleted_at::text, ',' order by id) from items where _deleted"; }

# delete_events - delete events (header tidemark.op=delete) on the
# stream's topic.
delete_events() { kc -C -t "$PREFIX.$STREAM" -e -f '%k %h\n' | grep -c 'tidemark.op=delete'; }

# deletes_3_4_then_quiet_runs - with the scenario's API (3 and 4 deleted
# once the flag file "deleted" exists): the first sync, a run that
# publishes the two deletes, then two runs with nothing changed, each
# applied. After the deletes' run: n1, the delete events on the topic, and
# at1, the deleted rows' _deleted_at (deleted_at_of_rows).
deletes_3_4_then_quiet_runs()
{
    local i
    first_sync
    touch "$T_WORK/deleted"
    run_producer_once
    assert_eq 2 "$(last_run_field deletes)" "deletes of the run after 3 and 4 were deleted"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows after the deletions"
    n1=$(delete_events)
    at1=$(deleted_at_of_rows)
    for i in 1 2; do
        run_producer_once
        wait_run_completed "$(last_run_field run_id)" 60
        log "quiet run $i: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes); delete events on the topic: $(delete_events)"
    done
    assert_eq "1,2,5,6,7,8,9,10" "$(live_ids)" "live rows after two quiet runs"
}

# start_revival_api - the embedded broker and an API of records 1..10
# (cursors days old) that hides record 2 while the flag file "hidden"
# exists; POST /admin/touch?id=N changes record N now, POST
# /admin/list_deleted?id=N makes its bare-id deleted endpoint list N
# (deleted, then restored as it was). Then the config.
start_revival_api()
{
    cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    st = req.state
    recs = st.setdefault("recs", {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                                  for i in range(1, 11)})
    dels = st.setdefault("dels", [])
    if req.method == "POST" and req.path == "/admin/touch":
        i = int(req.query["id"])
        recs[i] = dict(recs[i], name="changed %d" % i, updated_at=iso_ms(time.time()))
        return 200, [], "{}"
    if req.method == "POST" and req.path == "/admin/list_deleted":
        dels.append(int(req.query["id"]))   # deleted, then restored as it was
        return 200, [], "{}"
    if req.path == "/items/deleted":
        return 200, [], json.dumps({"data": dels if req.query.get("page", "1") == "1" else []})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    rows = [r for r in recs.values() if not (flag("hidden") and r["id"] == 2)]
    return page_of(req, rows, cursor_field="updated_at")
PY
    start_devbroker
    start_hostileapi "$T_WORK/api.py"
    write_config
}

# revive_two - first sync, record 2 hidden and deleted as vanished by a
# full run, then served again and revived by the next full run.
revive_two()
{
    first_sync_then_hide_two
    rm "$T_WORK/hidden"
    run_producer_once --full
    assert_eq 1 "$(last_run_field revived)" "ids the full run revived"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows once 2 is served again"
}

# assert_listed_two_stays_live - the deleted endpoint now lists 2, which
# the API serves: the run walks the records whole, finds the deletion
# stale and publishes none; 2 stays live.
assert_listed_two_stays_live()
{
    api_post "/admin/list_deleted?id=2" >/dev/null || fail "admin list_deleted"
    run_producer_once
    grep 'records walked again' "$PRODUCER_LAST_LOG" | sed 's/.*msg=/msg=/'
    log "run: deletes=$(last_run_field deletes) stale_deletes=$(last_run_field stale_deletes)"
    assert_eq 0 "$(last_run_field deletes)" "deletes published (2 is served)"
    assert_eq 1 "$(last_run_field stale_deletes)" "deletions found stale"
    grep -q 'msg="records walked again for undated deletions.* since=none' "$PRODUCER_LAST_LOG" ||
        fail "no whole walk of the records for the revived id"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows (the API serves 2)"
}

# start_first_deletion_api [ignores-since] - the embedded broker, an API
# of Items(n=10) whose deleted endpoint keeps an id's FIRST deletion (POST
# /admin/delete?id=N removes record N; POST /admin/restore?id=N brings it
# back, changed now, the deletion kept), filtered by since unless
# "ignores-since" is given; then the config and the first sync.
start_first_deletion_api()
{
    cat >"$T_WORK/api.py" <<PY
import time
IGNORES_SINCE = $([ "${1:-}" = ignores-since ] && echo True || echo False)
def handle(req):
    st = req.state
    if "items" not in st:
        st["items"] = Items(n=10)
    it = st["items"]
    if req.method == "POST" and req.path == "/admin/delete":
        i = int(req.query["id"])
        it.recs.pop(i, None)
        if not any(d["id"] == i for d in it.deleted):   # first deletion kept
            it.deleted.append({"id": i, "deleted_at": iso_ms(time.time())})
        return 200, [], "{}"
    if req.method == "POST" and req.path == "/admin/restore":
        i = int(req.query["id"])   # back, changed now; the deletions table keeps its entry
        it.recs[i] = {"id": i, "name": "restored %d" % i, "updated_at": iso_ms(time.time())}
        return 200, [], "{}"
    if req.path == "/items/deleted" and IGNORES_SINCE:
        page = int(req.query.get("page", "1"))
        return 200, [], json.dumps({"data": it.deleted if page == 1 else []})
    if req.path == "/items/deleted":
        return it.deleted_page(req)
    return it.records_page(req)
PY
    start_devbroker
    start_hostileapi "$T_WORK/api.py"
    write_config
    first_sync
    assert_eq "1,2,3,4,5,6,7,8,9,10" "$(live_ids)" "live rows after the first run"
}

# items_step ADMIN_PATH EXPECTED_LIVE - POST ADMIN_PATH, one producer run
# applied, and the live rows are EXPECTED_LIVE.
items_step()
{
    api_post "$1" >/dev/null || fail "admin $1"
    run_producer_once
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "$2" "$(live_ids)" "live rows after $1"
}
