# scripts/bench/table.sh - print_table: the results of one run (RES, filled
# by the phases) as one Markdown table, one row per figure of issue 8, each
# with what it is set against, the ratio, the goal and "goal met" or
# "below goal" (sourced by scripts/bench.sh). Tolerances where the goal has
# none: "does not fall" is >= 0.9x (noise), "independent of the run size"
# is <= 1.2x from the smallest to the largest growth size, "linear" is a
# CPU cost per record at the largest size <= 1.5x that at the smallest.

row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }

# skip_row FIGURE PHASE GOAL - the row of a phase that did not run.
skip_row()
{
    row "$1" "skipped (${RES[$2.skipped]})" "" "" "$3" "-"
}

table_throughput()
{
    local lim r
    lim=${RES[limit.api]}
    [ "${RES[limit.kafka]}" -lt "$lim" ] && lim=${RES[limit.kafka]}
    r=$(ratio "${RES[producer.rate]}" "$lim")
    row "producer, API → Kafka ($N records)" "$(kfmt "${RES[producer.rate]}")/s" \
        "lower of: demo API read by curl $(kfmt "${RES[limit.api]}")/s, librdkafka produce $(kfmt "${RES[limit.kafka]}")/s (${RES[event.bytes]}-byte events); both at once, what a producer costing nothing itself could reach: $(kfmt "${RES[limit.overlap]}")/s ($(ratio "${RES[limit.overlap]}" "$lim"))" \
        "$r" "≥ 0.5" "$(at_least "$r" 0.5)"
    r=$(ratio "${RES[worker.rate]}" "${RES[limit.pg]}")
    row "worker apply, Kafka → PostgreSQL, group join excluded" "$(kfmt "${RES[worker.rate]}")/s" \
        "PostgreSQL COPY → temp + INSERT … ON CONFLICT … WHERE, commit per $PG_BATCH rows: $(kfmt "${RES[limit.pg]}")/s (librdkafka consume on the same broker: $(kfmt "${RES[limit.consume]}")/s)" \
        "$r" "≥ 0.9" "$(at_least "$r" 0.9)"
    if [ -n "${RES[e2e.skipped]:-}" ]; then
        skip_row "end to end, both at once" e2e "≥ 2 × Python"
    elif [ -n "${RES[python.skipped]:-}" ]; then
        row "end to end, both at once" "$(kfmt "${RES[e2e.rate]}")/s" \
            "Python pipeline: skipped (${RES[python.skipped]})" "-" "≥ 2" "-"
    else
        r=$(ratio "${RES[e2e.rate]}" "${RES[python.e2e]}")
        row "end to end, both at once" "$(kfmt "${RES[e2e.rate]}")/s" \
            "Python pipeline end to end $(kfmt "${RES[python.e2e]}")/s (its producer $(kfmt "${RES[python.producer]}")/s, consumer $(kfmt "${RES[python.consumer]}")/s)" \
            "$r" "≥ 2" "$(at_least "$r" 2)"
    fi
}

table_memory()
{
    local small large r
    row "worker peak RSS ($N events behind)" "${RES[worker.rss]} MiB" "" "" "≤ 64 MiB" \
        "$(at_most "${RES[worker.rss]}" 64)"
    if [ -n "${RES[growth.skipped]:-}" ]; then
        row "producer peak RSS" "${RES[producer.rss]} MiB ($N records)" \
            "growth phase skipped (${RES[growth.skipped]})" "-" "independent of the run size" "-"
        return
    fi
    small=$(tr ' ' '\n' <<<"$GROWTH" | sort -n | head -n1)
    large=$(tr ' ' '\n' <<<"$GROWTH" | sort -n | tail -n1)
    r=$(ratio "${RES[growth.$large.p.rss]}" "${RES[growth.$small.p.rss]}")
    row "producer peak RSS" "${RES[producer.rss]} MiB ($N records)" \
        "$(growth_list p.rss " MiB")" "$r ($large vs $small)" "independent of the run size (≤ 1.2)" \
        "$(at_most "$r" 1.2)"
}

# growth_list KEY UNIT - "20000: V UNIT, 200000: V UNIT"
growth_list()
{
    local n out=""
    for n in $GROWTH; do out+="${out:+, }$n: ${RES[growth.$n.$1]}$2"; done
    echo "$out"
}

table_behaviour()
{
    local r2 r3 g small large
    if [ -n "${RES[latency.skipped]:-}" ]; then
        skip_row "latency, follow mode, poll.interval = 1s" latency "p99 ≤ 2000 ms"
    else
        row "latency, follow mode, poll.interval = 1s" "p99 ${RES[latency.p99]} ms" \
            "p50 ${RES[latency.p50]} ms, max ${RES[latency.max]} ms over ${RES[latency.n]} changes" \
            "" "p99 ≤ 2000 ms" "$(at_most "${RES[latency.p99]}" 2000)"
    fi
    if [ -n "${RES[scaling.skipped]:-}" ]; then
        skip_row "scaling, workers in one group, 12 partitions" scaling "does not fall (≥ 0.9)"
    else
        r2=$(ratio "${RES[scale.2]}" "${RES[scale.1]}")
        r3=$(ratio "${RES[scale.3]}" "${RES[scale.1]}")
        g=$(at_least "$(awk -v a="$r2" -v b="$r3" 'BEGIN { print (a < b ? a : b) }')" 0.9)
        row "scaling, workers in one group, 12 partitions" \
            "1: $(kfmt "${RES[scale.1]}")/s, 2: $(kfmt "${RES[scale.2]}")/s, 3: $(kfmt "${RES[scale.3]}")/s" \
            "total apply rate once the group is complete: rows written from its last assignment on, over the time to the run completed ($N records)" "2: $r2, 3: $r3" \
            "does not fall (≥ 0.9)" "$g"
    fi
    if [ -n "${RES[growth.skipped]:-}" ]; then
        skip_row "growth, CPU per record" growth "linear (≤ 1.5)"
        return
    fi
    small=$(tr ' ' '\n' <<<"$GROWTH" | sort -n | head -n1)
    large=$(tr ' ' '\n' <<<"$GROWTH" | sort -n | tail -n1)
    for who in p:producer w:worker; do
        r2=$(ratio "${RES[growth.$large.${who%%:*}.cpu]}" "${RES[growth.$small.${who%%:*}.cpu]}")
        row "growth, ${who#*:} CPU per record" "$(growth_list "${who%%:*}.cpu" " µs")" \
            "records/s: $(growth_list "${who%%:*}.rate" "")" "$r2 ($large vs $small)" \
            "linear (≤ 1.5)" "$(at_most "$r2" 1.5)"
    done
}

print_table()
{
    echo "| figure | tidemark | set against (measured in this run) | ratio | goal | verdict |"
    echo "|---|---|---|---|---|---|"
    table_throughput
    table_memory
    table_behaviour
}
