#!/usr/bin/env bash
# t_metrics_slow_clients: the worker's metrics endpoint under slow HTTP
# clients (slowloris): 40 connections, 8 from each of 127.0.0.1..5 (the
# probes' own address among them: every client behind a sidecar proxy
# has one), each sending half a request and then a byte every 2 s, never
# a whole request. The listener used to serve each connection on a thread
# of its own, at most 32 and 8 per client address, and libmicrohttpd's
# 10 s timeout counts only silence: they held every thread for ever,
# /healthz answered nothing, and a liveness probe would have restarted a
# healthy worker. Now (README, Metrics and health):
#   - while they hold their connections, /healthz, /readyz and /metrics
#     each answer from 127.0.0.1 within 2 s, twice, both times well
#     before the slow connections' 10 s deadline could have freed them;
#   - the pipeline goes on meanwhile (a change of the API is applied);
#   - the server closes each slow connection 10 s after it opened (its
#     request still not whole): seen closed 9 to 16 s after its connect.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
start_demoapi --records 20
port=$(free_port)
addr="127.0.0.1:$port"
write_config "worker: metrics.listen = $addr"
first_sync
wait_caught_up 30
wait_for "/readyz 200" 20 http_code_is 200 "http://$addr/readyz"

# slow.py PORT READY DONE: connects the 40, touches READY, then every 0.5 s
# looks for the ones the server closed and every 2 s sends the others a
# byte; once all are closed writes DONE: "min max" of the seconds each
# lived (from its connect to the first look that found it closed).
cat >"$T_WORK/slow.py" <<'PY'
import os, socket, sys, time
port, ready, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = {}
for src in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"):
    for _ in range(8):
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        s.send(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
        s.setblocking(False)
        socks[s] = time.monotonic()
open(ready, "w").close()
lived, tick = [], 0
while socks:
    time.sleep(0.5)
    tick += 1
    for s, t0 in list(socks.items()):
        try:
            closed = s.recv(1) == b""
        except BlockingIOError:
            closed = False
        except OSError:
            closed = True
        if not closed and tick % 4 == 0:
            try:
                s.send(b"a")
            except BlockingIOError:
                pass
            except OSError:
                closed = True
        if closed:
            lived.append(time.monotonic() - t0)
            del socks[s]
            s.close()
with open(done + ".tmp", "w") as f:
    f.write("%.1f %.1f\n" % (min(lived), max(lived)))
os.rename(done + ".tmp", done)
PY
/usr/bin/python3 "$T_WORK/slow.py" "$port" "$T_WORK/slow.ready" "$T_WORK/slow.done" \
    >"$T_WORK/slow.log" 2>&1 &
_track_pid $!
wait_for "the slow clients connected" 20 test -e "$T_WORK/slow.ready"
t0=$(now_ms)
log "40 slow clients connected"

# answered at once, twice, while the slow clients hold their connections
for round in 1 2; do
    for ep in healthz readyz metrics; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$addr/$ep") || true
        assert_eq 200 "$code" "/$ep from 127.0.0.1 (round $round, $(($(now_ms) - t0)) ms after 40 slow clients connected)"
    done
    [ "$round" = 2 ] || sleep 3
done
elapsed=$(($(now_ms) - t0))
[ "$elapsed" -lt 8000 ] || fail "the probes took ${elapsed} ms: past the slow clients' deadline, they prove nothing"
log "/healthz, /readyz, /metrics answered twice within ${elapsed} ms of the slow clients' connect"

# the pipeline is not held up by them
api_post "/admin/update?ids=3,4" >/dev/null
run_producer_once
wait_run_completed "$(last_run_field run_id)" 60
assert_table_equals_api
log "a change applied while the slow clients trickled"

# every slow connection closed by the server's 10 s deadline for a request
wait_for "the server to close the 40 slow connections" 30 test -e "$T_WORK/slow.done"
read -r lived_min lived_max <"$T_WORK/slow.done"
log "slow connections lived ${lived_min} s to ${lived_max} s"
awk -v a="$lived_min" -v b="$lived_max" 'BEGIN { exit !(a >= 9 && b <= 16) }' ||
    fail "slow connections lived ${lived_min} s to ${lived_max} s, not 9 to 16 s (the deadline is 10 s from the connect)"
log "ok"
