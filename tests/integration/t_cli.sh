#!/usr/bin/env bash
# t_cli: the command line of both programs. Global options go before or
# after the command (`tidemark-worker run -c FILE` reads FILE, where it
# used to read ./tidemark.conf); an unknown option is bad usage (exit 2,
# the usage on stderr), not a configuration error; `COMMAND --help` works
# without a configuration file (exit 0); output that cannot be written is
# an error. Run from a directory without a tidemark.conf, with
# TIDEMARK_CONFIG unset, so that no default is found.
. "$(dirname "$0")/lib.sh"

N=20
start_devbroker
start_demoapi --records "$N"
write_config
unset TIDEMARK_CONFIG
mkdir -p "$T_WORK/elsewhere"
cd "$T_WORK/elsewhere" || fail "cd"
P="$BUILD/tidemark-producer"
W="$BUILD/tidemark-worker"

# expect RC OUTFILE-PATTERN PROGRAM ARGS... - runs it (stdout and stderr
# to files), asserts the exit status and that stdout+stderr match the
# (grep -E) pattern.
expect()
{
    local want=$1 pattern=$2 rc
    shift 2
    timeout --foreground -k 5 30 "$@" >"$T_WORK/out" 2>"$T_WORK/err"
    rc=$?
    assert_eq "$want" "$rc" "exit status of ${*##*/}"
    grep -q -E -- "$pattern" "$T_WORK/out" "$T_WORK/err" ||
        fail "${*##*/}: output does not match '$pattern': $(head -c 600 "$T_WORK/out" "$T_WORK/err")"
}

# ---- COMMAND --help: no configuration file needed, exit 0
for c in run reset-offsets status; do
    expect 0 "^usage: tidemark-worker .*$c" "$W" "$c" --help
done
for c in run schema status reset; do
    expect 0 "^usage: tidemark-producer .*$c" "$P" "$c" --help
done
expect 0 "max-staleness" "$W" status -h
expect 0 "^commands:" "$W" --help
expect 0 "^tidemark-producer [0-9]" "$P" --version
log "COMMAND --help without a configuration file: exit 0"

# ---- an unknown option: exit 2 with the usage, not a configuration error
for args in "--bogus status" "status --bogus" "run --bogus" "status --max-staleness"; do
    expect 2 "^usage: tidemark-worker" "$W" $args
    ! grep -q -E "cannot open|tidemark.conf:" "$T_WORK/err" || fail "worker $args: a configuration error: $(cat "$T_WORK/err")"
done
for args in "--bogus status" "run --once --bogus" "schema --stream"; do
    expect 2 "^usage: tidemark-producer" "$P" $args
    ! grep -q -E "cannot open|tidemark.conf:" "$T_WORK/err" || fail "producer $args: a configuration error: $(cat "$T_WORK/err")"
done
expect 2 "unknown option '--bogus'" "$W" status --bogus
expect 2 "unknown command 'bogus'" "$W" bogus
# a time before 1970 would reach Kafka's ListOffsets as "the end"
expect 2 "before 1970-01-01T00:00:00Z" "$W" reset-offsets --stream "$STREAM" \
    --to-datetime 1969-12-31T23:59:59.999Z
log "unknown options: exit 2 with the usage"

# ---- -c after the command is used: status, reset-offsets, then a real run
expect 1 "no-run" "$W" status -c "$CONF"
expect 0 "NEW-OFFSET" "$W" reset-offsets --stream "$STREAM" --to-earliest --config="$CONF"
expect 0 "HWM|LAST" "$P" status -c "$CONF"
expect 0 "." "$P" run --once -c "$CONF"
"$W" run -c "$CONF" >>"$T_WORK/worker-w1.out" 2>>"$T_WORK/worker-w1.log" &
WORKER_PIDS[w1]=$!
_track_pid "$!"
table_count() { [ "$(psql_value "select count(*) from $TABLE" 2>/dev/null)" = "$N" ]; }
wait_for "the worker started with 'run -c FILE' applied $N rows" 30 table_count
stop_worker w1
log "'run -c FILE' read FILE"

# ---- output that cannot be written (a full disk, a closed stdout) is an
# error: `schema --stream NAME >customer-event.avsc` on a full disk made an
# empty file and exit 0
written_or_failed()
{
    local what=$1 rc
    shift
    "$@" 2>"$T_WORK/err"
    rc=$?
    [ "$rc" != 0 ] || fail "$what: exit 0 with its output lost"
    grep -q "cannot write standard output" "$T_WORK/err" || fail "$what: $(head -c 300 "$T_WORK/err")"
}
written_or_failed "producer schema >/dev/full" eval '"$P" -c "$CONF" schema --stream "$STREAM" >/dev/full'
written_or_failed "producer schema >&-" eval '"$P" -c "$CONF" schema --stream "$STREAM" >&-'
written_or_failed "worker status >/dev/full" eval '"$W" -c "$CONF" status >/dev/full'
written_or_failed "worker reset-offsets plan >/dev/full" \
    eval '"$W" -c "$CONF" reset-offsets --stream "$STREAM" --to-earliest >/dev/full'
log "output that cannot be written: an error, not exit 0"
log "ok"
