#!/usr/bin/env bash
# t_full_uuid_spelling_vanished: the id field is a uuid; the API, after an
# upgrade, writes one record's id without its hyphens (.NET's "N" format,
# "0f8fad5bd9cb469fa165708677289503"), a spelling PostgreSQL reads as the
# same uuid. The converter refuses it (not 8-4-4-4-12), so the record goes
# to the DLQ: it is a record without a usable id, which README says stops a
# full run from deleting vanished ids ("it may be any of them"). It is that
# very record: taken for vanished, its hyphenated key got a delete event and
# the worker deleted the row of a record the API still serves. Expected: a
# full run deletes nothing (vanished=0) and record 3's row stays live.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item_uuid.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
IDS = ["0f8fad5b-d9cb-469f-a165-7086772895%02d" % i for i in range(1, 11)]

def handle(req):
    if req.path == "/items/deleted":
        return page_of(req, [], cursor_field="deleted_at", cursor_param="since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = []
    for n, u in enumerate(IDS, 1):
        if n == 3 and flag("nohyph"):
            u = u.replace("-", "")
        recs.append({"id": u, "name": "item %d" % n, "updated_at": iso_ms(BASE + n)})
    return page_of(req, recs, cursor_field="updated_at")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
assert_eq 10 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"

touch "$T_WORK/nohyph"
run_producer_once --full
r2=$(last_run_field run_id)
log "full run: vanished=$(last_run_field vanished) deletes=$(last_run_field deletes) failed=$(last_run_field failed)"
wait_run_completed "$r2" 60
assert_eq 10 "$(psql_value 'select count(*) from items where not _deleted')" \
    "live rows after the full run (the API serves all ten)"
assert_eq 0 "$(last_run_field vanished)" "ids the full run deleted as vanished (record 3 is served, spelled otherwise)"
log "ok"
