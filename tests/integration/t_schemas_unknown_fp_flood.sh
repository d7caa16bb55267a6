#!/usr/bin/env bash
# t_schemas_unknown_fp_flood: events written with a fingerprint no schema
# has (crafted) are dead-lettered; each must not reread the whole schemas
# topic: N of them cost N rereads (half a second each) and logged N
# times the warning about one bad message on the schemas topic. A topic
# state read whole is not read whole again, and a message read before is
# not warned about again. (Found by helper 136.)
# brokers: mock
. "$(dirname "$0")/lib.sh"

N=${N:-300}
topic="$PREFIX.$STREAM"
start_devbroker
start_demoapi --records 10
write_config
first_sync
wait_caught_up 30

# one message on the schemas topic that is not a schema (warned once)
printf 'not a schema' >"$T_WORK/bad"
produce_file "$PREFIX.schemas" 0 "bad-key" "$T_WORK/bad"
# the worker reads it when it next looks: an unknown fingerprint, once
printf '\xc3\x01\xab\xab\xab\xab\xab\xab\xab\xab\x00\x02' >"$T_WORK/one"
produce_file "$topic" 0 "unknown-0" "$T_WORK/one"
one_dead() { [ "$(topic_count "$PREFIX.dlq")" -ge 1 ]; }
wait_for "the first dead letter" 30 one_dead
before=$(grep -c 'schema message ignored' "$T_WORK/worker-w1.log")
log "warnings about the bad schema message so far: $before"

# N events with an unknown fingerprint
for i in $(seq 1 "$N"); do printf 'unknown-%d|\xc3\x01\xab\xab\xab\xab\xab\xab\xab\xab\x00\x02\n' "$i"; done >"$T_WORK/flood"
t0=$(now_ms)
kc -P -t "$topic" -p 0 -K "|" <"$T_WORK/flood" || fail "kcat"
all_dead() { [ "$(topic_count "$PREFIX.dlq")" -ge $((N + 1)) ]; }
wait_for "$N more dead letters" 600 all_dead
t1=$(now_ms)
after=$(grep -c 'schema message ignored' "$T_WORK/worker-w1.log")
log "$N dead letters in $((t1 - t0)) ms; warnings about the bad schema message: $before -> $after"
[ "$after" -le $((before + 1)) ] || fail "the one bad schema message was warned about $((after - before)) times more for $N events"
[ $((t1 - t0)) -lt 20000 ] || fail "$N events with an unknown fingerprint took $((t1 - t0)) ms"
stop_worker
log "ok"
