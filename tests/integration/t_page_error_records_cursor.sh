#!/usr/bin/env bash
# t_page_error_records_cursor: an API that answers a query that timed out
# half-way with the rows it got and an error beside them, and no next
# cursor: `200 {"data": [31..34], "errors": [{"message": "... partial
# results"}], "next_cursor": null}` (GraphQL's partial data, a search
# backend's timed_out with the hits so far, a gateway that cuts a slow
# query). pagination = cursor, 40 items in pages of 10; the first sync
# reads them all. Then page 4 (31..40) comes back cut to 31..34 with that
# error. The README handles the EMPTY page beside an error ("the walk ends
# there, unproven: a full run deletes nothing", t_page_error_empty); a
# page with records beside the same error must not prove more: taken as
# the walk's last page, a full run counts 35..40 as vanished and, within
# full_sync.max_delete_ratio (6 of 40 = 15% < 20%), deletes them
# downstream while the API still holds them. Expected: the full run
# deletes nothing (the walk ends unproven, with a warning; the HWM is
# held at the walk's start, as for any walk in the API's own order), and
# every
# one of the 40 rows stays live.
# (Found by a second reading, helper 158.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
RECS = [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)} for i in range(1, 41)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    rows = [r for r in RECS if since is None or r["updated_at"] >= since]
    at = int(req.query.get("cursor", "0"))
    chunk = rows[at:at + 10]
    nxt = str(at + 10) if at + 10 < len(rows) else None
    body = {"data": chunk, "next_cursor": nxt}
    if flag("partial") and chunk and chunk[0]["id"] == 31:
        # the query timed out after 4 rows: what it got, the error, no next
        body = {"data": chunk[:4], "next_cursor": None,
                "errors": [{"message": "query timeout after 30000 ms: results are partial",
                            "code": "PARTIAL_RESULTS"}]}
    return 200, [], json.dumps(body)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: page.size = 10"

first_sync
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/partial"
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished"
matches 'msg="a page whose answer says it is an error beside its records' "$PRODUCER_LAST_LOG" ||
    fail "no warning that a page's answer said it was an error"
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_eq 40 "$(psql_value 'select count(*) from items where not _deleted')" \
    "live rows after a full run whose last page was cut short with an error beside it (deleted: $(psql_value 'select string_agg(id::text, $$,$$ order by id) from items where _deleted'))"
log "ok"
