# scripts/bench/pipeline.sh - the programs on a full sync (sourced by
# scripts/bench.sh, after scripts/bench/lib.sh):
#   worker_run LABEL RUN_ID [NAME]...  workers until RUN_ID is completed
#   phase_main                  producer (best of 3), then worker, each
#                               alone, with the limits around them; the
#                               two lines tooling reads; the table checked
#                               against the API
#   phase_e2e                   both at once: the producer's start to the
#                               run completed in sync_metadata

# worker_run LABEL RUN_ID [COUNT] - COUNT workers (default 1) of $CONF's
# group, started together under GNU time, until RUN_ID is completed; then
# SIGTERM, each must exit 0. Sets W_MS (start to completed_at), W_JOIN_MS
# (start to the group's first assignment: from then on it applies; a later
# rebalance, when a worker joined late, counts as apply time), W_ASSIGNS
# (assignments in all: more than COUNT means a rebalance after the first),
# W_LAST_ASSIGN and W_DONE (epoch ms of the group's last assignment and of
# completed_at), W_PEAK_KIB (the largest worker's), W_CPU_MS (all workers).
worker_run()
{
    local label=$1 run=$2 count=${3:-1} i t0 done_ms ts
    local -a tpids=() wpids=()
    t0=$(now_ms)
    for ((i = 1; i <= count; i++)); do
        timed "$T_WORK/worker-$label.$i.time" "$BUILD/tidemark-worker" -c "$CONF" run \
            2>"$T_WORK/worker-$label.$i.log"
        tpids+=("$TIMED_PID")
    done
    for i in "${!tpids[@]}"; do
        wait_for "worker process started" 10 pgrep -P "${tpids[$i]}"
        wpids+=("$(pgrep -P "${tpids[$i]}" | head -n1)")
    done
    if [ "$label" = main ]; then
        perf_attach worker "$label" "${wpids[0]}"
        wait_for "the worker's PostgreSQL connection" 30 eval '[ -n "$(backend_pids)" ]'
        W_BACKENDS=$(backend_pids)
        perf_attach postgres "$label" "$W_BACKENDS"
        wait_for "the worker's partitions assigned" 60 \
            grep -q 'msg="partitions assigned"' "$T_WORK/worker-$label.1.log"
        local sched_w0 sched_b0 t_apply
        sched_w0=$(sched_ms "${wpids[0]}") sched_b0=$(sched_ms "${W_BACKENDS%%,*}") t_apply=$(now_ms)
    fi
    local logs=""
    for ((i = 1; i <= count; i++)); do logs+="$T_WORK/worker-$label.$i.log "; done
    wait_completed "$run" 600 "$logs" "${wpids[@]}"
    done_ms=$DONE_MS
    if [ "$label" = main ]; then
        W_PG_CPU_MS=$(cpu_ms "$W_BACKENDS")
        W_SCHED="worker's main thread $(sched_split "$sched_w0" "$(sched_ms "${wpids[0]}")" \
            $(($(now_ms) - t_apply))), its PostgreSQL backend $(sched_split "$sched_b0" \
            "$(sched_ms "${W_BACKENDS%%,*}")" $(($(now_ms) - t_apply)))"
    fi
    W_JOIN_MS="" W_LAST_ASSIGN=0 W_ASSIGNS=0 W_PEAK_KIB=0 W_CPU_MS=0 W_DONE=$done_ms
    for ((i = 1; i <= count; i++)); do
        ts=$(log_ts_ms "$T_WORK/worker-$label.$i.log" "partitions assigned")
        [ -n "$ts" ] && { [ -z "$W_JOIN_MS" ] || [ $((ts - t0)) -lt "$W_JOIN_MS" ]; } && W_JOIN_MS=$((ts - t0))
        ts=$(log_ts_ms "$T_WORK/worker-$label.$i.log" "partitions assigned" last)
        [ -n "$ts" ] && [ "$ts" -gt "$W_LAST_ASSIGN" ] && W_LAST_ASSIGN=$ts
        W_ASSIGNS=$((W_ASSIGNS + $(grep -c 'msg="partitions assigned"' "$T_WORK/worker-$label.$i.log")))
    done
    for i in "${!wpids[@]}"; do kill -TERM "${wpids[$i]}" 2>/dev/null; done
    for i in "${!tpids[@]}"; do
        wait_for "worker $label.$((i + 1)) exit after SIGTERM" 30 \
            eval "! kill -0 ${wpids[$i]} 2>/dev/null"
        wait "${tpids[$i]}" || fail "worker $label.$((i + 1)) exited with status $? after SIGTERM"
        timed_figures "$T_WORK/worker-$label.$((i + 1)).time"
        [ "$PEAK_KIB" -gt "$W_PEAK_KIB" ] && W_PEAK_KIB=$PEAK_KIB
        W_CPU_MS=$((W_CPU_MS + CPU_MS))
    done
    perf_detach worker
    perf_detach postgres
    W_MS=$((done_ms - t0))
}

# wait_completed RUN_ID TIMEOUT_S LOGS PID... - until the run is completed in
# sync_metadata; fails if one of PIDs exits first, or at once when a
# worker says events were removed before it read them (the run can then
# never complete: the embedded broker keeps about 5 MiB a partition, and
# 1,000,000 records overflow the 12 of the main phase).
# Sets DONE_MS (epoch ms of completed_at). LOGS (space-separated) are the
# workers' logs: the wait reads them for "run completed" and asks
# PostgreSQL only then, because a psql every 100 ms costs about 0.4 of a
# core of these two while the worker is being measured (its PostgreSQL
# limit is measured with none). The worker logs "run completed" (logfmt,
# run=ID) before its COMMIT, so an empty completed_at just means one more
# turn.
wait_completed()
{
    local run=$1 timeout_s=$2 logs=$3 pid turn=0
    local deadline=$(($(now_ms) + timeout_s * 1000))
    shift 3
    # shellcheck disable=SC2086 # LOGS is a list of paths without spaces
    until grep -hsF "run=$run " $logs | grep -qF 'msg="run completed"' && DONE_MS=$(completed_at_ms "$run") && [ -n "$DONE_MS" ]; do
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null || fail "a worker exited before run $run was completed"
        done
        # once a second, not at every turn: one process more while the
        # worker is measured (the warning comes at its assignment)
        # shellcheck disable=SC2086
        if [ $((turn++ % 10)) -eq 0 ] &&
            grep -qsF 'msg="events removed from the partition before this group applied them' $logs; then
            fail "the broker removed events before the worker read them, so run $run cannot" \
                "complete: the embedded broker keeps about 5 MiB a partition; use fewer" \
                "BENCH_RECORDS"
        fi
        [ "$(now_ms)" -lt "$deadline" ] || fail "run $run not completed within $timeout_s s"
        sleep 0.1
    done
}

phase_main()
{
    fresh_db bench_main
    fresh_api "$N"
    say "main: $N records, pages of $PAGE_SIZE, $PREFIX.$STREAM with $PARTITIONS partitions"
    limit_api "$N"

    # The producer is timed as curl's read is, best of 3: on two shared
    # cores one run of either is slowed now and then by another process,
    # and one sample set against the best of three counts that noise
    # against the producer alone. Each run is a full sync into a fresh
    # broker; the last one's events are what the limits and the worker read.
    local i mark broker0 p_busy best_ms="" peak_kib=0 samples=""
    for i in 1 2 3; do
        if [ "$i" = 3 ]; then
            fresh_broker "$PARTITIONS" --topic "$LIMIT_TOPIC:$PARTITIONS"
        else
            fresh_broker "$PARTITIONS"
        fi
        bench_config
        [ "$i" = 3 ] && mark=$(machine_mark)
        producer_once "$([ "$i" = 3 ] && echo main || echo "try$i")" "$N"
        samples+="${samples:+, }$(secs "$P_MS") s"
        [ -z "$best_ms" ] || [ "$P_MS" -lt "$best_ms" ] && best_ms=$P_MS
        [ "$P_PEAK_KIB" -gt "$peak_kib" ] && peak_kib=$P_PEAK_KIB
    done
    local p_ms=$P_MS p_cpu=$P_CPU_MS run=$P_RUN_ID
    p_busy=$(machine_busy "$mark")
    RES[producer.rate]=$(rate "$N" "$best_ms")
    RES[producer.rss]=$(mib "$peak_kib")
    RES[producer.rss.kib]=$peak_kib
    echo "producer: $N records in $(secs "$best_ms") s = ${RES[producer.rate]} records/s, peak RSS $(mib "$peak_kib") MiB"
    say "producer: best of 3 runs ($samples), each a full sync into a fresh broker, as curl's" \
        "read is best of 3; peak RSS the largest of the three"
    limit_kafka
    limit_overlap "$N"

    mark=$(machine_mark) broker0=$(cpu_ms "$BROKER_PID")
    worker_run main "$run"
    assert_eq "$N" "$(psql_value "select records_synced from sync_metadata where run_id = $(sql_quote "$run")")" \
        "records_synced"
    echo "worker:   $N records in $(secs "$W_MS") s = $(rate "$N" "$W_MS") records/s, peak RSS $(mib "$W_PEAK_KIB") MiB" \
        "(of which $(secs "$W_JOIN_MS") s joining the group)"
    RES[worker.rate]=$(rate "$N" $((W_MS - W_JOIN_MS)))
    RES[worker.rss]=$(mib "$W_PEAK_KIB")
    RES[worker.rss.kib]=$W_PEAK_KIB
    say "main: CPU time: producer (its last run) $(secs "$p_cpu") s in its $(secs "$p_ms") s (machine ${p_busy}% busy);" \
        "worker $(secs "$W_CPU_MS") s, its PostgreSQL backend $(secs "$W_PG_CPU_MS") s, the broker" \
        "$(secs $(($(cpu_ms "$BROKER_PID") - broker0))) s in its $(secs "$W_MS") s" \
        "(machine $(machine_busy "$mark")% busy)"
    say "main: from the worker's assignment to the run completed: $W_SCHED"
    limit_pg
    check_table main "$N"
}

phase_e2e()
{
    local wlog="$T_WORK/worker-e2e.log" tpid wpid
    fresh_db bench_e2e
    fresh_broker "$PARTITIONS"
    bench_config
    # the worker has joined its group before the clock starts (the Python
    # consumer is given the same)
    timed "$T_WORK/worker-e2e.time" "$BUILD/tidemark-worker" -c "$CONF" run 2>"$wlog"
    tpid=$TIMED_PID
    wait_for "the worker's partitions assigned" 60 grep -q 'msg="partitions assigned"' "$wlog"
    wpid=$(pgrep -P "$tpid" | head -n1)
    producer_once e2e "$N"
    local t0=$P_T0 p_ms=$P_MS
    wait_completed "$P_RUN_ID" 600 "$wlog" "$wpid"
    RES[e2e.rate]=$(rate "$N" $((DONE_MS - t0)))
    RES[e2e.producer.rate]=$(rate "$N" "$p_ms")
    kill -TERM "$wpid"
    wait "$tpid" || fail "the e2e worker exited with status $? after SIGTERM"
    say "end to end: $N records from the producer's start to the run completed in" \
        "$(secs $((DONE_MS - t0))) s = ${RES[e2e.rate]} records/s (producer alone done after $(secs "$p_ms") s)"
    check_table e2e "$N"
}
