#!/usr/bin/env bash
# t_page_error_records_seek: t_page_error_records_cursor's API (a query
# that times out answers with the rows it got and an `errors` member
# beside them) on the default pagination, `page` with the seek walk: item
# 35 is a heavy row (a huge join), and every query that reaches it times
# out, answering the rows before it and
# `"errors": [{"message": "query timeout ... results are partial"}]`.
# 40 items in pages of 10, first synced whole. In a full run the walk
# asks at item 34's cursor, is served [34] with the error, then page 2 at
# that since: empty, the walk's end. 35..40 were never served, and the full
# run (6 of 40, within full_sync.max_delete_ratio) deleted them downstream
# although the API holds them. Expected: the full run deletes nothing (it
# fails, or ends unproven with a warning); all 40 rows stay live.
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
    status, headers, body = page_of(req, RECS, cursor_field="updated_at")
    chunk = json.loads(body)["data"]
    if flag("partial") and any(r["id"] == 35 for r in chunk):
        cut = [r for r in chunk if r["id"] < 35]
        return 200, [], json.dumps({"data": cut, "errors": [
            {"message": "query timeout after 30000 ms: results are partial", "code": "PARTIAL_RESULTS"}]})
    return status, headers, body
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: page.size = 10"

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
    "live rows after a full run whose pages past item 34 came back cut with an error beside them (deleted: $(psql_value 'select string_agg(id::text, $$,$$ order by id) from items where _deleted'))"
log "ok"
