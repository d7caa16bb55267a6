# scripts/bench/perf.sh - with BENCH_PERF=DIR, where the programs spend
# their CPU in the main phase (each program alone): `perf record` (Debian
# package linux-perf) attached to the producer and to the worker of that
# phase, a flat profile (no call graphs: the programs are built without
# frame pointers) into DIR/producer.data and DIR/worker.data, and a summary
# DIR/producer.txt, DIR/worker.txt (share of samples per library, then the
# top symbols) printed after the table. perf's own CPU use slows the runs
# it watches a little: compare rates from runs without it.
# BENCH_PERF_RECORD adds options to `perf record` (e.g. "--call-graph
# dwarf" for call chains; the data grows to hundreds of MiB). Sourced by
# scripts/bench.sh.

PERF_DIR=${BENCH_PERF:-}
declare -A PERF_PIDS=()

perf_setup()
{
    [ -n "$PERF_DIR" ] || return 0
    command -v perf >/dev/null 2>&1 ||
        fail "BENCH_PERF is set but perf is not installed (apt-get install linux-perf)"
    mkdir -p "$PERF_DIR" || fail "cannot create $PERF_DIR"
    PERF_DIR=$(cd "$PERF_DIR" && pwd)
}

# perf_attach NAME LABEL PIDS - records the processes PIDS (comma-separated)
# as NAME when LABEL is main.
perf_attach()
{
    [ -n "$PERF_DIR" ] && [ "$2" = main ] || return 0
    perf record -q -F 999 ${BENCH_PERF_RECORD:-} -p "$3" -o "$PERF_DIR/$1.data" >/dev/null 2>"$PERF_DIR/$1.record.log" &
    PERF_PIDS[$1]=$!
    _track_pid "$!"
}

# perf_detach NAME - ends the recording (it ends by itself when the program
# exits) and writes DIR/NAME.txt.
perf_detach()
{
    local pid=${PERF_PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    kill -INT "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "PERF_PIDS[$1]"
    {
        echo "== $1: share of CPU samples per library"
        perf report -i "$PERF_DIR/$1.data" --stdio --no-children --sort dso -q 2>/dev/null |
            grep -v '^$' | head -n 12
        echo "== $1: top symbols"
        perf report -i "$PERF_DIR/$1.data" --stdio --no-children --sort dso,sym -q 2>/dev/null |
            grep -v '^$' | head -n 25
    } >"$PERF_DIR/$1.txt"
}

perf_print()
{
    [ -n "$PERF_DIR" ] || return 0
    echo
    echo "perf profiles of the main phase (data and summaries in $PERF_DIR):"
    cat "$PERF_DIR/producer.txt" "$PERF_DIR/worker.txt" "$PERF_DIR/postgres.txt" 2>/dev/null
}
