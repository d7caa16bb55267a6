# scripts/bench/latency.sh - follow-mode latency (sourced by scripts/bench.sh):
#   phase_latency   a producer in follow mode (poll.interval = 1s) and a
#                   worker, both with otherwise default settings, on a
#                   small data set already synced; then LATENCY_CHANGES
#                   changes, one record each (POST /admin/update?ids=I),
#                   0.15-0.35 s apart (random, so that they fall at every
#                   point of the poll cycle). A change's latency is the
#                   time from just before its request was sent to the time
#                   the worker wrote its row (a trigger on the table stamps
#                   clock_timestamp() into bench_seen; the worker commits
#                   right after, in the same batch). Reports p50, p99
#                   (nearest rank) and the largest.

LATENCY_RECORDS=1000

latency_seen_sql()
{
    cat <<SQL
CREATE TABLE bench_seen (id text, cursor timestamptz, seen_at timestamptz);
CREATE FUNCTION bench_seen() RETURNS trigger LANGUAGE plpgsql AS
  \$\$ BEGIN INSERT INTO bench_seen VALUES (NEW."$ID_FIELD"::text, NEW."$CURSOR_FIELD", clock_timestamp());
       RETURN NULL; END \$\$;
CREATE TRIGGER bench_seen AFTER INSERT OR UPDATE ON "$TABLE"
  FOR EACH ROW EXECUTE FUNCTION bench_seen();
SQL
}

# The changes (id, at, sent_ms) against bench_seen: "seen p50 p99 max" (ms).
latency_stats()
{
    psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE changes (id text, at timestamptz, sent_ms bigint);
\\copy changes from '$1'
WITH lat AS (
  SELECT extract(epoch from min(s.seen_at)) * 1000 - c.sent_ms AS ms
  FROM changes c JOIN bench_seen s ON s.id = c.id AND s.cursor = c.at GROUP BY c.id, c.sent_ms)
SELECT count(*), round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)),
       round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms)), round(max(ms)) FROM lat;
SQL
}

latency_all_seen()
{
    [ "$(latency_stats "$1" | cut -d' ' -f1)" = "$2" ]
}

phase_latency()
{
    local changes="$T_WORK/latency.changes" i t reply fpid
    fresh_db bench_latency
    fresh_broker "$PARTITIONS"
    fresh_api "$LATENCY_RECORDS"
    write_config "postgres: conninfo = dbname=$PGDATABASE" "worker: -batch.max.ms" \
        "producer: -progress.interval" "producer: poll.interval = 1s" \
        "kafka: compression.type = $COMPRESSION"
    start_worker latency >/dev/null
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$T_WORK/follow.log" &
    fpid=$!
    _track_pid "$fpid"
    wait_for "the first $LATENCY_RECORDS records in $TABLE" 120 \
        eval '[ "$(psql_value "select count(*) from $TABLE" 2>/dev/null)" = "$LATENCY_RECORDS" ]'
    psql_value "$(latency_seen_sql)" >/dev/null || fail "could not add the latency trigger to $TABLE"

    : >"$changes"
    for ((i = 1; i <= LATENCY_CHANGES; i++)); do
        t=$(now_ms)
        reply=$(api_post "/admin/update?ids=$i") || fail "POST /admin/update?ids=$i failed"
        [[ $reply =~ \"at\":\"([^\"]+)\" ]] || fail "no \"at\" in the update's answer: $reply"
        printf '%s\t%s\t%s\n' "$i" "${BASH_REMATCH[1]}" "$t" >>"$changes"
        sleep "0.$((15 + RANDOM % 21))"
    done
    wait_for "every change in $TABLE" 60 latency_all_seen "$changes" "$LATENCY_CHANGES"
    local seen p50 p99 max
    read -r seen p50 p99 max < <(latency_stats "$changes")
    RES[latency.p50]=$p50 RES[latency.p99]=$p99 RES[latency.max]=$max RES[latency.n]=$seen
    stop_pid "$fpid"
    stop_worker latency >/dev/null
    say "latency (follow mode, poll.interval = 1s): $LATENCY_CHANGES changes, p50 ${RES[latency.p50]} ms," \
        "p99 ${RES[latency.p99]} ms, max ${RES[latency.max]} ms"
}
