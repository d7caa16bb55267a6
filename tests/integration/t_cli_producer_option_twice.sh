#!/usr/bin/env bash
# t_cli_producer_option_twice: a producer command option given twice.
# The worker refuses it ("--stream given twice", exit 2); the producer
# must not silently keep the last one: `run --once --stream customers
# --stream c2` either runs both streams or is bad usage (exit 2), and so
# is `reset --stream customers --stream c2 --full` (which must not reset
# c2 alone and exit 0).
# brokers: mock
. "$(dirname "$0")/lib_three_streams.sh"

start_three_stream_broker
start_demoapi --records 10
write_config
add_stream c2
P="$BUILD/tidemark-producer"
bad=""

# the worker's answer to the same mistake, for comparison
rc=0
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" reset-offsets \
    --stream customers --stream c2 --to-earliest >"$T_WORK/w.out" 2>"$T_WORK/w.err" || rc=$?
assert_eq 2 "$rc" "worker reset-offsets --stream twice"
grep -q "given twice" "$T_WORK/w.err" || fail "worker: $(cat "$T_WORK/w.err")"

# the producer: run --once --stream customers --stream c2
rc=0
timeout --foreground -k 5 120 "$P" -c "$CONF" run --once --stream customers --stream c2 \
    >"$T_WORK/p.out" 2>"$T_WORK/p.err" || rc=$?
ran=$(grep -o 'msg="run completed" stream=[a-z0-9]*' "$T_WORK/p.err" | sed 's/.*stream=//' | sort | tr '\n' ' ')
log "producer run --once --stream customers --stream c2: exit $rc, streams run: $ran"
if [ "$rc" != 2 ]; then
    [ "$ran" = "c2 customers " ] ||
        bad+="run --once --stream customers --stream c2 exited $rc having run only: '$ran' (customers silently dropped); "
fi

# the producer: reset --stream customers --stream c2 --full
rc=0
timeout --foreground -k 5 60 "$P" -c "$CONF" reset --stream customers --stream c2 --full \
    >"$T_WORK/r.out" 2>"$T_WORK/r.err" || rc=$?
log "producer reset --stream customers --stream c2 --full: exit $rc: $(tr '\n' ' ' <"$T_WORK/r.err" | head -c 400)"
[ "$rc" = 2 ] || bad+="reset --stream customers --stream c2 --full exited $rc (not bad usage): $(grep -o 'msg="[^"]*" stream=[a-z0-9]*' "$T_WORK/r.err" | tr '\n' ' ')"
[ -z "$bad" ] || fail "$bad"
log "ok"
