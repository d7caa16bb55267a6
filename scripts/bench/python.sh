# scripts/bench/python.sh - the Python pipeline tidemark replaces
# (tests/bench/py_kafka_pipeline.py: confluent-kafka + psycopg2, a copy of
# ../shared/baselines/py_kafka_pipeline.py; BENCH_PY_PIPELINE names another),
# end to end on the same API, the same kind of broker and topic and the
# same PostgreSQL as phase_e2e (sourced by scripts/bench.sh):
#   phase_python   its consumer started and assigned first, then the clock
#                  runs from its producer's start to the consumer's last
#                  commit of offsets (a trigger on its kafka_offsets table
#                  stamps each write with clock_timestamp(): the end)
# Skipped, with the reason, unless Debian's /usr/bin/python3 imports
# confluent_kafka, psycopg2 and requests (`make bench` installs them).

PY_PIPELINE=${BENCH_PY_PIPELINE:-$REPO/tests/bench/py_kafka_pipeline.py}

python_missing()
{
    [ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3"; return; }
    /usr/bin/python3 -c 'import confluent_kafka, psycopg2, requests' 2>/dev/null ||
        { echo "/usr/bin/python3 cannot import confluent_kafka, psycopg2 and requests (make deps: scripts/deps.sh bench)"; return; }
    [ -r "$PY_PIPELINE" ] || echo "no $PY_PIPELINE"
}

# the end of the run: the last write of kafka_offsets
PY_STAMP_SQL='
ALTER TABLE kafka_offsets ADD COLUMN bench_at timestamptz;
CREATE FUNCTION bench_stamp() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.bench_at := clock_timestamp(); RETURN NEW; END $$;
CREATE TRIGGER bench_stamp BEFORE INSERT OR UPDATE ON kafka_offsets
  FOR EACH ROW EXECUTE FUNCTION bench_stamp();'

phase_python()
{
    local why topic=py.$STREAM cpid t0 end_ms rows
    why=$(python_missing)
    if [ -n "$why" ]; then
        RES[python.skipped]=$why
        say "Python pipeline: skipped ($why)"
        return
    fi
    fresh_db bench_python
    fresh_broker "$PARTITIONS" --topic "$topic:$PARTITIONS"
    /usr/bin/python3 "$PY_PIPELINE" init || fail "py_kafka_pipeline.py init failed"
    psql_value "$PY_STAMP_SQL" >/dev/null || fail "could not add the timing trigger to kafka_offsets"
    /usr/bin/python3 "$PY_PIPELINE" consume --bootstrap "$BOOTSTRAP" --topic "$topic" --expect "$N" \
        >"$T_WORK/py-consume.out" 2>"$T_WORK/py-consume.log" &
    cpid=$!
    _track_pid "$cpid"
    wait_for "the Python consumer's partitions assigned" 60 grep -q '^ASSIGNED' "$T_WORK/py-consume.out"
    t0=$(now_ms)
    /usr/bin/python3 "$PY_PIPELINE" produce --api "$API_URL" --bootstrap "$BOOTSTRAP" \
        --topic "$topic" --per-page "$PAGE_SIZE" >"$T_WORK/py-produce.out" 2>"$T_WORK/py-produce.log" ||
        { cat "$T_WORK/py-produce.log" >&2; fail "the Python producer failed"; }
    wait "$cpid" || { cat "$T_WORK/py-consume.log" >&2; fail "the Python consumer failed"; }
    end_ms=$(psql_value "select (extract(epoch from max(bench_at)) * 1000)::bigint from kafka_offsets")
    rows=$(psql_value "select count(*) from customers")
    assert_eq "$N" "$rows" "rows the Python pipeline wrote"
    RES[python.e2e]=$(rate "$N" $((end_ms - t0)))
    RES[python.producer]=$(sed -n 's/.*records_per_s=\([0-9]*\).*/\1/p' "$T_WORK/py-produce.out")
    RES[python.consumer]=$(sed -n 's/^RESULT py_consume.*records_per_s=\([0-9]*\).*/\1/p' "$T_WORK/py-consume.out")
    say "Python pipeline: $N records end to end in $(secs $((end_ms - t0))) s = ${RES[python.e2e]} records/s" \
        "(its producer ${RES[python.producer]}/s, its consumer ${RES[python.consumer]}/s from first message to last commit)"
}
