#!/usr/bin/env bash
# t_since_exclusive_micros: an API that keeps microseconds and filters
# `updated_at > :since` (updated_after) on the parsed value, pages capped
# at 3. A bulk update stamped records 4..9 with one millisecond-exact
# time (T.123000, as a job writing a JavaScript Date does) and record 10
# was touched by the database later in the same millisecond (T.123456).
# The page boundary falls inside the bulk group: asked from T.123, the
# API serves record 10 first, inside the bucket of the record that set
# since, so the walk takes the API for `>=` and records 6..9 (after the
# boundary, at exactly since) are never served. (Records 1..3, 11, 12
# have microseconds of their own: `>` at the truncated since serves
# them, as `>=` would.) The table must hold all
# 12, or the run must say why.
# brokers: mock
. "$(dirname "$0")/lib_items.sh"
cat >"$T_WORK/api.py" <<'PY'
import datetime
T0 = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)).replace(microsecond=0)
def at(i):
    if i <= 3:  # written by the database: microseconds
        return T0 + datetime.timedelta(minutes=i, microseconds=654321)
    if i <= 9:
        return T0 + datetime.timedelta(minutes=4, microseconds=123000)
    if i == 10:
        return T0 + datetime.timedelta(minutes=4, microseconds=123456)
    return T0 + datetime.timedelta(minutes=5 + i, microseconds=654321)
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "t": at(i),
                      "updated_at": at(i).strftime("%Y-%m-%dT%H:%M:%S.%fZ")} for i in range(1, 13)]
def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    since = req.query.get("modified_since")
    s = datetime.datetime.fromisoformat(since) if since else None
    rows = sorted((r for r in req.state["recs"] if s is None or r["t"] > s),
                  key=lambda r: (r["t"], r["id"]))
    page = int(req.query.get("page", "1"))
    chunk = rows[(page - 1) * 3:page * 3]
    return 200, [], json.dumps({"data": [{k: v for k, v in r.items() if k != "t"} for r in chunk]})
PY
start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"

first_sync
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
run_producer_once --full
wait_run_completed "$(last_run_field run_id)" 60
grep -h 'msg=' "$T_WORK"/producer.*.log | grep -o 'msg="[^"]*"' | sort | uniq -c >&2
log "ids in the table: $(psql_value 'select string_agg(id::text, $$ $$ order by id) from items')"
assert_eq 12 "$(psql_value 'select count(*) from items')" "rows after a full sync, two incremental runs and a full run"
log "ok"
