#!/bin/sh
# Runs libFuzzer targets one after another, or FUZZ_JOBS=2 at a time (each
# target is one process; the machine may have 2 cores): first over its
# seed corpus
# (tests/fuzz/corpus/<target>/, plus what earlier runs found, kept under
# $BUILD/fuzz/run/<target>/), then SECONDS of fuzzing.
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (default: every target)
#
# -timeout catches an input that takes more than TIMEOUT s (default 5:
# quadratic time), -rss_limit_mb a memory bomb. A failure leaves the input
# in $BUILD/fuzz/artifacts/ and the log next to it; the run goes on with
# the other targets and exits 1 at the end. Reproduce one with
#   $BUILD/fuzz/fuzz_<target> $BUILD/fuzz/artifacts/<target>-crash-...
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-build}/fuzz
seconds=${1:-60}
shift || true
timeout=${FUZZ_TIMEOUT:-5}
rss=${FUZZ_RSS_MB:-2048}
maxlen=${FUZZ_MAX_LEN:-16384}

if [ $# -eq 0 ]; then
    set --
    for f in "$here"/fuzz_*.c; do
        t=$(basename "$f" .c)
        set -- "$@" "${t#fuzz_}"
    done
fi

mkdir -p "$build/artifacts"
LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Full stacks for malloc: libavro and jansson have no frame pointers, and
# the suppressions above need the frames of our code under them.
ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS ASAN_OPTIONS
failed_list="$build/run/failed"
mkdir -p "$build/run"
: >"$failed_list"

# One target: its corpus, then SECONDS of fuzzing; a line of result.
run_one()
{
    t=$1
    bin="$build/fuzz_$t"
    seeds="$here/corpus/$t"
    work="$build/run/$t"
    log="$build/run/$t.log"
    mkdir -p "$work" "$seeds"
    dict=""
    [ -f "$here/dict/$t.dict" ] && dict="-dict=$here/dict/$t.dict"
    start=$(date +%s)
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" \
        -max_len="$maxlen" -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$t-" $dict "$work" "$seeds" >"$log" 2>&1; then
        stats=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
        cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
        echo "fuzz $t: ok, $(($(date +%s) - start)) s, ${stats:-?} runs, ${cov:-cov: ?}," \
            "$(ls "$seeds" | wc -l) seeds"
    else
        echo "fuzz $t: FAILED (log: $log)"
        grep -E 'ERROR|property failed|SUMMARY|Test unit written|ParseDictionaryFile|ALARM' "$log" | head -8 | sed 's/^/    /'
        echo "$t" >>"$failed_list"
    fi
}

run_all() { for t in "$@"; do run_one "$t"; done; }

# FUZZ_JOBS=2: every other target in a second process (make check's smoke:
# the targets are independent and each one keeps its whole time).
if [ "${FUZZ_JOBS:-1}" -ge 2 ]; then
    odd="" even="" i=0
    for t in "$@"; do
        if [ $((i % 2)) -eq 0 ]; then even="$even $t"; else odd="$odd $t"; fi
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    run_all $even &
    # shellcheck disable=SC2086
    run_all $odd
    wait
else
    run_all "$@"
fi
failed=$(tr '\n' ' ' <"$failed_list")
if [ -n "$failed" ]; then
    echo "fuzz: failed: $failed" >&2
    exit 1
fi
