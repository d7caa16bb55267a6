# scripts/bench/limits.sh - the limits the programs' rates are set against,
# each measured in the same run, on the same data, as the program it bounds
# (sourced by scripts/bench.sh, after scripts/bench/lib.sh):
#   limit_api N         the demo API's raw rate: every page the producer
#                       reads, read by curl alone (one connection, nothing
#                       parsed); best of 3, it is short
#   limit_kafka         librdkafka's own produce rate on the same broker:
#                       the producer's events replayed (tests/bench/produce_limit.c);
#                       its reading them first gives librdkafka's consume
#                       rate there (context for the worker, not a goal)
#   limit_overlap N     both at once: curl reading the pages while
#                       librdkafka produces the producer's events, from
#                       their common start to the later one's end: what a
#                       producer whose own work (parsing, converting,
#                       bookkeeping) cost nothing could reach on this
#                       machine (context for the producer, not a goal)
#   limit_pg            PostgreSQL's per-batch COPY + merge rate on the
#                       worker's rows and table shape (tests/bench/pg_limit.c)

# api_pages N - the pages of N records, the last one short or empty, as the
# producer reads them; read_pages N - curl reads them all over one
# connection and throws them away.
api_pages() { echo $(($1 / PAGE_SIZE + 1)); }
read_pages()
{
    curl -fsS --max-time 120 "$API_URL/$STREAM?per_page=$PAGE_SIZE&page=[1-$(api_pages "$1")]" \
        >/dev/null || fail "curl could not read the demo API's pages"
}

# produce_limit_cmd - sets PRODUCE_LIMIT to the command line of
# tidemark-bench-produce-limit on the producer's events, set up as the
# producer is (the bench's compression). An array, not a function: run in
# the background, $! is then timeout(1) itself, the loop's parent.
produce_limit_cmd()
{
    PRODUCE_LIMIT=(timeout --foreground -k 5 600 "$BUILD/tidemark-bench-produce-limit"
        -b "$BOOTSTRAP" -s "$PREFIX.$STREAM" -t "$LIMIT_TOPIC" -X "compression.type=$COMPRESSION")
}

limit_api()
{
    local n=$1 pages best="" i t0 ms
    pages=$(api_pages "$n")
    for i in 1 2 3; do
        t0=$(now_ms)
        read_pages "$n"
        ms=$(($(now_ms) - t0))
        [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
    done
    RES[limit.api]=$(rate "$n" "$best")
    say "limit: demo API read by curl alone: $n records ($pages pages) in $(secs "$best") s = ${RES[limit.api]} records/s (best of 3)"
}

# After the producer's run: its events are on $PREFIX.$STREAM.
limit_kafka()
{
    local out
    produce_limit_cmd
    out=$("${PRODUCE_LIMIT[@]}" 2>"$T_WORK/produce-limit.log") || {
        cat "$T_WORK/produce-limit.log" >&2
        fail "tidemark-bench-produce-limit failed"
    }
    RES[limit.kafka]=$(sed -n 's/.* msgs_per_s=\([0-9]*\).*/\1/p' <<<"$out")
    local msgs bytes
    msgs=$(sed -n 's/.* messages=\([0-9]*\).*/\1/p' <<<"$out")
    bytes=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$out")
    RES[event.bytes]=$((bytes / msgs))
    RES[limit.consume]=$(sed -n 's/.* read_msgs_per_s=\([0-9]*\).*/\1/p' <<<"$out")
    say "limit: librdkafka produce (idempotent, acks=all, $COMPRESSION) of the producer's $msgs events" \
        "(avg ${RES[event.bytes]} bytes): ${RES[limit.kafka]} msgs/s; reading them first:" \
        "${RES[limit.consume]} msgs/s"
}

# After the producer's run, like limit_kafka: the produce loop reads the
# events first, says READY and waits (-w); SIGUSR1 and curl then start
# together.
limit_overlap()
{
    local n=$1 out="$T_WORK/overlap.out" pid t0 curl_ms produce_ms both_ms
    produce_limit_cmd
    "${PRODUCE_LIMIT[@]}" -w >"$out" 2>"$T_WORK/overlap.log" &
    pid=$!
    _track_pid "$pid"
    WAIT_INTERVAL=0.05 wait_for "the produce loop ready" 120 \
        eval "grep -q '^READY' '$out' || ! kill -0 $pid"
    local loop
    loop=$(pgrep -P "$pid" | head -n1) # the loop, not timeout(1) around it
    if ! grep -q '^READY' "$out" || [ -z "$loop" ] || ! kill -USR1 "$loop"; then
        cat "$T_WORK/overlap.log" >&2
        fail "tidemark-bench-produce-limit -w did not get ready"
    fi
    t0=$(now_ms)
    read_pages "$n"
    curl_ms=$(($(now_ms) - t0))
    wait "$pid" || {
        cat "$T_WORK/overlap.log" >&2
        fail "tidemark-bench-produce-limit -w failed"
    }
    produce_ms=$(awk '/^RESULT/ { for (i = 1; i <= NF; i++) if ($i ~ /^secs=/) printf "%.0f", substr($i, 6) * 1000 }' "$out")
    both_ms=$((curl_ms > produce_ms ? curl_ms : produce_ms))
    RES[limit.overlap]=$(rate "$n" "$both_ms")
    say "limit: both at once, curl reading the pages while librdkafka produces the events:" \
        "curl $(secs "$curl_ms") s, produce $(secs "$produce_ms") s = ${RES[limit.overlap]} records/s" \
        "(a producer whose own work cost nothing)"
}

# After the worker's run: its rows are in $TABLE of the current database.
limit_pg()
{
    local out guard
    guard='(cur."_source_ts", cur."_kafka_offset") < (EXCLUDED."_source_ts", EXCLUDED."_kafka_offset")'
    out=$(timeout --foreground -k 5 600 "$BUILD/tidemark-bench-pg-limit" -s "$TABLE" \
        -k "$ID_FIELD" -b "$PG_BATCH" -g "$guard" -o '"_kafka_offset", "_kafka_partition"' \
        2>"$T_WORK/pg-limit.log") || {
        cat "$T_WORK/pg-limit.log" >&2
        fail "tidemark-bench-pg-limit failed"
    }
    RES[limit.pg]=$(sed -n 's/.* rows_per_s=\([0-9]*\).*/\1/p' <<<"$out")
    say "limit: PostgreSQL COPY -> temp table + INSERT .. ON CONFLICT .. WHERE guard, commit per" \
        "$PG_BATCH rows, on the worker's rows: ${RES[limit.pg]} rows/s"
}
