#!/usr/bin/env bash
# t_two_workers: two workers of one group share the stream topic's
# partitions (disjoint, covering all 4) and both apply events.
# brokers: mock kafka
. "$(dirname "$0")/lib.sh"

start_devbroker
start_demoapi --records 2000
write_config
topic="$PREFIX.$STREAM"

# The current assignment of a worker for the stream topic, from its log:
# `partitions assigned` adds, `partitions revoked` removes (works for eager
# and cooperative rebalancing). Prints sorted partition numbers.
assignment()
{
    awk -v t="$topic" '
        /msg="partitions (assigned|revoked)"/ {
            add = ($0 ~ /msg="partitions assigned"/)
            if (!match($0, /partitions=[^ ]*/)) next
            list = substr($0, RSTART + 11, RLENGTH - 11)
            gsub(/"/, "", list)
            n = split(list, items, ",")
            for (i = 1; i <= n; i++) {
                k = split(items[i], tp, ":")
                if (k < 2 || tp[1] != t) continue
                if (add) cur[tp[2]] = 1; else delete cur[tp[2]]
            }
        }
        END { for (p in cur) print p }' "$T_WORK/worker-$1.log" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

balanced()
{
    local a b
    a=$(assignment w1)
    b=$(assignment w2)
    [ -n "$a" ] && [ -n "$b" ] || return 1
    # disjoint and covering 0..3
    [ "$(printf '%s\n' $a $b | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

start_worker w1
start_worker w2
wait_for "both workers own a disjoint share of the 4 partitions of $topic" 60 balanced
a1=$(assignment w1)
a2=$(assignment w2)
log "w1 owns [$a1], w2 owns [$a2]"

run_producer_once
run_id=$(last_run_field run_id)
wait_run_completed "$run_id" 90
assert_table_equals_api

# No rebalance since: the assignment seen above is the one that applied.
assert_eq "$a1" "$(assignment w1)" "w1's assignment after the run"
assert_eq "$a2" "$(assignment w2)" "w2's assignment after the run"
for w in w1 w2; do
    parts=$(assignment $w | tr ' ' ',')
    n=$(psql_value "select count(*) from $TABLE where _kafka_partition in ($parts)")
    [ "$n" -gt 0 ] || fail "worker $w (partitions $parts) applied no row"
    log "$w applied $n rows from partitions $parts"
done
assert_eq 2000 "$(psql_value "select count(*) from $TABLE")" "rows"

stop_worker w1
stop_worker w2
log "ok"
