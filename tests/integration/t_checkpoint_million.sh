#!/usr/bin/env bash
# t_checkpoint_million: a checkpoint with 1,000,000 ids at the HWM, written
# and read back through the devbroker by the producer's own checkpoint code
# with librdkafka's default limits (tests/unit/test_checkpoint_kafka.c:
# every id comes back with its digest; the next checkpoint of the unchanged
# set writes only its head). Then `tidemark-producer status` reads it.
# Pushing a million records through the whole pipeline would take minutes;
# t_hwm_large_tie does 100,000 end to end.
. "$(dirname "$0")/lib.sh"

N=1000000
bin="$BUILD/tests/test_checkpoint_kafka"
[ -x "$bin" ] || fail "$bin is missing: build it with make unit (make check and make integration do)"

# About 32 MB of chunks. The devbroker drops a partition's oldest messages
# past about 5 MiB (Kafka has no such limit), so sync-runs gets enough
# partitions here for the chunks to spread.
start_devbroker --topic "$PREFIX.sync-runs:32"
runs="$PREFIX.sync-runs"

TIDEMARK_TEST_BOOTSTRAP=$BOOTSTRAP TIDEMARK_TEST_PREFIX=$PREFIX TIDEMARK_TEST_IDS=$N \
    timeout --foreground 120 "$bin" >"$T_WORK/roundtrip.log" 2>&1 || {
    tail -n 30 "$T_WORK/roundtrip.log" >&2
    fail "the $N-id checkpoint round trip failed (log: $T_WORK/roundtrip.log)"
}
grep -E 'ids at the HWM|tracker built|written in|loaded in' "$T_WORK/roundtrip.log" |
    while read -r line; do log "$line"; done

max=$(kc -C -t "$runs" -e -f '%S\n' | sort -n | tail -n1)
[ "$max" -le 1000000 ] || fail "a message of $max bytes on $runs"
n_chunks=$(kc -C -t "$runs" -e -f '%k\n' | grep -c "^$STREAM/ckpt/")
log "$n_chunks chunk messages on $runs, the largest message $max bytes"
cp=$(last_run_record)
assert_eq run-2 "$(jq -r .run_id <<<"$cp")" "run_id of the checkpoint"
assert_eq "$N" "$(jq '([.hwm.chunks[].ids] | add) + (.hwm.ids | length)' <<<"$cp")" \
    "ids the checkpoint holds (chunks + inline)"
assert_eq "$n_chunks" "$(jq '.hwm.chunks | length' <<<"$cp")" \
    "chunks it names (all there, none written twice)"

# The CLI reads it (no API request: status only reads the checkpoints).
start_demoapi --records 1
write_config
"$BUILD/tidemark-producer" -c "$CONF" status >"$T_WORK/status.out" 2>"$T_WORK/status.err" ||
    fail "producer status failed: $(cat "$T_WORK/status.err")"
grep -q "^$STREAM  *2026-11-25T12:00:00.000Z  *run-2 .*completed" "$T_WORK/status.out" ||
    fail "producer status does not show the checkpoint: $(cat "$T_WORK/status.out")"
! grep -q 'level=warn' "$T_WORK/status.err" || fail "status warned: $(cat "$T_WORK/status.err")"
log "ok"
