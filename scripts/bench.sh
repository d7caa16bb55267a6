#!/usr/bin/env bash
# bench.sh - throughput and peak memory of a full sync (make bench).
#
# 200000 records from the demo API (pages of 5000) through the embedded
# broker (stream topic with 8 partitions) into a throwaway PostgreSQL.
# Times the producer's full sync and the worker's apply separately and
# prints records/s and peak RSS for each. BENCH_RECORDS overrides the size.
#
# Peak RSS comes from GNU time (/usr/bin/time -f %M, Debian package `time`)
# when it is installed, else from VmHWM in /proc/PID/status, sampled while
# the process runs (the value is a high-water mark, so the last sample
# before exit is close to the peak).

[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u -o pipefail

. "$(dirname "${BASH_SOURCE[0]}")/session.sh" bench "${BASH_SOURCE[0]}" "$@"
N=${BENCH_RECORDS:-200000}

log() { :; }

GNU_TIME=""
[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 && GNU_TIME=/usr/bin/time

# vmhwm PID - peak RSS so far in KiB (empty once the process is gone).
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# rate N MS - records/s with no floating point in bash.
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

start_devbroker --topic "$PREFIX.$STREAM:8"
start_demoapi --records "$N" --max-page-size 5000
# The embedded broker keeps about 5 MiB per partition: 25000 events per
# partition fit only compressed (the worker would find the oldest gone).
write_config "stream: page.size = 5000" "worker: batch.max.ms = 500" "kafka: compression.type = lz4"
echo "bench: $N records, pages of 5000, $PREFIX.$STREAM with 8 partitions"

# ---- producer: one full sync, run to completion
peak_file="$T_WORK/producer.rss"
plog="$T_WORK/producer.bench.log"
t0=$(now_ms)
if [ -n "$GNU_TIME" ]; then
    "$GNU_TIME" -f %M -o "$peak_file" "$BUILD/tidemark-producer" -c "$CONF" run --once 2>"$plog" &
else
    "$BUILD/tidemark-producer" -c "$CONF" run --once 2>"$plog" &
fi
ppid=$!
_track_pid "$ppid"
peak=0
while kill -0 "$ppid" 2>/dev/null; do
    if [ -z "$GNU_TIME" ]; then
        v=$(vmhwm "$ppid")
        [ -n "$v" ] && peak=$v
    fi
    sleep 0.05
done
wait "$ppid"
rc=$?
p_ms=$(($(now_ms) - t0))
[ "$rc" = 0 ] || { tail -n 20 "$plog" >&2; fail "producer exited with status $rc"; }
[ -n "$GNU_TIME" ] && peak=$(tail -n1 "$peak_file")
PRODUCER_LAST_LOG=$plog
published=$(last_run_field published)
run_id=$(last_run_field run_id)
assert_eq "$N" "$published" "events published"
echo "producer: $N records in $(secs "$p_ms") s = $(rate "$N" "$p_ms") records/s, peak RSS $(mib "$peak") MiB"

# ---- worker: from start until the run is completed, then SIGTERM
wlog="$T_WORK/worker-bench.log"
peak_file="$T_WORK/worker.rss"
t0=$(now_ms)
if [ -n "$GNU_TIME" ]; then
    "$GNU_TIME" -f %M -o "$peak_file" "$BUILD/tidemark-worker" -c "$CONF" run 2>"$wlog" &
else
    "$BUILD/tidemark-worker" -c "$CONF" run 2>"$wlog" &
fi
wpid=$!
_track_pid "$wpid"
# With GNU time in between, the worker is time's only child.
worker_pid=$wpid
if [ -n "$GNU_TIME" ]; then
    wait_for "worker process started" 10 pgrep -P "$wpid"
    worker_pid=$(pgrep -P "$wpid" | head -n1)
    _track_pid "$worker_pid"
fi
assigned_ms=""
peak=0
deadline=$(($(now_ms) + 600000))
until run_is_completed "$run_id"; do
    kill -0 "$worker_pid" 2>/dev/null || fail "worker exited before the run was completed"
    [ "$(now_ms)" -lt "$deadline" ] || fail "worker did not complete the run within 600 s"
    if [ -z "$assigned_ms" ] && grep -q 'msg="partitions assigned"' "$wlog"; then
        assigned_ms=$(($(now_ms) - t0))
    fi
    v=$(vmhwm "$worker_pid")
    [ -n "$v" ] && peak=$v
    sleep 0.1
done
w_ms=$(($(now_ms) - t0))
v=$(vmhwm "$worker_pid")
[ -n "$v" ] && peak=$v
kill -TERM "$worker_pid"
wait_for "worker exit after SIGTERM" 30 sh -c "! kill -0 $worker_pid 2>/dev/null"
wait "$wpid"
[ -n "$GNU_TIME" ] && [ -s "$peak_file" ] && peak=$(tail -n1 "$peak_file")
synced=$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run_id")")
assert_eq "$N" "$synced" "records_synced"
echo "worker:   $N records in $(secs "$w_ms") s = $(rate "$N" "$w_ms") records/s, peak RSS $(mib "$peak") MiB" \
    "(of which $(secs "${assigned_ms:-0}") s joining the group)"
[ -n "$GNU_TIME" ] || echo "(peak RSS from /proc VmHWM samples: install the Debian package 'time' for GNU time's exact figure)"
