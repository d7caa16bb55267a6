#!/usr/bin/env bash
# t_hwm_same_page: the HWM's digests are right when the records at the HWM
# are all new on the page that ends the walk (the producer computes their
# digests once the page is handled, not record by record) and when an id
# comes twice at the HWM on one page.
#  run 1: one page: id 1 below the HWM, ids 2 and 3 at it -> 3 events;
#         the walk's end rule reads the records at the HWM once more
#         (2, 3): skipped by their digests (an empty digest in the
#         tracker would match nothing: both published again);
#  run 2: id 4 appears at a later cursor, twice, unchanged -> 1 event, the
#         copy skipped (and 2, 3 at the old HWM, and 4, 4 on the end
#         rule's read);
#  run 3: nothing changed -> no event: the run record holds the real
#         digest of id 4.
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/handler.py" <<'EOF'
def rec(i, ts):
    return {"id": i, "name": "Customer %d" % i, "email": "c%d@example.com" % i,
            "country": "DE", "balance": "%d.50" % i, "tier": "gold", "phone": None,
            "signup_date": "2024-01-01", "is_deleted": False,
            "last_modified": "2026-01-01T00:00:%02d.000Z" % ts}

# POST /admin/add4 adds id 4 at 00:00:06, served twice.
def handle(req):
    if req.path == "/admin/add4":
        req.state["add4"] = True
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        return 200, [], '{"data": []}'
    recs = [rec(1, 1), rec(2, 5), rec(3, 5)]
    if req.state.get("add4"):
        recs += [rec(4, 6), rec(4, 6)]
    return page_of(req, recs)
EOF

start_devbroker
start_hostileapi "$T_WORK/handler.py"
write_config

run_producer_once
assert_eq 3 "$(last_run_field published)" "events published by run 1"
assert_eq 2 "$(last_run_field skipped)" "records skipped by run 1 (2 and 3 read again)"

api_post "/admin/add4" >/dev/null || fail "could not add id 4"
run_producer_once
assert_eq 1 "$(last_run_field published)" "events published by run 2 (id 4)"
assert_eq 5 "$(last_run_field skipped)" "records skipped by run 2 (2, 3, id 4's copy, then 4, 4)"

run_producer_once
assert_eq 0 "$(last_run_field published)" "events published by run 3 (nothing changed)"
