#!/usr/bin/env bash
# t_harness_pid_reuse: a scenario records the pid of every process it
# starts, and its exit trap (then run.sh) ends them by pid. A worker
# stopped mid-scenario leaves its number behind, and the kernel hands it
# out again (pid_max 32768; a suite starts tens of thousands of
# processes): in CI one scenario's exit killed another running beside it
# (t_worker_status[kafka], exit 137). Here a bystander (another scenario's
# process) holds a pid an inner scenario recorded as its own: the inner
# scenario's exit, and run.sh's clean-up reading its list after it, leave
# the bystander alone, and still end what the inner scenario left running.
. "$(dirname "$0")/lib.sh"

inner="$T_WORK/inner"
mkdir -p "$inner"
sleep 120 &
bystander=$!
_track_pid "$bystander"

cat >"$inner/t_inner.sh" <<INNER
. "$REPO/tests/integration/lib.sh"
_track_pid $bystander # its stopped worker's number, handed out again
sleep 120 &
_track_pid \$!
echo \$! >"$inner/own.pid"
INNER
T_WORK=$inner bash "$inner/t_inner.sh" || fail "the inner scenario failed"
own=$(cat "$inner/own.pid")
pid_of_work "$own" "$inner" && fail "the inner scenario's own process $own outlived it"
pid_of_work "$bystander" "$T_WORK" || fail "the inner scenario's exit killed the bystander (pid $bystander)"

# what run.sh does with the list of a scenario that could not clean up
# (killed at its deadline): one of its processes still runs
T_WORK=$inner sleep 120 &
left=$!
echo "$left" >>"$inner/pids"
# shellcheck disable=SC2046 # one pid a line
signal_pids_of_work KILL "$inner" $(cat "$inner/pids")
wait_for "the inner scenario's process $left to end" 10 eval '! pid_of_work "$left" "$inner"'
pid_of_work "$bystander" "$T_WORK" || fail "run.sh's clean-up killed the bystander (pid $bystander)"
log "ok"
