#!/usr/bin/env bash
# t_page_empty_200: an API (or a proxy in front of it) that answers a page
# after the first with `200 OK`, `Content-Length: 0` and no body at all -
# not 204, which README takes for an empty page. An empty 200 says nothing
# about the records: taken for an empty page it would end the walk there,
# and a full run would delete every record after it as vanished. 40 items
# in pages of 10 (pagination = page, the seek walk; read-ahead is on), the
# first sync reads them all; then every page that holds item 25 comes
# back empty, and the periodic full run (full_sync.every = 1ms: every
# run is due) meets it. Expected: that run fails (exit 1) with an error
# naming the URL and deletes nothing; the next run goes on from the HWM
# the failed one kept (README: a periodic full run's failure does not
# stop the changes since), past that page: a change to item 35 is
# published; once the API answers again the full run completes, all 40
# rows are live and no delete was ever published. (Written by helper 158.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def init(state, argv):
    state["recs"] = {i: {"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
                     for i in range(1, 41)}
def handle(req):
    st = req.state
    if req.method == "POST" and req.path == "/admin/touch":
        i = int(req.query["id"])
        st["recs"][i] = dict(st["recs"][i], name="changed %d" % i, updated_at=iso_ms(time.time() - 5))
        return 200, [], "{}"
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    status, headers, body = page_of(req, sorted(st["recs"].values(), key=lambda r: r["id"]),
                                    cursor_field="updated_at")
    recs = json.loads(body)["data"]
    if flag("empty") and any(r["id"] == 25 for r in recs):
        return 200, [("Content-Length", "0")], b""
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10" "producer: full_sync.every = 1ms"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/empty"
run_producer_once_rc 1
line=$(last_failed_line)
matches ' mode=full ' <<<"$line" || fail "the run that met the empty 200 was not the full run: $line"
log "full run: $(sed 's/^.*msg=/msg=/' <<<"$line" | cut -c1-300)"
[ -n "$line" ] || fail "no 'run failed' line for the full run that met an empty 200"
matches -F 'vanished' <<<"$(grep 'run completed' "$PRODUCER_LAST_LOG")" && fail "the full run completed"

# The next run resumes the failed full run from the HWM it kept (README:
# no reconciliation), past item 25's page: item 35's change is published.
api_post "/admin/touch?id=35" >/dev/null || fail "admin touch"
run_producer_once
assert_eq 0 "$(last_run_field deletes)" "deletes of the run after the failed full run"
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "changed 35" "$(psql_value 'select name from items where id = 35')" "row 35 after its change"

# The API answers again: the periodic full run is done again, nothing vanished.
rm "$T_WORK/empty"
run_producer_once
log "run after the API recovered: mode=$(last_run_field mode) vanished=$(last_run_field vanished)"
assert_eq full "$(last_run_field mode)" "mode of the run after the API recovered"
assert_eq 0 "$(last_run_field deletes)" "deletes of the run after the API recovered"
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after all"
assert_eq 0 "$(kc -C -t "$PREFIX.$STREAM" -e -f '%h\n' | grep -c 'tidemark.op=delete')" "delete events on the topic"
log "ok"
