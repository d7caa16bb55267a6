#!/usr/bin/env bash
# t_deleted_mark_fail_doubles: t_deleted_mark_doubles where the run
# that drops the 2099 deleted mark fails at the deleted endpoint (one 500,
# max.retries = 0). bb7c178 clears del_durable so the failed run does not
# write the old mark back; the next run then has no deleted mark at all,
# del_mark_dropped is 0 there, and late_delete() flags no deletion dated at
# or past the records walk's since: the deletion of record 3 the topic
# already holds is published a second time (rv4).
# The dropped mark is now kept in the run's durable state: a failed run
# writes it back, and the next run drops it and asks the topic again.
# (Helper 169.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

cat >"$T_WORK/api.py" <<'PY'
def handle(req):
    later = flag("later")
    if req.path == "/customers/deleted":
        if flag("faildel"):
            return 500, [], '{"error": "down"}'
        dels = [{"id": 3, "deleted_at": "2024-06-01T00:00:00.000Z"}] if later else []
        since = req.query.get("since")
        dels = [d for d in dels if since is None or d["deleted_at"] >= since]
        return 200, [], json.dumps({"data": dels if req.query.get("page", "1") == "1" else []})
    recs = [customer(1, "2024-01-01T00:00:00.000Z"), customer(2, "2024-01-01T00:00:00.000Z")]
    if not later:
        recs.append(customer(3, "2023-06-01T00:00:00.000Z"))
    since = req.query.get("modified_since")
    recs = [r for r in recs if since is None or r["last_modified"] >= since]
    return page_of(req, recs)
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: max.retries = 0"
topic="$PREFIX.$STREAM"
deletes_of() { kc -C -t "$topic" -e -f '%k %S\n' | awk -v k="$1" '$1 == k && $2 == -1 { n++ } END { print n + 0 }'; }

run_producer_once
assert_eq 3 "$(last_run_field published)" "records published by the first run"
touch "$T_WORK/later"
run_producer_once
assert_eq 1 "$(last_run_field deletes)" "deletions published by run 2"
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 2"

last_run_record | jq -ce '.deleted_hwm = {"value": "2099-01-01T00:00:00.000Z", "ids": {"9": ""}}' \
    >"$T_WORK/old.json" || fail "no run record"
kc -P -t "$PREFIX.sync-runs" -k "$STREAM" "$T_WORK/old.json" || fail "produce the old checkpoint"

touch "$T_WORK/faildel"
run_producer_once_rc 1
log "run 3 (fails at the deleted endpoint): $(last_run_record | jq -c '{status, mode, deleted_hwm, hwm}')"
rm -f "$T_WORK/faildel"
run_producer_once
log "run 4: mode=$(last_run_field mode) deletes=$(last_run_field deletes) stale=$(last_run_field stale_deletes) deleted mark: $(last_run_record | jq -c .deleted_hwm)"
assert_eq 1 "$(deletes_of 3)" "tombstones of record 3 after run 4 (the topic already held its deletion)"
log "ok"
