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
# And a process of ours stays ours while it execs.
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
# (until its exec, the child's environment is this shell's)
wait_for "the inner scenario's process $left to start" 10 pid_of_work "$left" "$inner"
# shellcheck disable=SC2046 # one pid a line
signal_pids_of_work KILL "$inner" $(cat "$inner/pids")
wait_for "the inner scenario's process $left to end" 10 eval '! pid_of_work "$left" "$inner"'
pid_of_work "$bystander" "$T_WORK" || fail "run.sh's clean-up killed the bystander (pid $bystander)"

# A process is ours through its exec too, when its environment reads empty
# for a moment: start_broker polls the Kafka launcher, which execs its JVM,
# and once in CI took it for gone (t_kafka_short_txns_scan[kafka]). 100
# processes that exec, each asked 30 times while alive (about 6 misses
# before, by measure).
misses=0
for _ in $(seq 100); do
    bash -c 'for i in 1 2 3; do :; done; exec sleep 0.05' &
    p=$!
    for _ in $(seq 30); do
        pid_of_work "$p" "$T_WORK" || { _pid_running "$p" && misses=$((misses + 1)); }
    done
    wait "$p"
done
assert_eq 0 "$misses" "times a live process of ours was taken for gone around its exec"
log "ok"
