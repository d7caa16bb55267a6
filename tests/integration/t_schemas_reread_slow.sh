#!/usr/bin/env bash
# t_schemas_reread_slow: an event written with a fingerprint no
# schema has is dead-lettered, also when the schemas topic takes longer
# than the worker's 10 s read limit to read whole (large messages on it,
# a slow leader). An unknown fingerprint rereads the whole topic; a reread
# that could not finish in 10 s failed the batch, which was retried and
# reread from the start again: the partition was stuck for good. A reread
# cut short now goes on from where it got to. (Found by helper 136.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

topic="$PREFIX.$STREAM"
start_devbroker_ctl
start_demoapi --records 10
write_config
first_sync
wait_caught_up 30
# everything but the schemas topic away from broker 3
broker_ctl leader "$PREFIX.sync-runs" 0 1
for p in 0 1 2 3; do broker_ctl leader "$topic" "$p" $((p % 2 + 1)); done
broker_ctl leader "$PREFIX.schemas" 0 3
broker_ctl coordinator group "$GROUP" 1

# 15 large messages on the schemas topic (not schemas: ignored, warned)
head -c 900000 /dev/zero | tr '\0' x >"$T_WORK/big"
for i in $(seq 1 15); do produce_file "$PREFIX.schemas" 0 "big-$i" "$T_WORK/big"; done
# a first event with an unknown fingerprint: dead-lettered (the worker
# reads what is new on the schemas topic, quickly)
printf '\xc3\x01\xab\xab\xab\xab\xab\xab\xab\xab\x00\x02' >"$T_WORK/unknown"
produce_file "$topic" 0 "unknown-1" "$T_WORK/unknown"
dead() { [ "$(topic_count "$PREFIX.dlq")" -ge "$1" ]; }
wait_for "the first dead letter" 60 dead 1

# the schemas topic's leader slows down (2 s a request; the mock keeps 5 MB of a partition: 5 of the 15 messages, one a fetch)
broker_ctl rtt 3 2000
produce_file "$topic" 0 "unknown-2" "$T_WORK/unknown"
t0=$(now_ms)
wait_for "the second dead letter" 90 dead 2
log "second dead letter after $(($(now_ms) - t0)) ms; reads of the schemas topic that timed out: $(grep -c 'timed out reading' "$T_WORK/worker-w1.log")"
broker_ctl rtt 3 0
stop_worker
log "ok"
