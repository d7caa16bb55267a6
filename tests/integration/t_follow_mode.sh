#!/usr/bin/env bash
# t_follow_mode: `tidemark-producer run` without --once makes a pass every
# poll.interval, so a change at the API is published without a restart;
# SIGTERM during the wait between passes ends the wait at once (the wait
# sleeps in short slices that watch the stop flag, common/backoff.h) and
# the producer exits 0.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 20
topic="$PREFIX.$STREAM"

count_is() { [ "$(topic_count "$topic")" = "$1" ]; }

# 1. Passes every second: a change made after the first pass is published
#    by a later one.
write_config "producer: poll.interval = 1s"
follow_start fast
wait_for "the first pass" 30 follow_passes_at_least 1
wait_for "the 20 records on $topic" 30 count_is 20
api_post "/admin/update?ids=3,5" >/dev/null || fail "admin update"
wait_for "the 2 updated records published by a later pass" 30 count_is 22
# A pass logs "run completed" after its run record, written once its events
# are on the topic: the count above can be seen before that line.
wait_for "the pass that published the update to complete (a pass after the first)" 15 \
    follow_passes_at_least 2
follow_stop 10

# 2. A wait of an hour between passes: SIGTERM ends it within a slice.
write_config "producer: poll.interval = 1h"
follow_start slow
wait_for "the first pass of the second producer" 30 follow_passes_at_least 1
follow_stop 3
assert_eq 1 "$(follow_passes)" "passes of the producer with poll.interval = 1h"
log "ok"
