#!/usr/bin/env bash
# t_since_text_space: an API that keeps its timestamps as text the way
# SQLite's datetime() and Rails-on-SQLite write them ("2026-01-06
# 10:00:00.123456": a space, microseconds, UTC without a zone) and filters
# `updated_at >= :since` on that text. Sent since as "2026-01-06T10:00:00.
# 123Z", ' ' sorts before 'T': every later record of the since's own day
# is below it as text and was never served, while every run completed
# (the walk took the empty page for `>`, then for the end). Pages are
# capped at 3; records 1..12, ten minutes apart on one day.
# - By default the full sync must fail, saying the API may compare the
#   parameter as text written otherwise: never complete with fewer rows.
# - With cursor.param.format = %Y-%m-%d %H:%M:%S.%f (the API's spelling)
#   the full sync brings all 12, and an incremental run the 3 records
#   added later that day (a one-page walk, which nothing could check).
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import datetime
DAY = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)).replace(
    hour=8, minute=0, second=0, microsecond=0)
def text(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")
def rec(i):
    return {"id": i, "name": "item %d" % i,
            "updated_at": text(DAY + datetime.timedelta(minutes=10 * i, microseconds=123456))}
def init(state, argv):
    state["recs"] = [rec(i) for i in range(1, 13)]
def handle(req):
    if req.path == "/admin/add":  # three more, later the same day
        req.state["recs"] += [rec(i) for i in range(13, 16)]
        return 200, [], "{}"
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    # >= on the stored text, sorted by it, pages capped at 3
    return page_of(req, req.state["recs"], cursor_field="updated_at", max_page=3)
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

run_producer_once_rc 1
failed=$(last_failed_line)
grep -qF "the API did not serve that record again" <<<"$failed" ||
    fail "the run failed for another reason: $failed"
grep -qF "compare modified_since as text written otherwise" <<<"$failed" ||
    fail "the error does not name the likely cause: $failed"
assert_eq "" "$(run_records | jq -r 'select(.status == "completed") | .run_id')" \
    "completed runs of an API that compares since as text in its own spelling"

write_config "stream: -deleted.url" "stream: cursor.param.format = %Y-%m-%d %H:%M:%S.%f"
first_sync
assert_eq 12 "$(psql_value 'select count(*) from items where not _deleted')" \
    "rows after the full sync, since written as the API writes it"
jq -r '.query.modified_since // empty' "$HOSTILE_LOG" | grep -qE '^[0-9-]{10} [0-9:]{8}\.[0-9]{3}000$' ||
    fail "no request had since in the API's spelling: $(jq -r '.query.modified_since // empty' "$HOSTILE_LOG" | tail -n 3)"

api_post /admin/add >/dev/null || fail "admin add"
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_eq 15 "$(psql_value 'select count(*) from items where not _deleted')" \
    "rows after an incremental run, records added later that day"
log "ok"
