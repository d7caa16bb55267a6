#!/usr/bin/env bash
# t_poison_large_batch: a batch whose rows add up to more than 256 MiB of
# JSON. PostgreSQL refuses a jsonb value that large (54000: total size of
# jsonb array elements exceeds the maximum), and on main the whole batch
# went into one $1, so the worker exited 1 on every restart. Statements are
# now split by bytes as well as by rows: every row is applied, nothing is
# dead-lettered. (300 events of about 1 MB on 75 partitions: the
# devbroker keeps about 5 MiB per partition.)
. "$(dirname "$0")/lib.sh"

P=75
N=300
start_devbroker --topic "$PREFIX.$STREAM:$P"
start_demoapi --records 20
write_config
topic="$PREFIX.$STREAM"

first_sync
wait_caught_up 30
stop_worker

event_header "$T_WORK/header.bin"
craft_event "$T_WORK/big" "{\"id\": \"10000\", \"run_id\": \"$STREAM-20261203T230000Z-00000002\",
    \"after\": {\"name\": {\"repeat\": \"x\", \"count\": 990000}}}" "$N"
log "$N events of $(wc -c <"$T_WORK/big.0") bytes crafted"
seq 0 $((P - 1)) | xargs -P 4 -I{} bash -c '
    p={}; files=()
    for i in 0 1 2 3; do files+=("$1/big.$((p * 4 + i))"); done
    timeout 60 kcat -b "$2" -q -P -t "$3" -p "$p" -k large "${files[@]}"' _ "$T_WORK" "$BOOTSTRAP" "$topic" ||
    fail "kcat could not produce the large events"
assert_eq "$N" "$(kc -C -t "$topic" -e -f '%k\n' | grep -c '^large$')" \
    "large events on the topic"

# all of them in one batch
write_config "worker: batch.max.records = $N" "worker: batch.max.ms = 60000"
start_worker
wait_caught_up 90
assert_eq "$N $((990000 * N))" "$(psql_value "select count(*) || ' ' || sum(length(name)) from $TABLE
                                              where id between 10000 and $((10000 + N - 1))")" \
    "large rows applied (count, total length of their names)"
assert_eq 0 "$(topic_count "$PREFIX.dlq")" "dead letters"
assert_eq "$N 0" "$(psql_value "select records_synced || ' ' || records_dead_lettered from sync_metadata
                                 where run_id = '$STREAM-20261203T230000Z-00000002'")" "counts of the crafted run"
stop_worker
# Two batches of 150 (half of batch.max.records each; at most one more
# for what the prefetch holds at the switch). More means a batch was taken
# ahead a few messages long, and the next one then waited out all of
# batch.max.ms (60 s here) for messages that were not coming.
batches=$(grep 'msg="worker stopped"' "$T_WORK/worker-w1.log" | tail -n1 |
    sed -n 's/.* batches=\([0-9]*\).*/\1/p')
log "the worker applied the large events in $batches batches"
[ -n "$batches" ] && [ "$batches" -le 3 ] ||
    fail "the worker needed ${batches:-?} batches for $N events (want at most 3)"
log "ok"
