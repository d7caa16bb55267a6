#!/usr/bin/env bash
# t_review_long_id (review finding): a record whose string id is 300 bytes
# long (a URL or a composite key as id; README: id.field is "the record's
# id (string or integer)", no limit is documented). Expected: it is
# published like any record (or, if a limit is wanted, dead-lettered with
# a reason that names the limit), and it does not stop full runs from
# reconciling. Observed (bug): run.c:record_id() copies into a 256-byte
# buffer and fails, so the record is dead-lettered with the false reason
# "id field 'id' is missing or not a string or integer", and counts as
# "unidentified": every full run of the stream, for ever, refuses to
# reconcile ("full fetch served records without an id").
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'EOF'
import os
FLAG = None
LONG = "https://example.com/customers/" + "x" * 270

def init(state, argv):
    global FLAG
    FLAG = argv[0] + "/gone"

def handle(req):
    if req.path != "/customers":
        return 404, [], '{"error": "no such resource"}'
    recs = [customer(str(i), "2026-01-01T00:00:%02dZ" % i) for i in range(1, 11)]
    recs.append(customer(LONG, "2026-01-01T00:00:30Z"))
    if os.path.exists(FLAG):
        recs = [r for r in recs if r["id"] != "3"]
    return page_of(req, recs)
EOF

SCHEMA="$T_WORK/customer-strid.avsc"
jq '(.fields[] | select(.name == "id") | .type) = "string"' \
    "$REPO/schemas/customer.avsc" >"$SCHEMA" || fail "could not write $SCHEMA"

start_devbroker
start_hostileapi "$T_WORK/api.py" "$T_WORK"
write_config "stream: -deleted.url"

run_producer_once
run1_failed=$(last_run_field failed)
log "dead letters: $(grep 'record dead-lettered' "$PRODUCER_LAST_LOG" | sed 's/.*error=//' | head -n1)"
# id 3 vanishes: a full run must find it
touch "$T_WORK/gone"
run_producer_once --full
vanished=$(last_run_field vanished)
grep -o 'msg="full fetch served records without an id[^"]*"' "$PRODUCER_LAST_LOG" | head -n1
assert_eq 0 "$run1_failed" "records dead-lettered by run 1 (a 300-byte string id)"
assert_eq 1 "$vanished" "ids the full run found vanished (id 3)"
log "ok"
