#!/usr/bin/env bash
# bench.sh - `make bench`: every figure of issue 8 in one run, each set
# against a limit or baseline measured in the same run on the same machine
# (absolute numbers are noise on a shared machine; the ratios are the
# result). Prints progress lines, the two lines tooling reads
#   producer: N records in S s = R records/s, peak RSS M MiB
#   worker:   N records in S s = R records/s, peak RSS M MiB (of which J s joining the group)
# and at the end one table (Markdown) with the ratios and "goal met" or
# "below goal". Speed is never asserted: the exit status is 0 unless
# something is incorrect (a program failed, a count is wrong, the table
# does not equal the API).
#
# Phases, in order (scripts/bench/*.sh):
#   main     the producer alone (best of 3 runs, as curl's read of the
#            API is), then the worker alone, on BENCH_RECORDS
#            records (pages of 5000, the stream topic on 12 partitions,
#            lz4: the embedded broker keeps about 5 MiB per partition);
#            around them the demo API's raw rate, librdkafka's produce
#            rate, both at once (context: what a producer costing nothing
#            itself could reach) and PostgreSQL's per-batch COPY + merge
#            rate (limits.sh);
#            the table checked against the API (count and md5 of the rows)
#   e2e      both at once, from the producer's start to the run completed
#   python   the Python pipeline end to end (python.sh)
#   scaling  1, 2 and 3 workers in one group on 12 partitions (scaling.sh)
#   latency  follow mode, poll.interval = 1s (latency.sh)
#   growth   the programs' cost per record at each size of BENCH_GROWTH
#
# Settings (environment):
#   BENCH_RECORDS           records of the main, e2e, python and scaling
#                           phases (default 200000)
#   BENCH_GROWTH            sizes of the growth phase (default "20000 200000":
#                           the smallest fills the producer's read-ahead of 3
#                           pages of 5000, so that its peak RSS compares like
#                           with like; "20000 200000 1000000" adds a million,
#                           ~3 min more)
#   BENCH_LATENCY_CHANGES   changes timed in the latency phase (default 100)
#   BENCH_PG_BATCH          rows per batch of PostgreSQL's limit (default 1000)
#   BENCH_SKIP              phases to leave out, e.g. "python growth"
#   BENCH_PERF=DIR          perf profiles of the main phase's producer and
#                           worker into DIR, summaries printed at the end
#                           (scripts/bench/perf.sh)
#   BENCH_SMOKE=1           the harness itself in ~35 s (make check): 2000
#                           records, 5 changes; python, scaling and growth
#                           skipped unless BENCH_SKIP says otherwise (they
#                           reuse the main phase's producer and worker runs;
#                           the three would add ~20 s of group joins)
# Each phase runs in a database of its own in one throwaway PostgreSQL
# cluster (pg_virtualenv -o fsync=off, scripts/session.sh).

[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u -o pipefail

. "$(dirname "${BASH_SOURCE[0]}")/session.sh" bench "${BASH_SOURCE[0]}" "$@"
for f in lib limits pipeline python latency scaling perf table; do
    . "$REPO/scripts/bench/$f.sh"
done

log() { :; }

if [ "${BENCH_SMOKE:-}" = 1 ]; then
    N=${BENCH_RECORDS:-2000}
    GROWTH=${BENCH_GROWTH:-1000 3000}
    LATENCY_CHANGES=${BENCH_LATENCY_CHANGES:-5}
    SKIP=${BENCH_SKIP-python scaling growth}
else
    N=${BENCH_RECORDS:-200000}
    GROWTH=${BENCH_GROWTH:-20000 200000}
    LATENCY_CHANGES=${BENCH_LATENCY_CHANGES:-100}
    SKIP=${BENCH_SKIP:-}
fi
PG_BATCH=${BENCH_PG_BATCH:-1000}
PAGE_SIZE=5000
PARTITIONS=12
COMPRESSION=lz4
LIMIT_TOPIC=bench.produce-limit

skipped() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

machine()
{
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
    mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "$(nproc) CPUs ($cpu), $mem RAM, load $(cut -d' ' -f1-3 /proc/loadavg) at the start"
}

bench_need_gnu_time
perf_setup
say "$(date -u +%Y-%m-%dT%H:%MZ), $(machine)"
say "BENCH_RECORDS=$N BENCH_GROWTH=\"$GROWTH\" BENCH_LATENCY_CHANGES=$LATENCY_CHANGES" \
    "BENCH_PG_BATCH=$PG_BATCH BENCH_SKIP=\"$SKIP\""

phase_main
for ph in e2e python scaling latency growth; do
    if skipped "$ph"; then
        RES[$ph.skipped]="BENCH_SKIP"
    else
        "phase_$ph"
    fi
done

echo
print_table
perf_print
