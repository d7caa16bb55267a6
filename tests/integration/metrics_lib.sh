# metrics_lib.sh - helpers of the t_metrics_* scenarios (sourced after
# lib.sh): a free port, scraping an endpoint, one sample's value, and the
# promtool lint.

# free_port - a TCP port on 127.0.0.1 that nothing listens on now.
free_port()
{
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_follow_producer - `tidemark-producer run` (follow mode) in the
# background, log $T_WORK/follow.log; sets FOLLOW_PID.
start_follow_producer()
{
    "$BUILD/tidemark-producer" -c "$CONF" run >"$T_WORK/follow.out" 2>"$T_WORK/follow.log" &
    FOLLOW_PID=$!
    _track_pid "$FOLLOW_PID"
}

_follow_exited() { ! _pid_running "$FOLLOW_PID"; }

# stop_follow_producer - SIGTERM; fails unless it exits 0 within 10 s.
stop_follow_producer()
{
    local rc=0
    kill -TERM "$FOLLOW_PID"
    wait_for "the producer to exit after SIGTERM" 10 _follow_exited
    wait "$FOLLOW_PID" || rc=$?
    assert_eq 0 "$rc" "exit status of the producer after SIGTERM"
}

# http_code URL [CURL ARGS] - the status code of a request (000: no answer).
http_code()
{
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url"
}

http_code_is() { [ "$(http_code "$2")" = "$1" ]; }

# scrape ADDR FILE - GET http://ADDR/metrics into FILE; fails the scenario
# unless it answers 200 with the text format's content type.
scrape()
{
    local hdr="$2.headers"
    curl -fsS --max-time 10 -D "$hdr" -o "$2" "http://$1/metrics" || fail "GET http://$1/metrics"
    grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$hdr" ||
        fail "content type of /metrics: $(grep -i '^content-type' "$hdr")"
}

# metric FILE 'name{labels}' - that sample's value ("" when absent).
metric()
{
    awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print $2; exit }' "$1"
}

# metric_is ADDR 'name{labels}' VALUE - for wait_for: a fresh scrape has it.
metric_is()
{
    local f="$T_WORK/scrape.wait"
    curl -fsS --max-time 5 -o "$f" "http://$1/metrics" && [ "$(metric "$f" "$2")" = "$3" ]
}

# metric_at_least ADDR 'name{labels}' N - for wait_for: a fresh scrape has
# it at N or more.
metric_at_least()
{
    local f="$T_WORK/scrape.wait" v
    curl -fsS --max-time 5 -o "$f" "http://$1/metrics" && v=$(metric "$f" "$2") &&
        [ -n "$v" ] && [ "$v" -ge "$3" ]
}

# promtool_lint FILE - `promtool check metrics`, which fails on any
# problem of the format or the naming conventions. Without promtool (the
# Debian package prometheus, installed by `make deps`), a failure under
# CI=true, else a warning.
promtool_lint()
{
    if ! command -v promtool >/dev/null 2>&1; then
        [ "${CI:-}" != true ] || fail "promtool is missing (Debian package prometheus: make deps)"
        log "WARNING: promtool is missing (Debian package prometheus); $1 not linted"
        return 0
    fi
    promtool check metrics <"$1" >"$1.lint" 2>&1 || fail "promtool check metrics $1: $(cat "$1.lint")"
    log "promtool check metrics: $1 ok"
}
