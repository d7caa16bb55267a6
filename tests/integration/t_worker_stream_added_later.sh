#!/usr/bin/env bash
# t_worker_stream_added_later: the producer is given a second stream
# before the worker is (a rolling change, or workers simply restarted
# later). The worker, lacking the stream, skipped its run records; once it
# had the stream, it applied the run's events from the topic's start,
# which made the run's row, and the row stayed `running` for good: the
# record that ends the run was long read past. Such records are now kept
# aside as `not_configured` (no running row for a stream no worker here
# applies); a worker with the stream turns them running, and they
# complete, a run with no event too. (Found by helpers 141 and 145.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

S2=${STREAM}2
start_broker --topic "$PREFIX.$S2:4"
start_demoapi --records 30
write_config
OLD="$T_WORK/old.conf"
cp "$CONF" "$OLD"
{
    echo
    echo "[stream $S2]"
    sed -n '/^\[stream /,$p' "$OLD" | tail -n +2 | sed -e "s|^table = .*|table = $S2|"
} >>"$CONF"
NEW=$CONF

CONF=$OLD start_worker
run_producer_once # both streams: the producer has the new configuration
r1=$(last_run_field run_id)
r2=$(last_run_field run_id "$S2")
run_producer_once # nothing changed: a run of S2 with no event
r3=$(last_run_field run_id "$S2")
log "S2 runs: $r2 (30 events), $r3 ($(last_run_field records "$S2") records)"
wait_run_completed "$(last_run_field run_id)" 60
# the second customers run has no event: its completion says nothing of the
# first one's, on partitions of their own
wait_run_completed "$r1" 60
runs_read() { offsets_at_ends "$PREFIX.sync-runs" "$(topic_ends "$PREFIX.sync-runs")"; }
wait_for "the worker read past $S2's run records" 30 runs_read
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where sync_status = 'running'")" \
    "running rows while no worker applies $S2"

stop_worker
CONF=$NEW start_worker
wait_run_completed "$r2" 60
TABLE=$S2 assert_table_equals_api
wait_run_completed "$r3" 30
stop_worker
log "ok"
