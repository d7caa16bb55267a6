# scripts/bench/scaling.sh - workers in one group, and growth with the run
# size (sourced by scripts/bench.sh):
#   phase_scaling   one producer run of N records into a topic of 12
#                   partitions; then, for 1, 2 and 3 workers started
#                   together in one group (a fresh group and database each
#                   time), the total apply rate once the group is complete:
#                   the rows written (_synced_at) from the group's last
#                   assignment on, over the time from it to the run
#                   completed (a worker that joins late makes the group
#                   rebalance: what was applied before is left out)
#   phase_growth    for each size of GROWTH: a fresh API, broker and
#                   database, the producer's and the worker's run, each
#                   alone; their wall time and CPU time per record, and the
#                   producer's peak RSS (flat when pages stream through)

SCALING_PARTITIONS=12

phase_scaling()
{
    local k run rows
    fresh_db bench_scale
    fresh_broker "$SCALING_PARTITIONS"
    [ "$API_RECORDS" = "$N" ] || fresh_api "$N"
    bench_config
    producer_once scale "$N"
    run=$P_RUN_ID
    for k in 1 2 3; do
        fresh_db "bench_scale_$k"
        bench_config "worker: group.id = tm-scale-$k"
        worker_run "scale$k" "$run" "$k"
        assert_eq "$N" "$(psql_value "select count(*) from $TABLE")" "rows applied by $k workers"
        # the rows written once the group was complete (_synced_at: when the
        # worker wrote the row), over that time
        rows=$(psql_value "select count(*) from $TABLE
                           where _synced_at >= to_timestamp($W_LAST_ASSIGN / 1000.0)")
        RES[scale.$k]=$(rate "$rows" $((W_DONE - W_LAST_ASSIGN)))
        RES[scale.$k.assigns]=$W_ASSIGNS
        say "scaling: $k worker(s), $SCALING_PARTITIONS partitions: ${RES[scale.$k]} records/s" \
            "($rows records in the $(secs $((W_DONE - W_LAST_ASSIGN))) s from the group's last assignment" \
            "to the run completed; $W_ASSIGNS assignments, $(secs "$W_JOIN_MS") s to the first)"
    done
}

# The partitions of the growth runs: the largest size fits the embedded
# broker (about 5 MiB per partition, see bench.sh), the same for every size.
growth_partitions()
{
    local max=0 n
    for n in $GROWTH; do [ "$n" -gt "$max" ] && max=$n; done
    n=$(((max + 16999) / 17000))
    [ "$n" -lt "$PARTITIONS" ] && n=$PARTITIONS
    echo "$n"
}

phase_growth()
{
    local n parts
    parts=$(growth_partitions)
    for n in $GROWTH; do
        fresh_db "bench_growth_$n"
        fresh_broker "$parts"
        fresh_api "$n"
        bench_config
        producer_once "growth$n" "$n"
        RES[growth.$n.p.rate]=$(rate "$n" "$P_MS")
        RES[growth.$n.p.cpu]=$(awk -v c="$P_CPU_MS" -v n="$n" 'BEGIN { printf "%.1f", c * 1000 / n }')
        RES[growth.$n.p.rss]=$(mib "$P_PEAK_KIB")
        worker_run "growth$n" "$P_RUN_ID"
        assert_eq "$n" "$(psql_value "select count(*) from $TABLE")" "rows applied ($n records)"
        RES[growth.$n.w.rate]=$(rate "$n" $((W_MS - W_JOIN_MS)))
        RES[growth.$n.w.cpu]=$(awk -v c="$W_CPU_MS" -v n="$n" 'BEGIN { printf "%.1f", c * 1000 / n }')
        RES[growth.$n.w.rss]=$(mib "$W_PEAK_KIB")
        say "growth: $n records ($parts partitions): producer ${RES[growth.$n.p.rate]} records/s," \
            "${RES[growth.$n.p.cpu]} us CPU/record, peak RSS ${RES[growth.$n.p.rss]} MiB;" \
            "worker ${RES[growth.$n.w.rate]} records/s, ${RES[growth.$n.w.cpu]} us CPU/record," \
            "peak RSS ${RES[growth.$n.w.rss]} MiB"
    done
}
