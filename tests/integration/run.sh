#!/usr/bin/env bash
# run.sh - runs tidemark's integration scenarios (tests/integration/t_*.sh)
# against the real binaries, a real PostgreSQL, the devbroker and the demo API.
#
#   BUILD=build sh tests/integration/run.sh [NAME...]     (make check / make integration)
#
# NAME is a scenario's file name with or without t_ and .sh (full_sync,
# t_full_sync, t_full_sync.sh). Without $PGHOST it re-executes itself under
# pg_virtualenv: one throwaway cluster for the whole run. Each scenario runs
# in its own work dir and database, under a deadline (TM_TEST_TIMEOUT, 240 s;
# half as long again for a `# long` one),
# TM_JOBS of them at a time (default 1; make check: the Makefile's
# CHECK_TM_JOBS; most scenarios wait on timers more than they compute), of
# which at most TM_KAFKA_JOBS on the real broker (default 1; make
# check: CHECK_TM_KAFKA_JOBS);
# output: `PASS name (Ns)`, `FAIL name` with log tails, or `SKIP name (reason)`
# when the scenario exits 77 (lib.sh: skip, for a missing optional test
# dependency), then `N passed, N failed[, N skipped]`.
# Exits 1 when any failed, 2 on bad usage or a missing binary. TM_KEEP=1
# keeps the work dirs (logs, configs) for a look afterwards.
#
# A scenario that takes half a minute or more says so in a header line
# `# long` (it starts first).
#
# Brokers: a scenario names those it runs on in a header line
#   # brokers: mock kafka [(remark)]
# (mock: tidemark-devbroker, librdkafka's mock cluster; kafka: a real Apache
# Kafka node, tests/kafka/tidemark-kafka). Without that line: mock only.
# Every scenario runs on each broker it names, the mock runs first; a run on
# the real broker shows as `name[kafka]`. TM_BROKER=mock or TM_BROKER=kafka
# runs on that broker alone (a named scenario that does not list it is
# reported as skipped). The real broker needs java and the jars that `make
# deps` fetches (tests/kafka/fetch.sh).

# Started as `sh run.sh`: switch to bash (this line is valid POSIX sh).
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"

set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
export REPO BUILD

for b in tidemark-producer tidemark-worker tidemark-devbroker tidemark-demoapi; do
    if [ ! -x "$BUILD/$b" ]; then
        echo "run.sh: $BUILD/$b is missing: run 'make programs fixtures' first" >&2
        exit 2
    fi
done
for tool in psql createdb kcat jq curl timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool is not installed" >&2; exit 2; }
done

# Which scenarios.
declare -a tests=()
if [ $# -eq 0 ]; then
    for f in "$HERE"/t_*.sh; do tests+=("$f"); done
else
    for n in "$@"; do
        n=${n%.sh}
        n=${n#t_}
        [ -f "$HERE/t_$n.sh" ] || { echo "run.sh: no scenario $HERE/t_$n.sh" >&2; exit 2; }
        tests+=("$HERE/t_$n.sh")
    done
fi

# On which brokers: "SCENARIO BROKER" runs, the mock's first.
case "${TM_BROKER:-}" in
    "") brokers="mock kafka" ;;
    mock | kafka) brokers=$TM_BROKER ;;
    *) echo "run.sh: TM_BROKER must be mock or kafka, not '$TM_BROKER'" >&2; exit 2 ;;
esac
# scenario_brokers FILE - the brokers its `# brokers:` line names (mock if
# none); a remark in parentheses may follow them.
scenario_brokers()
{
    local line
    line=$(sed -n '1,30{/^# brokers:/{s/^# brokers://p;q}}' "$1")
    line=${line%%(*}
    echo ${line:-mock}
}
declare -a runs=() skipped_runs=()
for b in $brokers; do
    for t in "${tests[@]}"; do
        case " $(scenario_brokers "$t") " in
            *" $b "*) runs+=("$t $b") ;;
            *) [ $# -gt 0 ] && [ -n "${TM_BROKER:-}" ] && skipped_runs+=("$(basename "$t" .sh)[$b]") ;;
        esac
    done
done
# Runs of scenarios with a `# long` header line start first: started last,
# a long one leaves the other TM_JOBS lanes idle at the end of the suite.
declare -a long_runs=() other_runs=()
declare -A is_long=()
for r in "${runs[@]}"; do
    if sed -n '1,30p' "${r% *}" | grep -qx '# long'; then
        long_runs+=("$r")
        is_long[${r% *}]=1
    else
        other_runs+=("$r")
    fi
done
runs=("${long_runs[@]}" "${other_runs[@]}")
need_kafka=0
for r in "${runs[@]}"; do [ "${r##* }" = kafka ] && need_kafka=1; done
if [ "$need_kafka" = 1 ] && [ -z "${TM_IN_PG_VIRTUALENV:-}" ]; then
    command -v java >/dev/null 2>&1 ||
        { echo "run.sh: java is not installed (make deps; or TM_BROKER=mock)" >&2; exit 2; }
    # shellcheck source=../kafka/env.sh
    . "$REPO/tests/kafka/env.sh"
    tm_kafka_ready ||
        { echo "run.sh: the Kafka jars are not in $TM_KAFKA_JARS: run 'make deps' (or TM_BROKER=mock)" >&2; exit 2; }
fi

# One throwaway cluster for all scenarios. -t keeps it in a temp dir even
# as root, so that it cannot collide with another cluster on this host.
# pg_virtualenv's own chatter (and its server-log dump when the command
# fails) goes to a file, shown only if the cluster could not be set up: the
# inner run writes its output to fds 3/4 and its status to a file, so that
# our summary stays the last line.
if [ -z "${PGHOST:-}" ]; then
    if [ -n "${TM_IN_PG_VIRTUALENV:-}" ]; then
        echo "run.sh: pg_virtualenv did not set PGHOST" >&2
        exit 2
    fi
    command -v pg_virtualenv >/dev/null 2>&1 ||
        { echo "run.sh: pg_virtualenv (postgresql-common) is not installed" >&2; exit 2; }
    state=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-pgv.XXXXXX")
    TM_IN_PG_VIRTUALENV=1 TM_STATE_DIR=$state \
        pg_virtualenv -t -o fsync=off -o synchronous_commit=off \
        bash "${BASH_SOURCE[0]}" "$@" 3>&1 4>&2 >"$state/pg_virtualenv.log" 2>&1 &
    pgv=$!
    # Ctrl-C reaches the whole process group; a TERM sent to us alone is
    # passed to the inner run, which cleans up and ends pg_virtualenv's command.
    forward()
    {
        local inner
        inner=$(cat "$state/inner.pid" 2>/dev/null)
        [ -n "$inner" ] && kill -TERM "$inner" 2>/dev/null
    }
    trap forward TERM
    trap 'forward; interrupted=1' INT
    interrupted=0
    while kill -0 "$pgv" 2>/dev/null; do wait "$pgv"; done
    wait "$pgv" 2>/dev/null
    pgv_rc=$?
    rc=$(cat "$state/status" 2>/dev/null)
    if [ -z "$rc" ]; then
        echo "run.sh: the run under pg_virtualenv did not finish (pg_virtualenv exit $pgv_rc):" >&2
        tail -n 30 "$state/pg_virtualenv.log" >&2
        rc=2
    fi
    rm -rf "$state"
    [ "$interrupted" = 1 ] && [ "$rc" = 0 ] && rc=130
    exit "$rc"
fi
if [ -n "${TM_STATE_DIR:-}" ]; then
    exec 1>&3 2>&4 3>&- 4>&-
    echo $$ >"$TM_STATE_DIR/inner.pid"
fi

# shellcheck source=pids.sh
. "$HERE/pids.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tidemark-it.XXXXXX")
# The runs under way: pid -> index into runs.
declare -A running=()
declare -a run_work=() run_name=() run_start=() run_limit=()
kafka_running=0 # runs on the real broker under way

# Ends what run I left running: the scenario itself, then every pid it
# recorded in its pids file that is still its own (pids.sh).
stop_run()
{
    local i=$1 pid=${2:-}
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    if [ -f "${run_work[$i]}/pids" ]; then
        # shellcheck disable=SC2046 # one pid a line
        signal_pids_of_work KILL "${run_work[$i]}" $(cat "${run_work[$i]}/pids")
    fi
}

on_exit()
{
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${!running[@]}"; do stop_run "${running[$pid]}" "$pid"; done
    if [ -z "${TM_KEEP:-}" ]; then
        rm -rf "$TMP"
    else
        echo "work dirs kept in $TMP"
    fi
    # Under our own pg_virtualenv: hand the status over (see above).
    if [ -n "${TM_STATE_DIR:-}" ]; then
        echo "$rc" >"$TM_STATE_DIR/status"
        exit 0
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated" >&2; exit 143' TERM

show_logs()
{
    local work=$1 f
    echo "  --- $(basename "$work"): scenario output (last 25 lines)"
    tail -n 25 "$work/test.log" | sed 's/^/  | /'
    for f in "$work"/*.log; do
        [ -f "$f" ] && [ "$f" != "$work/test.log" ] && [ -s "$f" ] || continue
        case "$f" in */producer.log) continue ;; esac # its runs have their own files
        echo "  --- $(basename "$f") (last 15 lines)"
        tail -n 15 "$f" | sed 's/^/  | /'
    done
}

passed=0
failed=0
failed_names=()
timeout_s=${TM_TEST_TIMEOUT:-240}
jobs_max=${TM_JOBS:-1}
case "$jobs_max" in
    [1-9] | [1-9][0-9]) ;;
    *) echo "run.sh: TM_JOBS must be a number of runs at a time (1-99), not '$jobs_max'" >&2; exit 2 ;;
esac
kafka_max=${TM_KAFKA_JOBS:-1}
case "$kafka_max" in
    [1-9]) ;;
    *) echo "run.sh: TM_KAFKA_JOBS must be a number of real-broker runs at a time (1-9), not '$kafka_max'" >&2; exit 2 ;;
esac

for name in "${skipped_runs[@]}"; do
    echo "SKIP $name (its '# brokers:' line does not name this broker)"
done

# start_run I - creates run I's database and starts its scenario in the
# background (timeout gives it its own process group and ends all of it on
# expiry; INT/TERM reach our trap at once).
start_run()
{
    local i=$1 t=${runs[$1]% *} broker=${runs[$1]##* } name db work
    name=$(basename "$t" .sh)
    db=$name
    if [ "$broker" != mock ]; then
        name="$name[$broker]"
        db="${db}_$broker"
    fi
    work="$TMP/$db"
    mkdir -p "$work"
    run_work[$i]=$work
    run_name[$i]=$name
    if ! createdb "$db" >"$work/test.log" 2>&1; then
        echo "FAIL $name (createdb failed)"
        show_logs "$work"
        failed=$((failed + 1))
        failed_names+=("$name")
        return
    fi
    run_start[$i]=$SECONDS
    # a long one's time grows most with the machine's load (t_poison_long:
    # 132 s alone on a quiet day, 183 s at 5 at a time on a slow one)
    run_limit[$i]=$timeout_s
    [ -n "${is_long[$t]:-}" ] && run_limit[$i]=$((timeout_s * 3 / 2))
    TM_BROKER=$broker T_WORK=$work T_DB=$db timeout -k 10 "${run_limit[$i]}" bash "$t" >>"$work/test.log" 2>&1 &
    running[$!]=$i
    [ "$broker" = kafka ] && kafka_running=$((kafka_running + 1))
}

# end_run PID RC - reports the run PID was, and ends what it left running.
end_run()
{
    local pid=$1 rc=$2 i=${running[$1]} why took
    unset "running[$pid]"
    stop_run "$i"
    [ "${runs[$i]##* }" = kafka ] && kafka_running=$((kafka_running - 1))
    took=$((SECONDS - run_start[i]))
    if [ "$rc" = 0 ]; then
        echo "PASS ${run_name[$i]} (${took}s)"
        passed=$((passed + 1))
    elif [ "$rc" = 77 ]; then
        echo "SKIP ${run_name[$i]} ($(sed -n 's/^SKIP: //p' "${run_work[$i]}/test.log" | tail -n1))"
        skipped_runs+=("${run_name[$i]}")
    else
        why="exit $rc"
        [ "$rc" = 124 ] && why="timed out after ${run_limit[$i]}s"
        echo "FAIL ${run_name[$i]} (${took}s, $why)"
        grep '^FAIL: ' "${run_work[$i]}/test.log" | tail -n 3 | sed 's/^/  /'
        show_logs "${run_work[$i]}"
        failed=$((failed + 1))
        failed_names+=("${run_name[$i]}")
    fi
}

# next_run - the index of the next run to start, or nothing. With several
# at a time, at most kafka_max run on the real broker (a JVM takes a core
# while it starts), and those runs are taken whenever fewer are under way,
# so that they spread over the whole suite instead of queueing at its end.
next_run()
{
    local i
    for i in "${!pending[@]}"; do
        if [ "${runs[$i]##* }" = kafka ]; then
            [ "$kafka_running" -lt "$kafka_max" ] || [ "$jobs_max" = 1 ] || continue
        elif [ "$jobs_max" -gt 1 ] && [ "$kafka_running" -lt "$kafka_max" ] && [ -n "${pending_kafka:-}" ]; then
            continue
        fi
        echo "$i"
        return
    done
}

declare -a pending=()
for i in "${!runs[@]}"; do pending[$i]=1; done
while [ ${#pending[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
    while [ ${#running[@]} -lt "$jobs_max" ] && [ ${#pending[@]} -gt 0 ]; do
        pending_kafka=""
        for i in "${!pending[@]}"; do [ "${runs[$i]##* }" = kafka ] && pending_kafka=1 && break; done
        i=$(next_run)
        [ -n "$i" ] || break
        unset "pending[$i]"
        start_run "$i"
    done
    [ ${#running[@]} -gt 0 ] || continue
    pid=""
    wait -n -p pid "${!running[@]}"
    rc=$?
    [ -n "$pid" ] && end_run "$pid" "$rc"
done

[ "$failed" -gt 0 ] && echo "failed: ${failed_names[*]}"
if [ ${#skipped_runs[@]} -gt 0 ]; then
    echo "$passed passed, $failed failed, ${#skipped_runs[@]} skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
