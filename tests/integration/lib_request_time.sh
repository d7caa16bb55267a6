# shellcheck shell=bash
# lib_request_time.sh - lib_items.sh and the one course of the scenarios
# of an API whose list view computes the cursor as COALESCE(updated_at,
# now()): records never updated (updated_at NULL in its table) are served
# with the time of the request, a new cursor at every request, always at
# or past any since. A seek walk that re-asks at the last record's cursor
# meets them again at every since, on a page of their own (newer cursors
# than the since it was asked with): the walk must not chase them for
# ever, publishing them once a request. (The same for a serializer that
# fills a null timestamp with datetime.now(), or records updated faster
# than a request's round trip.) The scenario file says how many. Sourced.
. "$(dirname "${BASH_SOURCE[0]}")/lib_items.sh"

# run_bounded [ARGS] - run --once ARGS, which must end (exit 0) within
# 30 s: a walk of 3 pages takes well under one. Its event count goes to
# $T_WORK/published.
run_bounded()
{
    local n=$((++_PRODUCER_N)) rc t0
    t0=$(now_ms)
    PRODUCER_LAST_LOG="$T_WORK/producer.$n.log"
    timeout --foreground -k 5 30 "$BUILD/tidemark-producer" -c "$CONF" run --once "$@" \
        >"$T_WORK/producer.$n.out" 2>"$PRODUCER_LAST_LOG"
    rc=$?
    cat "$PRODUCER_LAST_LOG" >>"$T_WORK/producer.log"
    log "run $n ($*): exit $rc after $(($(now_ms) - t0)) ms; $(last_run_summary); requests so far: $(wc -l <"$HOSTILE_LOG"); item 11 events on the topic: $(kc -C -t "$PREFIX.$STREAM" -e -f '%k\n' | grep -cx 11)"
    [ "$rc" = 0 ] || fail "run $n ($*) did not end within 30 s (exit $rc): it chases the records whose cursor is the time of each request; $(grep -c . "$HOSTILE_LOG") requests so far"
    echo "$n $(last_run_field published)" >>"$T_WORK/published"
}

# request_time_api NEVER MORE CAP PAGE_SIZE - the broker, and the API of
# fixtures/request_time_api.py with NEVER records served at the time of
# each request (11..), MORE more of them once $T_WORK/more exists, pages
# capped at CAP (0: none); the config with page.size = PAGE_SIZE.
request_time_api()
{
    local page_size=$4
    cp "$REPO/tests/integration/fixtures/request_time_api.py" "$T_WORK/api.py"
    start_devbroker
    start_hostileapi "$T_WORK/api.py" "$1" "$2" "$3"
    write_config "stream: -deleted.url" "stream: page.size = $page_size"
}

# request_time_records N - 10 ordinary items and N never updated (11,
# 12, ...), pages of 5. Each run (a full one, four incremental ones, a
# full one again) must end within 30 s, having published at most twice as
# many events as there are records, and the rows are the API's ids.
request_time_records()
{
    local total=$((10 + $1)) ids
    ids=$(seq -s, 1 "$total")
    request_time_api "$1" 0 0 5

    run_bounded
    start_worker
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "$ids" "$(live_ids)" "live rows after the first sync"
    for i in 1 2 3 4; do
        run_bounded
    done
    run_bounded --full
    assert_eq 0 "$(last_run_field vanished)" "ids the full run found vanished"
    wait_run_completed "$(last_run_field run_id)" 60
    assert_eq "$ids" "$(live_ids)" "live rows after the second full run"
    # At most twice as many events as records in a run: a run may read a
    # page again, but not publish one record once a request.
    local run p
    while read -r run p; do
        [ "$p" -le $((2 * total)) ] || fail "run $run published $p events for $total records"
    done <"$T_WORK/published"
}
