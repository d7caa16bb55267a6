#!/usr/bin/env bash
# t_worker_stream_added_later: the producer is given a second stream
# before the worker is (a rolling change, or workers simply restarted
# later). The worker, lacking the stream, skipped its run records; once it
# had the stream, it applied the run's events from the topic's start,
# which made the run's row, and the row stayed `running` for good: the
# record that ends the run was long read past. Such records are now kept
# aside as `not_configured` (no running row for a stream no worker here
# applies), and the run completes once its events are applied. (Found by
# helper 141, in a group of an old and a new member.)
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
wait_run_completed "$r1" 60
runs_read() { offsets_at_ends "$PREFIX.sync-runs" "$(topic_ends "$PREFIX.sync-runs")"; }
wait_for "the worker read past $S2's run records" 30 runs_read
assert_eq 0 "$(psql_value "select count(*) from sync_metadata where sync_status = 'running'")" \
    "running rows while no worker applies $S2"

stop_worker
CONF=$NEW start_worker
wait_run_completed "$r2" 60
TABLE=$S2 assert_table_equals_api
stop_worker
log "ok"
