#!/usr/bin/env bash
# t_cli_config_twice: README ("Programs"): "an option given twice ... is
# bad usage: exit 2, one line naming it and the usage on stderr, before
# the configuration is read". -c/--config given twice (two files: which
# one is meant?) is read as the last one without a word, in both
# programs, where a command option given twice is refused.
# brokers: mock
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 3
write_config
sed 's/^\[stream customers\]/[stream other]/' "$CONF" >"$T_WORK/other.conf"
bad=""
for args in "-c $CONF -c $T_WORK/other.conf schema --stream other" \
    "--config=$CONF schema --stream other --config $T_WORK/other.conf"; do
    rc=0
    # shellcheck disable=SC2086
    timeout --foreground -k 5 30 "$BUILD/tidemark-producer" $args >"$T_WORK/s.out" 2>"$T_WORK/s.err" || rc=$?
    log "producer $args: exit $rc: $(head -c 200 "$T_WORK/s.err" | tr '\n' ' ')"
    [ "$rc" = 2 ] && grep -q "given twice" "$T_WORK/s.err" ||
        bad+="producer $args: exit $rc, not bad usage ($(head -c 80 "$T_WORK/s.out" | tr '\n' ' '))); "
done
rc=0
timeout --foreground -k 5 30 "$BUILD/tidemark-worker" -c "$CONF" status -c "$T_WORK/other.conf" \
    >"$T_WORK/w.out" 2>"$T_WORK/w.err" || rc=$?
log "worker -c A status -c B: exit $rc: $(head -c 200 "$T_WORK/w.err" | tr '\n' ' ')"
[ "$rc" = 2 ] && grep -q "given twice" "$T_WORK/w.err" || bad+="worker -c A status -c B: exit $rc, not bad usage; "
[ -z "$bad" ] || fail "$bad"
log "ok"
