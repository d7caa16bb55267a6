#!/usr/bin/env bash
# t_follow_checkpoints_read_new: a follow-mode producer reads only what is
# new on <prefix>.sync-runs at each pass. It read the whole topic at every
# pass to find its checkpoints: every message compaction had not removed
# yet (Kafka compacts only closed segments, rolled after segment.ms, 7
# days by default), while every pass adds two run records a stream (as
# its run starts and as it ends), so that at poll.interval = 1s a pass
# cost 2 s more after a day. Here the topic holds 3000 run records of another
# deployment's stream before the producer starts, and changes are
# published at four passes.
# Expected: the first read takes the whole topic; each later pass is
# handed only the messages written since the one before (the two run
# records of the pass before), and the runs go on from their checkpoints: every
# change reaches the topic once (the producer's debug log says what each
# read was handed).
# brokers: mock
. "$(dirname "$0")/lib.sh"

runs="$PREFIX.sync-runs"
start_devbroker
start_demoapi --records 20
write_config "top: log.level = debug" "producer: poll.interval = 1s"

for i in $(seq 1 3000); do
    printf 'other:{"stream":"other","run_id":"other-%d","mode":"incremental","status":"completed"}\n' "$i"
done >"$T_WORK/others.txt"
kc -P -t "$runs" -K: <"$T_WORK/others.txt" || fail "kcat could not fill $runs"

follow_start
wait_for "the producer's first pass" 60 follow_passes_at_least 1
for i in 1 2 3 4; do
    at=$(follow_passes)
    api_post "/admin/update?ids=$i" >/dev/null || fail "admin update"
    wait_for "pass $((at + 1))" 60 follow_passes_at_least $((at + 1))
done
at=$(follow_passes)
wait_for "two passes with nothing new" 60 follow_passes_at_least $((at + 2))
follow_stop

grep 'msg="checkpoints read"' "$FOLLOW_LOG" >"$T_WORK/reads.txt"
log "reads: $(sed 's/.*read=\([a-z]*\) messages=\([0-9]*\).*/\1 \2/' "$T_WORK/reads.txt" | paste -sd,)"
first=$(head -n1 "$T_WORK/reads.txt")
matches -E 'read=whole messages=3000 ' <<<"$first" || fail "the first read: $first"
later=$(tail -n +2 "$T_WORK/reads.txt")
[ "$(wc -l <<<"$later")" -ge 5 ] || fail "fewer than five reads after the first: $later"
big=$(grep -vE 'read=new messages=[0-9] ' <<<"$later" || true)
[ -z "$big" ] || fail "a later read was not handed only the new messages: $big"

# every change published once, each pass going on from its checkpoint
topic="$PREFIX.$STREAM"
assert_topic_matches_api "after the passes"
assert_eq 24 "$(topic_count "$PREFIX.$STREAM")" "events on the stream topic (20 records, 4 changes)"
log "ok"
