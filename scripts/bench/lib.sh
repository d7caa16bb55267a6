# scripts/bench/lib.sh - what the phases of scripts/bench.sh share: number
# formatting, results, timed program runs (wall time, CPU time and peak RSS
# from GNU time), fresh databases and brokers, the table-vs-API check.
# Sourced after tests/integration/lib.sh (fail, wait_for, psql_value, ...).
#
# Results go into the associative array RES (key -> value); bench.sh's
# table reads them. A phase that cannot run sets RES[<phase>.skipped] to
# the reason.

declare -A RES=()
GNU_TIME=/usr/bin/time

bench_need_gnu_time()
{
    [ -x "$GNU_TIME" ] && "$GNU_TIME" -f %M true >/dev/null 2>&1 ||
        fail "GNU time (/usr/bin/time, Debian package 'time') is missing: run 'make deps'"
}

say() { printf 'bench: %s\n' "$*"; }

# rate N MS - per second, rounded; secs MS; mib KIB
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# ratio A B - A/B with two decimals ("-" when B is 0 or missing)
ratio()
{
    awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else printf "-" }'
}
# kfmt N - 123456 -> 123.5k (rates in the table)
kfmt()
{
    awk -v n="${1:-0}" 'BEGIN { if (n >= 1e6) printf "%.2fM", n / 1e6;
                                else if (n >= 1e3) printf "%.1fk", n / 1e3; else printf "%d", n }'
}
# at_least R GOAL / at_most R GOAL - "goal met" or "below goal"
at_least()
{
    awk -v r="$1" -v g="$2" 'BEGIN { print (r != "-" && r + 0 >= g + 0) ? "goal met" : "below goal" }'
}
at_most()
{
    awk -v r="$1" -v g="$2" 'BEGIN { print (r != "-" && r + 0 <= g + 0) ? "goal met" : "below goal" }'
}

# ts_ms ISO - epoch ms of a log line's ts= value (UTC, milliseconds).
ts_ms() { date -u -d "$1" +%s%3N; }

# log_first_ts_ms FILE MSG [LAST] - epoch ms of the first (with LAST: the
# last) line of FILE whose msg is MSG; empty when there is none.
log_ts_ms()
{
    local line
    if [ -n "${3:-}" ]; then
        line=$(grep -F "msg=\"$2\"" "$1" 2>/dev/null | tail -n1)
    else
        line=$(grep -m1 -F "msg=\"$2\"" "$1" 2>/dev/null)
    fi
    line=${line#ts=}
    [ -n "$line" ] && ts_ms "${line%% *}"
}

# timed FILE CMD... - runs CMD under GNU time in the background, its
# figures ("peak_KiB user_s sys_s") into FILE; sets TIMED_PID (time's pid).
timed()
{
    local file=$1
    shift
    "$GNU_TIME" -f '%M %U %S' -o "$file" "$@" &
    TIMED_PID=$!
    _track_pid "$TIMED_PID"
}

# timed_figures FILE - sets PEAK_KIB and CPU_MS from GNU time's last line.
timed_figures()
{
    local m u s
    read -r m u s < <(tail -n1 "$1")
    PEAK_KIB=$m
    CPU_MS=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
}

# stop_pid PID - SIGTERM, then waits for it (5 s, then SIGKILL).
stop_pid()
{
    local deadline=$(($(now_ms) + 5000))
    kill -TERM "$1" 2>/dev/null
    while kill -0 "$1" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# fresh_db NAME - a new empty database; every later psql goes there.
fresh_db()
{
    dropdb --if-exists "$1" >/dev/null 2>&1
    createdb "$1" || fail "createdb $1"
    export PGDATABASE=$1
    BENCH_DBS+=("$1")
}
BENCH_DBS=()

# fresh_broker PARTITIONS [MORE BROKER ARGS] - stops the broker of the last
# phase (its topics hold a run's events: memory) and starts a new one with
# the stream topic on PARTITIONS partitions.
fresh_broker()
{
    local p=$1
    shift
    [ -n "$BROKER_PID" ] && stop_pid "$BROKER_PID"
    start_devbroker --topic "$PREFIX.$STREAM:$p" "$@" >/dev/null
}

# fresh_api RECORDS - stops the demo API of the last phase, starts one with
# RECORDS records; sets API_URL, API_PID and API_RECORDS.
API_PID="" API_RECORDS=""
fresh_api()
{
    [ -n "$API_PID" ] && stop_pid "$API_PID"
    start_demoapi --records "$1" --max-page-size "$PAGE_SIZE" >/dev/null
    API_PID=$(tail -n1 "$T_WORK/pids")
    API_RECORDS=$1
}

# bench_config [EXTRA "SECTION: key = value"]... - $CONF for the current
# database, broker and API: pages of PAGE_SIZE, COMPRESSION (the embedded
# broker's partitions hold about 5 MiB each), otherwise the defaults
# (lib.sh's shorter batch.max.ms and progress.interval removed).
bench_config()
{
    write_config "postgres: conninfo = dbname=$PGDATABASE" "stream: page.size = $PAGE_SIZE" \
        "worker: -batch.max.ms" "producer: -progress.interval" "kafka: compression.type = $COMPRESSION" "$@"
}

# producer_once LABEL N - one `run --once` to completion under GNU time.
# Fails unless it exits 0 having published N events. Sets P_MS (launch to
# exit), P_PEAK_KIB, P_CPU_MS, P_RUN_ID, P_T0 (epoch ms of the launch).
producer_once()
{
    local label=$1 n=$2 rc
    PRODUCER_LAST_LOG="$T_WORK/producer-$label.log"
    P_T0=$(now_ms)
    timed "$T_WORK/producer-$label.time" "$BUILD/tidemark-producer" -c "$CONF" run --once \
        2>"$PRODUCER_LAST_LOG"
    [ "$label" = main ] && [ -n "$PERF_DIR" ] && wait_for "producer started" 10 pgrep -P "$TIMED_PID" &&
        perf_attach producer "$label" "$(pgrep -P "$TIMED_PID" | head -n1)"
    wait "$TIMED_PID"
    rc=$?
    perf_detach producer
    P_MS=$(($(now_ms) - P_T0))
    [ "$rc" = 0 ] || { tail -n 20 "$PRODUCER_LAST_LOG" >&2; fail "producer ($label) exited with status $rc"; }
    timed_figures "$T_WORK/producer-$label.time"
    P_PEAK_KIB=$PEAK_KIB P_CPU_MS=$CPU_MS
    assert_eq "$n" "$(last_run_field published)" "events published ($label)"
    P_RUN_ID=$(last_run_field run_id)
}

# completed_at_ms RUN_ID - epoch ms of sync_metadata.completed_at (empty
# while the run is not completed).
completed_at_ms()
{
    psql_value "select (extract(epoch from completed_at) * 1000)::bigint from sync_metadata
                where run_id = $(sql_quote "$1") and sync_status = 'completed'" 2>/dev/null
}

# check_table LABEL N - the table holds N live rows equal to the API's
# records: row count, then an md5 of every row (the columns of
# tests/integration/lib.sh's comparison, sorted) on both sides.
check_table()
{
    local a="$T_WORK/check-$1.api.tsv" t="$T_WORK/check-$1.table.tsv" rows sa st
    rows=$(psql_value "select count(*) from $TABLE where not _deleted")
    assert_eq "$2" "$rows" "live rows in $TABLE ($1)"
    api_records_tsv >"$a" || fail "could not read /admin/records"
    table_records_tsv >"$t" || fail "could not read table $TABLE"
    sa=$(md5sum <"$a") st=$(md5sum <"$t")
    if [ "$sa" != "$st" ]; then
        _show_diff "rows ($1)" "$a" "$t"
        fail "table $TABLE does not equal the API ($1): md5 ${sa%% *} (API) vs ${st%% *} (table)"
    fi
    say "check ($1): $TABLE equals the API: $rows rows, md5 ${st%% *}"
    rm -f "$a" "$t"
}

# backend_pids - the client backends connected to the current database
# (the worker's, while it runs), comma-separated.
backend_pids()
{
    psql_value "select string_agg(pid::text, ',') from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid()
                and backend_type = 'client backend'"
}

# cpu_ms PIDS - user + system CPU time so far of the processes PIDS
# (comma-separated), in ms.
cpu_ms()
{
    local pid total=0 t tck
    tck=$(getconf CLK_TCK)
    for pid in ${1//,/ }; do
        # fields 14 and 15 after the command name, which may hold spaces
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
        total=$((total + ${t:-0}))
    done
    echo $((total * 1000 / tck))
}

# machine_mark - a snapshot of the machine's CPU counters (/proc/stat);
# machine_busy MARK - the share of the machine's CPU time busy since MARK
# (every process, the other users of a shared machine included), in %.
machine_mark() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
machine_busy()
{
    awk -v m="$1" '/^cpu / { split(m, a, " "); b = $2 + $3 + $4 + $7 + $8 - a[1];
                             t = $2 + $3 + $4 + $5 + $6 + $7 + $8 - a[2];
                             printf "%.0f", (t > 0 ? 100 * b / t : 0) }' /proc/stat
}

# sched_ms PID - "RUN WAIT" of PID's main thread so far, in ms: time on a
# CPU, and time runnable but waiting for one (/proc/PID/schedstat).
sched_ms() { awk '{ printf "%d %d", $1 / 1e6, $2 / 1e6 }' "/proc/$1/schedstat" 2>/dev/null; }

# sched_split BEFORE AFTER WALL_MS - "on a CPU X s, waiting for one Y s,
# asleep Z s" between two sched_ms readings over WALL_MS.
sched_split()
{
    awk -v b="$1" -v a="$2" -v w="$3" 'BEGIN { split(b, x, " "); split(a, y, " ");
        r = y[1] - x[1]; q = y[2] - x[2];
        printf "on a CPU %.2f s, waiting for one %.2f s, asleep %.2f s", r / 1000, q / 1000, (w - r - q) / 1000 }'
}
