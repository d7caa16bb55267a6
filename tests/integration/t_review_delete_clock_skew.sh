#!/usr/bin/env bash
# t_review_delete_clock_skew (review finding): the API's clock runs ahead
# of the producer's (here by an hour: an API that writes its local time
# with a "Z", or plain clock skew), and its deleted endpoint gives bare
# ids, no deleted_at. A record is published, then deleted within the hour.
# The deletion is dated with the producer's clock (README: "dated when the
# walk's first request was sent"), which is earlier than the cursor of the
# upsert already on the topic, so check_late_deletes()/publish_held() in
# run.c drop it as "stale" (older than a newer upsert). The API does not
# serve the record any more, nothing ever deletes it: the topic's last
# word on it stays "live", the row stays live in PostgreSQL, and a full
# run will not reconcile it either (ids the deleted endpoint lists are
# marked seen; a full run publishes it, but dated before the upsert, so the
# worker ignores it). Expected: the deletion is published (deletes=1).
# Observed (bug): stale_deletes=1, deletes=0. A clock stand-in is compared
# with a data cursor from another clock.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import datetime, os
FLAG = None
SKEWED = None

def init(state, argv):
    global FLAG, SKEWED
    FLAG = argv[0] + "/deleted"
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    SKEWED = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")

def handle(req):
    gone = os.path.exists(FLAG)
    if req.path == "/customers/deleted":
        items = [1] if gone and req.query.get("page", "1") == "1" else []
        return 200, [], json.dumps({"data": items})
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    recs = [customer(i, SKEWED) for i in (1, 2) if not (gone and i == 1)]
    return page_of(req, recs)
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py" "$T_WORK"
write_config
topic="$PREFIX.$STREAM"

run_producer_once
assert_eq 2 "$(last_run_field published)" "records published by run 1"
touch "$T_WORK/deleted"
run_producer_once
log "run 2: $(last_run_line)"
deletes2=$(last_run_field deletes)
# A full run then publishes the deletion (no late check without a
# since), but dated before the upsert: the worker's version guard ignores it.
run_producer_once --full
log "run 3 (--full): $(last_run_line)"
run3=$(last_run_field run_id)
start_worker
wait_run_completed "$run3" 60
# run 2's deletion may be on a partition run 3 has no event on
wait_caught_up
live=$(psql_value "select string_agg(id::text, ' ' order by id) from customers where not _deleted")
log "live rows after the full run: $live"
assert_eq 1 "$deletes2" "deletions published by run 2 (id 1 is gone from the API)"
assert_eq 2 "$live" "live rows in PostgreSQL (id 1 is gone from the API)"
latest=$(kc -C -t "$topic" -e -f '%k %S %h\n' | awk '$1 == 1' | tail -n1)
case "$latest" in
    "1 -1 "*) ;;
    *) fail "the topic's latest message for id 1 is not a tombstone: $latest" ;;
esac
log "ok"
