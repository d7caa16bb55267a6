#!/usr/bin/env bash
# t_guess_wrong_beside_errors: a cursor API whose large first page (over
# 256 KiB) carries a warning in "errors" beside its records, and whose
# records nest a member of next.path's name ("meta": {"next_cursor": ...}),
# so that the guess (pageguess.h: the last member of the name) is wrong.
# The wrong guess's request is answered 503 with Retry-After: 2. The
# warning about that page's "errors" once waited for the guess under way
# (3df0067), so that the walk sat through the wrong guess's retries, each
# after its Retry-After (up to 8 of 5 minutes with the defaults), for an
# answer then dropped (helper 166). The warning now leaves the guess
# alone, and the walk's next request cancels it: at most one request for
# it (none when the cancel comes before the guess's request is sent; the
# guess is still counted as made).
# (t_guess_kept_beside_errors: a right guess is still taken.)
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return dict(padded_item(i, 200), meta={"next_cursor": "stale-%d" % i})

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    cur = req.query.get("cursor")
    warn = [{"code": "deprecated", "message": "per_page is deprecated"}]
    if not cur:
        return 200, [], json.dumps({"next_cursor": "pos2", "data": [rec(i) for i in range(1, 4001)],
                                    "errors": warn})
    if cur == "pos2":
        return 200, [], json.dumps({"next_cursor": None, "data": [rec(4001)], "errors": warn})
    return 503, [("Retry-After", "2")], '{"error": "try again later"}'
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor"
run_producer_once_rc 0
log "run: page_guesses=$(last_run_field page_guesses) page_guesses_taken=$(last_run_field page_guesses_taken) duration_ms=$(last_run_field duration_ms)"
assert_eq 4001 "$(last_run_field published)" "records published"
stale=$(jq -r 'select(.path == "/items" and (.query.cursor // "" | startswith("stale"))) | .t' "$HOSTILE_LOG" | wc -l)
log "requests for the wrong guess: $stale"
assert_eq 1 "$(last_run_field page_guesses)" "guesses made"
assert_eq 1 "$((stale <= 1))" "at most one request for the wrong guess, $stale (its retries waited out, when more)"
log "ok"
