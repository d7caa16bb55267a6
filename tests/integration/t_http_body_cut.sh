#!/usr/bin/env bash
# t_http_body_cut: the server (or a load balancer timing out a slow
# response) closes the connection in the middle of a body: the headers
# promise Content-Length bytes, half of them come, then the connection is
# closed. What did arrive is a prefix of a JSON page: a record cut in the
# middle, the array never closed. 40 items in pages of 10 (pagination =
# page, read-ahead on), the first sync reads them all; then the page that
# holds item 25 is cut:
#  (a) twice, then answered whole: a transfer error is retried (README:
#      connection errors are), the full run completes, reads every record
#      and deletes nothing;
#  (b) every time, with max.retries = 2: the full run fails (exit 1) with an
#      error, deletes nothing, and every row stays live.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 41)]
def handle(req):
    st = req.state
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    status, headers, body = page_of(req, RECS, cursor_field="updated_at")
    if any(r["id"] == 25 for r in json.loads(body)["data"]):
        if flag("cut_always") or (flag("cut_twice") and st.get("cuts", 0) < 2):
            st["cuts"] = st.get("cuts", 0) + 1
            return 200, [("Content-Length", str(len(body))), ("Connection", "close")], body[:len(body) // 2]
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

# (a) cut twice, then whole: retried, completed.
touch "$T_WORK/cut_twice"
run_producer_once --full
log "(a) retries logged: $(grep -c 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG"); $(grep -m1 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG" | grep -o 'error="[^"]*"' | cut -c1-200)"
assert_eq 2 "$(grep -c 'msg="http request failed, retrying"' "$PRODUCER_LAST_LOG")" "retries of the cut answers"
assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
assert_eq 40 "$(last_run_field published)" "records the full run published"
wait_run_completed "$(last_run_field run_id)" 60
rm "$T_WORK/cut_twice"

# (b) cut every time: the run fails, nothing deleted.
touch "$T_WORK/cut_always"
write_config "stream: -deleted.url" "stream: page.size = 10" "stream: max.retries = 2"
run_producer_once_rc 1 --full
log "(b) $(last_failed_line | grep -o 'error="[^"]*"' | cut -c1-250)"
[ -n "$(last_failed_line)" ] || fail "no 'run failed' line"
wait_caught_up 30
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the failed full run"
assert_eq 0 "$(kc -C -t "$PREFIX.$STREAM" -e -f '%h\n' | grep -c 'tidemark.op=delete')" "delete events on the topic"
log "ok"
