#!/usr/bin/env bash
# t_uuid_upper_id: the id field is a uuid and the API writes it in upper
# case, as SQL Server and .NET do; its deleted endpoint writes the same
# id in lower case. Every record is applied (the worker dead-lettered
# every one: its after.id, stored lower case, "named another row" than
# the event's upper-case id), every key on the topic is the lower-case
# text (one record under one key, or compaction keeps both), and the
# deleted endpoint's lower-case id deletes the record.
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item_uuid.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import json, time

BASE = time.time() - 3600
IDS = ["0F8FAD5B-D9CB-469F-A165-70867728950%d" % i for i in range(1, 6)]

def handle(req):
    if req.path == "/items/deleted":
        ids = [IDS[4].lower()] if flag("del") else []
        return page_of(req, [{"id": i, "deleted_at": iso_ms(BASE + 100)} for i in ids],
                       cursor_field="deleted_at", cursor_param="since")
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": u, "name": "item %d" % n, "updated_at": iso_ms(BASE + n)}
            for n, u in enumerate(IDS, 1) if not (flag("del") and n == 5)]
    return page_of(req, recs, cursor_field="updated_at")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
keys=$(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | sort -u)
assert_eq 5 "$(grep -c . <<<"$keys")" "keys on the topic"
! grep -q '[A-F]' <<<"$keys" || fail "upper-case keys on the topic: $keys"
assert_eq 5 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the first sync"
touch "$T_WORK/del"
run_producer_once
r2=$(last_run_field run_id)
wait_run_completed "$r2" 60
assert_eq 4 "$(psql_value 'select count(*) from items where not _deleted')" "live rows after the deleted endpoint named item 5 (lower case)"
log "ok"
