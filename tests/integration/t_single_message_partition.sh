#!/usr/bin/env bash
# t_single_message_partition: a full run scans the stream topic to the end
# of every partition before fetching. A partition that holds exactly one
# message (offset 0) must count as read: it once looked unfinished for
# ever, so the scan waited out its 30 s deadline and the run failed.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 1
write_config
topic="$PREFIX.$STREAM"

first_sync
assert_eq 1 "$(topic_count "$topic")" "messages on the stream topic after the first run"

rc=0
timeout --foreground -k 5 20 "$BUILD/tidemark-producer" -c "$CONF" run --once --full \
    2>"$T_WORK/full.log" || rc=$?
cat "$T_WORK/full.log" >>"$T_WORK/producer.log"
assert_eq 0 "$rc" "exit status of the full run over a one-message partition"
grep -q 'msg="run completed".*mode=full.*vanished=0' "$T_WORK/full.log" ||
    fail "no completed full run with vanished=0: $(grep 'msg="run' "$T_WORK/full.log")"
stop_worker
log "ok"
