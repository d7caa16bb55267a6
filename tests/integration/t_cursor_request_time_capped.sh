#!/usr/bin/env bash
# t_cursor_request_time_capped: t_cursor_request_time_two where the API
# caps its pages below page.size (per_page = 5 asked, 2 served: many APIs
# cap the page size whatever is asked, which the walk's own end rule
# allows for by comparing with the longest page served, not page.size).
# Records 11 and 12 are served at the time of each request
# (COALESCE(updated_at, now())); after the first sync two more such
# records, 13 and 14, are created. A page of moved records shorter than
# page.size ended an incremental walk: the capped page [11, 12] at every
# since, and 13 and 14, past the cap on the next page, were never
# published. Now such a page ends the walk only when it is shorter than
# the longest page served; else what lies past it is asked by number.
# (Found by a second reading, helper 162.)
# brokers: mock
. "$(dirname "$0")/lib_request_time.sh"
cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 11)]
    # the time of the request, in ms: each request's later than the one
    # before (a real API takes a few ms a request; this one answers two
    # requests sent together in the same ms)
    st = req.state
    st["t"] = max(time.time(), st.get("t", 0) + 0.002)
    now = iso_ms(st["t"])
    last = 15 if flag("more") else 13
    recs += [{"id": i, "name": "never updated", "updated_at": now} for i in range(11, last)]
    return page_of(req, recs, cursor_field="updated_at", max_page=2)
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 5"
run_bounded
start_worker
wait_run_completed "$(last_run_field run_id)" 60
assert_eq "$(seq -s, 1 12)" "$(live_ids)" "live rows after the first sync"
touch "$T_WORK/more"
for i in 1 2 3; do
    run_bounded
done
wait_run_completed "$(last_run_field run_id)" 60
log "events of 13 and 14 on the topic: $(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | grep -cx '1[34]')"
assert_eq "$(seq -s, 1 14)" "$(live_ids)" "live rows after three incremental runs (the API serves 1..14)"
log "ok"
