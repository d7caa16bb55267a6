#!/usr/bin/env bash
# t_follow_full_rearmed_mass_delete: three streams; `run --once` loads c2's 6
# records. c2's deleted endpoint (another origin) answers every request
# 503 Retry-After: 3; poll.interval = 1s. Follow mode with --full
# --allow-mass-delete: c2's first run is full, its records walk completes
# and reconciles (nothing vanished), the run fails with the deleted
# endpoint's error and sits out 3 s. README: --full "makes the first
# pass a full run", and --allow-mass-delete "overrides it once". Then
# the API serves a truncated listing (only id 1). The next runs must not
# delete ids 2..6 past full_sync.max_delete_ratio: yet follow.c re-arms
# full_pending (and with it allow_mass_delete) after every deferral, even
# of a run that did reconcile, so a later full run deletes 5 of 6 live
# ids under an override the user gave for one run.
# (Found by helper 126.)
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

cat >"$T_WORK/c2.py" <<'PY'
rec = gold_customer
def handle(req):
    if req.path == "/admin/trunc":
        req.state["trunc"] = True
        return 200, [], "{}"
    if req.path == "/admin/busy":
        req.state["busy"] = True
        return 200, [], "{}"
    if req.path == "/customers/deleted":
        if req.state.get("busy"):
            return 503, [("Retry-After", "3")], '{"error": "busy"}'
        return 200, [], '{"data": []}'
    ids = [1] if req.state.get("trunc") else range(1, 7)
    return page_of(req, [rec(i) for i in ids])
PY
start_c2_beside_demo "$T_WORK/c2.py" "producer: poll.interval = 1s"
move_c2_deleted_elsewhere
echo "max.retries = 1" >>"$CONF"
add_stream c3
run_producer_once_rc 0 --stream c2
n0=$(topic_count "$PREFIX.c2")
assert_eq 6 "$n0" "c2's events after run --once"
curl -fsS --max-time 10 -X POST "$c2url/admin/busy" >/dev/null || fail "admin busy"
FOLLOW_LOG="$T_WORK/follow.log"
"$BUILD/tidemark-producer" -c "$CONF" run --full --allow-mass-delete >"$T_WORK/follow.out" 2>"$FOLLOW_LOG" &
FOLLOW_PID=$!
_track_pid "$FOLLOW_PID"
wait_for "c2 sits out" 20 matches 'msg="the stream.s API asked to wait: the stream sits out the passes until then" stream=c2 ' "$FOLLOW_LOG"
grep 'msg="run failed" stream=c2 ' "$FOLLOW_LOG" | cut -c1-260 >&2
curl -fsS --max-time 10 -X POST "$c2url/admin/trunc" >/dev/null || fail "admin trunc"
c2_runs_ended() { [ "$(grep -cE 'msg="run (failed|completed)" stream=c2 ' "$FOLLOW_LOG")" -ge "$1" ]; }
wait_for "a second run of c2 in follow mode" 30 c2_runs_ended 2
follow_stop 15
grep -E 'msg="run (failed|completed)" stream=c2 ' "$FOLLOW_LOG" | cut -c1-260 >&2
n1=$(topic_count "$PREFIX.c2")
log "c2's events: $n0 before follow mode, $n1 after"
grep -E 'msg="run (failed|completed)" stream=c2 ' "$FOLLOW_LOG" | sed -n '2,$p' | grep -q 'vanished=[1-9]' &&
    fail "a later run of c2 (not the one --full --allow-mass-delete asked for) deleted live ids as vanished"
log "ok"
