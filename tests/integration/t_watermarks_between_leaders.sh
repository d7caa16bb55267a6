#!/usr/bin/env bash
# t_watermarks_between_leaders: a full run's topic scan asks each
# partition's watermarks; a partition between leaders (just added, moving,
# a broker restarting) answers NOT_LEADER_FOR_PARTITION for a moment. The
# run failed on the first such answer (seen on the real broker right after
# `kafka-topics --alter --partitions`: `run --once --full` exited 1). Now
# the query is asked again with backoff: here the broker refuses the first
# ListOffsets requests that way, and the full run completes, with its
# reconciliation.
. "$(dirname "$0")/lib.sh"

start_devbroker_ctl
start_demoapi --records 30
write_config
run_producer_once
broker_ctl "fail ListOffsets 3 NOT_LEADER_FOR_PARTITION"
run_producer_once --full
grep -q 'msg="run completed".*mode=full' "$PRODUCER_LAST_LOG" || fail "the full run did not complete"
grep -q 'msg="topic scanned for reconciliation"' "$PRODUCER_LAST_LOG" ||
    fail "the full run did not scan its topic"
log "ok"
