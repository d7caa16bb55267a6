#!/usr/bin/env bash
# t_worker_status: `tidemark-worker status` shows per partition the stored
# offset, high watermark and lag, and the last completed run; it exits 1
# before any run (and creates no table), 0 after one within
# --max-staleness, and 1 again once the run is older than it.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

N=60
start_devbroker
start_demoapi --records "$N"
write_config
topic="$PREFIX.$STREAM"

status() { "$BUILD/tidemark-worker" -c "$CONF" status "$@"; }

# run_line FILE - the stream's line of the runs table.
run_line() { awk -v s="$STREAM" 'seen && $1 == s; /^STREAM .*LAST-RUN/ { seen = 1 }' "$1"; }

# ---- bad usage
for args in "--max-staleness" "--max-staleness soon" "--bogus"; do
    status $args >/dev/null 2>&1
    assert_eq 2 "$?" "exit status of status $args"
done

# ---- before any run: no completed run, exit 1, no table created
status --max-staleness 1h >"$T_WORK/s0.txt" 2>"$T_WORK/s0.err"
assert_eq 1 "$?" "exit status before any run"
cat "$T_WORK/s0.txt"
run_line "$T_WORK/s0.txt" | matches 'no-run$' || fail "before any run the stream is not no-run"
assert_eq "" "$(psql_value "select to_regclass('sync_offsets')")" "status created no table"

# ---- after a completed run: lag 0, exit 0
first_sync
wait_caught_up 30
status --max-staleness 1h >"$T_WORK/s1.txt" 2>"$T_WORK/s1.err" ||
    fail "status --max-staleness 1h exited $? after a completed run: $(cat "$T_WORK/s1.err")"
cat "$T_WORK/s1.txt"
ends=$(topic_ends "$topic")
got=$(awk -v s="$STREAM" -v t="$topic" '$1 == s && $2 == t && $4 != "-" { print $3, $4, $5, $6 }' "$T_WORK/s1.txt")
assert_eq "$(echo "$ends" | awk '{ print $1, $2, $2, 0 }')" "$got" \
    "partition lines (partition stored high lag)"
assert_eq 4 "$(awk -v s="$STREAM" -v t="$topic" '$1 == s && $2 == t' "$T_WORK/s1.txt" | wc -l)" \
    "every partition of the topic listed"
read -r _ rid _ recs dels _ _ state < <(run_line "$T_WORK/s1.txt")
assert_eq "$run1" "$rid" "last run's id"
assert_eq "$N" "$recs" "last run's records_synced"
assert_eq 0 "$dels" "last run's records_deleted"
assert_eq ok "$state" "state with --max-staleness 1h"
status >/dev/null 2>&1 || fail "status without --max-staleness exited $? after a completed run"

# ---- a new record not yet consumed shows as lag
stop_worker
api_post "/admin/update?ids=7" >/dev/null || fail "admin update"
run_producer_once
status --max-staleness 1h >"$T_WORK/s2.txt" 2>/dev/null
lag=$(awk -v s="$STREAM" -v t="$topic" '$1 == s && $2 == t && $6 != "-" { n += $6 } END { print n + 0 }' "$T_WORK/s2.txt")
assert_eq 1 "$lag" "total lag with one event not consumed"

# ---- stale once the last completed run is older than --max-staleness
stale() {
    status --max-staleness 1500ms >"$T_WORK/s3.txt" 2>/dev/null
    [ $? = 1 ] && run_line "$T_WORK/s3.txt" | matches 'stale$'
}
wait_for "status reports the stream stale after 1500ms" 30 stale
cat "$T_WORK/s3.txt"
log "ok"
