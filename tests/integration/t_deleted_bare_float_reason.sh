#!/usr/bin/env bash
# t_deleted_bare_float_reason: a deleted endpoint of bare ids lists
# [3, 8.0] (its JSON writer puts ids through a double). The dead letter's
# reason names the value the API wrote (`id field 'id' is 8.0: not a
# string or integer`), as for an item that is an object; a first version
# looked for an "id" member in the number and said the id was missing.
# (Found by a second reading, helper 161.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
import time
BASE = time.time() - 3 * 86400
def handle(req):
    if req.path == "/items/deleted":
        if not flag("deleted") or req.query.get("page", "1") != "1":
            return 200, [], '{"data": []}'
        return 200, [], '{"data": [3, 8.0]}'
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    return page_of(req, [{"id": i, "name": "item %d" % i, "updated_at": iso_ms(BASE + i * 60)}
        for i in range(1, 11) if not (flag("deleted") and i in (3, 8))], cursor_field="updated_at")
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config
first_sync
touch "$T_WORK/deleted"
run_producer_once
reason=$(kc -C -t "$PREFIX.dlq" -e -f '%h\n' | grep -o "tidemark.error=deleted item: [^,]*" | head -n1)
log "dead letter: $reason"
assert_eq "tidemark.error=deleted item: id field 'id' is 8.0: not a string or integer" "$reason" \
    "the deleted item's dead-letter reason"
log "ok"
