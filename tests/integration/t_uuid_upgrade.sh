#!/usr/bin/env bash
# t_uuid_upgrade: the upgrade to lower-case uuid keys (4355b1b) for an API
# that writes its uuid ids in upper case. A producer before it keyed every
# event by the upper-case text, so the topic holds those keys, live. A full
# run's topic scan took them as they were while its walk marked the ids
# seen in lower case: every old key counted as vanished, the run failed on
# full_sync.max_delete_ratio, and with --allow-mass-delete it deleted the
# live rows. The scan now folds uuid keys in lower case: nothing vanishes.
# (The old keys are stood in for by messages with upper-case keys.)
# brokers: mock
STREAM=items
CURSOR_FIELD=updated_at
SOFT_DELETE_FIELD=""
SCHEMA="$(cd "$(dirname "$0")" && pwd)/fixtures/item_uuid.avsc"
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import time

BASE = time.time() - 3600
IDS = ["0F8FAD5B-D9CB-469F-A165-70867728950%d" % i for i in range(1, 6)]

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    recs = [{"id": u, "name": "item %d" % n, "updated_at": iso_ms(BASE + n)}
            for n, u in enumerate(IDS, 1)]
    return page_of(req, recs, cursor_field="updated_at")
EOF

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url"
run_producer_once
# what a producer before the upgrade left: the same ids, keyed upper case
echo "an upsert of the old producer" >"$T_WORK/old.bin"
for i in 1 2 3 4 5; do
    produce_file "$PREFIX.$STREAM" 0 "0F8FAD5B-D9CB-469F-A165-70867728950$i" "$T_WORK/old.bin"
done
run_producer_once --full
assert_eq 0 "$(last_run_field vanished)" "ids counted as vanished by the full run"
assert_eq 0 "$(kc -C -t "$PREFIX.$STREAM" -e -f '%k %h\n' | grep -c 'tidemark.op=delete')" \
    "delete events on the topic"
log "ok"
