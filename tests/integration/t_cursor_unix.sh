#!/usr/bin/env bash
# t_cursor_unix: an API whose last-modified times are epoch seconds, a
# JSON number (as help-desk and payment exports keep them), with a
# `since` parameter in epoch seconds too, and deletions dated the same
# way (a fraction of a second too: such a deleted_at was taken for none
# and dated by the producer's clock). Read as ISO-8601 text, every record went to the DLQ ("cursor
# field: missing or not a string"). With cursor.format = unix the records
# are published, the HWM is the largest one, the parameter sent back is
# that time in whole seconds, a change and a deletion made later are
# published by the next run, and the table holds them.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
BASE = 1795608000  # 2026-11-25T12:00:00Z


def handle(req):
    since = req.query.get("since")
    if req.path == "/customers/deleted":
        dels = [{"id": 4, "deleted_at": BASE + 100.5}] if flag("later") else []
        dels = [d for d in dels if since is None or d["deleted_at"] >= int(since)]
        return 200, [], json.dumps({"data": dels if req.query.get("page", "1") == "1" else []})
    recs = [customer(i, "2026-11-25T12:00:00.000Z", updated=BASE + i) for i in range(1, 6)]
    if flag("later"):
        recs[1] = customer(2, "2026-11-25T12:01:00.000Z", updated=BASE + 60, name="changed")
        del recs[3]
    rows = sorted((r for r in recs if since is None or r["updated"] >= int(since)),
                  key=lambda r: (r["updated"], r["id"]))
    page, size = int(req.query.get("page", "1")), int(req.query.get("per_page", "100"))
    return 200, [], json.dumps({"data": rows[(page - 1) * size:page * size]})
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: cursor.field = updated" "stream: cursor.param = since" \
    "stream: cursor.format = unix" "stream: page.size = 2"

first_sync
assert_eq 5 "$(last_run_field published)" "records published by the first run"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
assert_eq 2026-11-25T12:00:05.000Z "$(last_run_field hwm)" "the HWM: the largest epoch second"

touch "$T_WORK/later"
run_producer_once
jq -r 'select(.path == "/customers") | .query.since // empty' "$HOSTILE_LOG" |
    matches -x 1795608005 || fail "no records request asked since=1795608005 (the HWM, in seconds)"
assert_eq 1 "$(last_run_field published)" "changes published by the next run"
assert_eq 1 "$(last_run_field deletes)" "deletions published by the next run"
wait_run_completed "$(last_run_field run_id)" 60
wait_caught_up 30
assert_eq 4 "$(psql_value "select count(*) from $TABLE where not _deleted")" "live rows of the table"
assert_eq t "$(psql_value "select _deleted from $TABLE where id = 4")" "record 4 deleted"
assert_eq 2026-11-25T12:01:40.500 \
    "$(psql_value "select to_char(_deleted_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')
                  from $TABLE where id = 4")" "record 4's deletion time (deleted_at 1795608100.5)"
assert_eq changed "$(psql_value "select name from $TABLE where id = 2")" "record 2's name"
log "ok"
