#!/usr/bin/env bash
# t_since_exclusive_micros_page: t_since_exclusive_micros where a whole
# page falls later in the carried millisecond (records 10-12 at T.123456,
# past the bulk update's T.123000). A page all in the carried record's
# bucket was taken for a tie group larger than a page (a `>=` API), and
# records 6..9 were never served, by full runs either. Such a page must
# now hold the carried record's exact cursor value as served.
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
    if i <= 12:
        return T0 + datetime.timedelta(minutes=4, microseconds=123456)
    return T0 + datetime.timedelta(minutes=5 + i, microseconds=654321)
def init(state, argv):
    state["recs"] = [{"id": i, "name": "item %d" % i, "t": at(i),
                      "updated_at": at(i).strftime("%Y-%m-%dT%H:%M:%S.%fZ")} for i in range(1, 16)]
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
assert_eq 15 "$(psql_value 'select count(*) from items')" "rows after a full sync, two incremental runs and a full run"
log "ok"
