#!/usr/bin/env bash
# t_secret_conninfo_echo: README says conninfo is never logged. A
# password that holds a character a libpq URI takes for syntax ('%' not
# followed by two hex digits, '@', '/') makes libpq's own error message
# quote the password (or a part of it); the worker must not pass that
# text on to its log or stdout, whether in `run`, `status` or
# `reset-offsets`, nor in /readyz's body (served while `run` retries).
# A conninfo libpq does not parse at all (the bare '%') is refused at
# start, exit 2, with what kind of mistake it is; one it parses (reading
# part of the password as the host or port) fails to connect, and that
# failure is shown with the password's parts as ***.
# brokers: mock
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"

start_devbroker
API_URL=http://127.0.0.1:9
SECRET=Zk7SECRETPW

leaks=0
n=0
for spec in \
    "refused postgresql://tm:Ab%3x$SECRET@127.0.0.1:${PGPORT:-5432}/$T_DB" \
    "retried postgresql://tm:pw@$SECRET@127.0.0.1:${PGPORT:-5432}/$T_DB" \
    "retried postgresql://tm:$SECRET/x@127.0.0.1:${PGPORT:-5432}/$T_DB"; do
    outcome=${spec%% *} conninfo=${spec#* }
    MPORT=$(free_port)
    write_config "postgres: conninfo = $conninfo" "worker: metrics.listen = 127.0.0.1:$MPORT"
    cmds=(status "reset-offsets --stream $STREAM --to-earliest")
    [ "$outcome" = refused ] && cmds+=(run)
    for cmd in "${cmds[@]}"; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        timeout --foreground -k 5 60 "$BUILD/tidemark-worker" -c "$CONF" $cmd \
            >"$T_WORK/w.$n.out" 2>"$T_WORK/w.$n.err"
        rc=$?
        log "worker $cmd (exit $rc): $(head -n1 "$T_WORK/w.$n.err" | cut -c1-300)"
        if cat "$T_WORK/w.$n.out" "$T_WORK/w.$n.err" | matches -F "$SECRET"; then
            log "LEAK in worker $cmd"
            leaks=$((leaks + 1))
        fi
        if [ "$outcome" = refused ]; then
            assert_eq 2 "$rc" "exit status of worker $cmd with a conninfo libpq does not parse"
            matches -F "[postgres] conninfo does not parse (a URI): a '%' not followed by two hex" \
                "$T_WORK/w.$n.err" || fail "worker $cmd: no clear configuration error"
        fi
    done
    [ "$outcome" = refused ] && continue
    # run: retries PostgreSQL; its first warning is enough
    n=$((n + 1))
    start_worker "w$n"
    wait_for "the worker's first PostgreSQL warning" 30 \
        matches -F 'PostgreSQL not ready' "$T_WORK/worker-w$n.log"
    wait_for "/readyz to name PostgreSQL" 30 \
        sh -c "curl -s --max-time 5 http://127.0.0.1:$MPORT/readyz | grep -q PostgreSQL"
    body=$(curl -s --max-time 5 "http://127.0.0.1:$MPORT/readyz")
    log "GET /readyz: $body"
    case "$body" in *"$SECRET"*)
        log "LEAK in /readyz"
        leaks=$((leaks + 1))
        ;;
    esac
    kill_worker "w$n"
    log "worker run: $(grep -m1 'PostgreSQL not ready' "$T_WORK/worker-w$n.log" | cut -c1-300)"
    if matches -F "$SECRET" "$T_WORK/worker-w$n.log"; then
        log "LEAK in worker run ($(grep -c -F "$SECRET" "$T_WORK/worker-w$n.log") lines)"
        leaks=$((leaks + 1))
    fi
done
assert_eq 0 "$leaks" "worker commands whose output shows (part of) the conninfo password"
log "ok"
