#!/usr/bin/env bash
# t_cursor_mixed_offsets: an API that renders each record's timestamp in the
# UTC offset of whoever owns it (a venue's, a shop's, a user's zone) or in
# whichever spelling its code path uses (`Z`, `+00:00`): one page mixes
# `+05:30`, `Z`, `-08:00`, `+00:00`... Its filter and its order are by
# instant (a timestamptz column), so as text the cursors of a page are out
# of order, and records sharing one instant (a bulk update) are written
# differently. Pages are capped at 3 (page.size 3, pagination = page: the
# seek walk re-asks at each page's last cursor), ties of three and two
# records sit on page boundaries and at the HWM, and the deleted endpoint
# writes deleted_at in offsets too. Every run must take the cursors by
# instant: the first sync has every record with the right instant, an idle
# run publishes nothing, a change written in an offset whose text sorts
# below the HWM's text (but is later) is published, a new record too, a
# deletion is applied, the runs after publish nothing, and a full run
# finds nothing vanished.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import datetime, time
UTC = datetime.timezone.utc
OFFS = [330, 0, -480, 0, 120, -300, 540, -180]   # minutes east of UTC, in turn
BASE = int(time.time() - 3 * 86400)

def text(t, off, zulu=False):
    """Instant t (epoch s, float) as ISO text in offset off (minutes)."""
    d = datetime.datetime.fromtimestamp(t, UTC).astimezone(datetime.timezone(datetime.timedelta(minutes=off)))
    s = d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (d.microsecond // 1000)
    if off == 0 and zulu:
        return s + "Z"
    return s + ("+" if off >= 0 else "-") + "%02d:%02d" % divmod(abs(off), 60)

def init(state, argv):
    inst = {i: BASE + i * 60 for i in range(1, 12)}
    for i in (7, 8, 9):          # a tie of three, across a page boundary
        inst[i] = BASE + 7 * 60
    for i in (10, 11):           # a tie of two at the HWM
        inst[i] = BASE + 10 * 60
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "t": inst[i], "off": OFFS[i % len(OFFS)],
                         "zulu": i % 2 == 0} for i in inst}
    state["deleted"] = []

def rendered(r):
    return {"id": r["id"], "name": r["name"], "updated_at": text(r["t"], r["off"], r["zulu"])}

def page(req, rows, key):
    since = req.query.get("modified_since") or req.query.get("since")
    s = datetime.datetime.fromisoformat(since).timestamp() if since else None
    rows = sorted((r for r in rows if s is None or r[key] >= s - 1e-9), key=lambda r: (r[key], r["id"]))
    n = int(req.query.get("page", "1"))
    size = min(int(req.query.get("per_page", "100")), 3)
    return rows[(n - 1) * size:n * size]

def handle(req):
    st = req.state
    if req.method == "POST" and req.path == "/admin/step":
        now = time.time()
        r = st["recs"][2]
        r.update(name="changed 2", t=now - 60, off=-480, zulu=False)   # text sorts low: -08:00
        st["recs"][12] = {"id": 12, "name": "item 12", "t": now - 30, "off": 540, "zulu": False}
        st["recs"].pop(5)
        st["deleted"].append({"id": 5, "t": now - 20, "off": -180})
        return 200, [], "{}"
    if req.path == "/items/deleted":
        chunk = page(req, st["deleted"], "t")
        return 200, [], json.dumps({"data": [{"id": d["id"], "deleted_at": text(d["t"], d["off"])}
                                             for d in chunk]})
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return 200, [], json.dumps({"data": [rendered(r) for r in page(req, st["recs"].values(), "t")]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: page.size = 3"

# "id<TAB>epoch ms" of each live row's updated_at.
rows_ms() { psql_value "select id, (extract(epoch from updated_at) * 1000)::bigint from items where not _deleted order by id"; }

first_sync
assert_eq "1,2,3,4,5,6,7,8,9,10,11" "$(live_ids)" "live rows after the first sync"
base=$(psql_value "select (extract(epoch from updated_at) * 1000)::bigint - 60000 from items where id = 1")
want=""
for i in 1 2 3 4 5 6 7 8 9 10 11; do
    m=$i
    case $i in 8 | 9) m=7 ;; 11) m=10 ;; esac
    want+="$i"$'\t'"$((base + m * 60000))"$'\n'
done
assert_eq "${want%$'\n'}" "$(rows_ms)" "each row's updated_at (the instant, whatever the offset)"

run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by an idle run"

api_post /admin/step >/dev/null || fail "admin step"
run_producer_once
log "run after the changes: published=$(last_run_field published) deletes=$(last_run_field deletes) stale=$(last_run_field stale_deletes)"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,6,7,8,9,10,11,12" "$(live_ids)" "live rows after the change, the new record and the deletion"
assert_eq "changed 2" "$(psql_value 'select name from items where id = 2')" "row 2 after its change (written -08:00)"

for i in 1 2; do
    run_producer_once
    assert_eq 0 "$(last_run_field published)" "events published by idle run $i after the changes"
    assert_eq 0 "$(last_run_field deletes)" "deletes published by idle run $i after the changes"
done

run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "1,2,3,4,6,7,8,9,10,11,12" "$(live_ids)" "live rows after the full run"
log "ok"
