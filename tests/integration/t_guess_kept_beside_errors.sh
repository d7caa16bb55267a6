#!/usr/bin/env bash
# t_guess_kept_beside_errors: README ("The next page on a guess"): the
# guess's answer is used when the parsed page names the same request, "so
# the walk reads the same pages in the same order as without it, at the
# cost of one request more for a wrong guess". A cursor API whose large
# pages (over 256 KiB) carry a warning in "errors" beside their records
# (README names such APIs): the guess for page 2 is right, but the
# warning about page 1's "errors" (records_with_error -> error_words)
# drops the guess under way, and page 2 is asked a second time. What must
# happen: each page is asked once (a right guess is taken). What happened:
# page 2's URL is requested twice, and against this API, whose next
# tokens are good for one request (a scroll), every run fails there
# ("HTTP status 400").
# brokers: mock
. "$(dirname "$0")/lib_items.sh"

cat >"$T_WORK/api.py" <<'PY'
def rec(i):
    return padded_item(i, 200)

def handle(req):
    if req.path != "/items":
        return 404, [], '{"error": "no such resource"}'
    # next cursors are good for one request (a scroll): each first page
    # mints a new one, and a cursor asked again has expired
    cur = req.query.get("cursor")
    st = req.state
    warn = [{"code": "deprecated", "message": "per_page is deprecated"}]
    if not cur:
        st["minted"] = st.get("minted", 0) + 1
        tok = "pos2-%d" % st["minted"]
        st.setdefault("fresh", set()).add(tok)
        return 200, [], json.dumps({"data": [rec(i) for i in range(1, 4001)],
                                    "errors": warn, "next_cursor": tok})
    if cur in st.get("fresh", set()):
        st["fresh"].discard(cur)
        return 200, [], json.dumps({"data": [rec(4001)], "errors": warn, "next_cursor": None})
    return 400, [], '{"error": "cursor expired"}'
PY

start_devbroker
start_hostileapi "$T_WORK/api.py"
write_config "stream: -deleted.url" "stream: pagination = cursor" "stream: page.param = cursor" \
    "stream: next.path = next_cursor" "stream: max.retries = 0"
run_producer_once_rc 0
log "run: page_guesses=$(last_run_field page_guesses) page_guesses_taken=$(last_run_field page_guesses_taken)"
assert_eq 4001 "$(last_run_field published)" "records published"
asked=$(jq -r 'select(.path == "/items" and .query.cursor == "pos2-1") | .t' "$HOSTILE_LOG" | wc -l)
assert_eq 1 "$asked" "requests for page 2 (cursor=pos2-1)"
log "ok"
