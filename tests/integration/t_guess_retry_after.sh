#!/usr/bin/env bash
# t_guess_retry_after: a rate limit (429 with Retry-After) answered to a
# guessed request, the next page asked while the page before is parsed
# (producer/getahead.h; pages of about 1 MiB). The guess waits as the API
# asks and asks again, and the walk takes its answer: every record is
# published once and the page is not asked a third time. With a
# Retry-After of a minute, SIGTERM during that wait stops the producer
# within seconds, the run interrupted, and the next run publishes every
# record, its "run completed" line counting its guesses.
# brokers: mock
. "$(dirname "$0")/lib_big_pages.sh"

N=12000
big_pages_start "$N" "stream: -deleted.url"
retried() { grep -q 'msg="http request failed, retrying".*wait_source=retry-after retry_after=2' \
    "$T_WORK/follow.log"; }

# The second data request is the guess for page 2, made while page 1 is
# parsed: the first one is page 1 itself.
api_post "/admin/fault?status=429&count=1&after=1&retry_after=2" >/dev/null || fail "admin fault"
before=$(api_requests)
t0=$(now_ms)
m="$T_WORK/first.metrics"
big_pages_first_run "$m"
took=$((FIRST_RUN_DONE_MS - t0))
run_id=$(last_run_field run_id)
assert_eq "$N" "$(last_run_field published)" "events published by the run"
retried || fail "no retry after the guess's 429 waited the Retry-After of 2 s"
[ "$took" -ge 2000 ] || fail "the run took $took ms: the Retry-After of 2 s was not waited"
# the 429'd guess taken too
assert_guesses "$(metric "$m" 'tidemark_producer_page_guesses_total{stream="customers"}')" \
    "$(metric "$m" 'tidemark_producer_page_guesses_taken_total{stream="customers"}')" /metrics
# 3 pages, the page at the last record's since, at most one guess after
# the last, and the 429 (no deleted endpoint): a page asked again after
# its guess was refused would make 7 or more.
asked=$(($(api_requests) - before))
log "the run made $asked requests to the API"
[ "$asked" -le 6 ] || fail "the run made $asked requests to the API (at most 6 expected)"
start_worker
wait_run_completed "$run_id" 90
assert_table_equals_api
stop_worker

# A wait of a minute, stopped: within seconds, the run interrupted.
api_post "/admin/update?count=$N" >/dev/null || fail "admin update"
api_post "/admin/fault?status=429&count=1&after=1&retry_after=60" >/dev/null || fail "admin fault"
follow_start stop
waiting() { grep -q 'wait_source=retry-after retry_after=60' "$FOLLOW_LOG"; }
wait_for "the guess's 429 with Retry-After: 60" 30 waiting
follow_stop 5
grep -q 'interrupted' "$FOLLOW_LOG" || fail "no 'interrupted' in the producer's log"
grep -q 'msg="run completed"' "$FOLLOW_LOG" && fail "the stopped run says it completed"

run_producer_once
assert_eq "$N" "$(last_run_field published)" "events published by the run after the stop"
# the run's line counts its guesses as /metrics does
assert_guesses "$(last_run_field page_guesses)" "$(last_run_field page_guesses_taken)" \
    "the run's line"
start_worker
wait_run_completed "$(last_run_field run_id)" 90
assert_table_equals_api
stop_worker
log "ok"
