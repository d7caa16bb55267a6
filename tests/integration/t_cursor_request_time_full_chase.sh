#!/usr/bin/env bash
# t_cursor_request_time_full_chase: records whose cursor is the time of
# the request (lib_request_time.sh) that do not fit in one page: four of
# them (11..14) and pages of 2 (page.size = 2, which the API serves in
# full). A page of moved records ended the walk only when it was shorter
# than page.size, so a full run re-seeked at each full page of them and
# never ended (hundreds of requests, each record published once a
# request). Now what lies past such a page is asked by number at its
# since, to the empty page. (Found by a second reading, helper 162.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 11)]
    # the time of the request, in ms, later at each request (a real API
    # takes a few ms a request)
    st = req.state
    st["t"] = max(time.time(), st.get("t", 0) + 0.002)
    now = iso_ms(st["t"])
    recs += [{"id": i, "name": "never updated", "updated_at": now} for i in range(11, 15)]
    return page_of(req, recs, cursor_field="updated_at")
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 2"
run_bounded
log "ok"
