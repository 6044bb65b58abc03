#!/bin/bash
# Captures the kernel text traces (`cat instances/<i>/trace`) used by the
# ftrace-text parser tests, from a private tracefs instance (never a global
# tracing file). Run as root from this directory: ./capture.sh
# Each variant gets a fresh instance h-text-capture, removed afterwards.
set -euo pipefail
out=$(pwd)
T=/sys/kernel/tracing
[ -d "$T/instances" ] || mount -t tracefs tracefs "$T"
inst=$T/instances/h-text-capture
events="sched_switch sched_wakeup sched_wakeup_new sched_migrate_task sched_process_fork
        sched_process_exec sched_process_exit"

cleanup() {
  if [ -d "$inst" ]; then echo 0 > "$inst/tracing_on" || true; rmdir "$inst"; fi
}
trap cleanup EXIT

# Short-lived processes with hostile names (spaces, dashes, brackets, '=',
# a fake "==>", UTF-8, empty), each forking, exec'ing and exiting.
workload() {
  /usr/bin/python3 - <<'EOF'
import ctypes, os, time
libc = ctypes.CDLL(None)
names = [b"Web Content", b"a-12 [001] x", b"k=v prev_pid=1", b"x ==> next_comm",
         "h\u00e9llo w\u00f6rld".encode(), b"-5", b""]
for n in names:
    pid = os.fork()
    if pid == 0:
        libc.prctl(15, n, 0, 0, 0)
        t = time.time()
        while time.time() - t < 0.002:
            pass
        time.sleep(0.001)
        if os.fork() == 0:
            os._exit(0)
        os.wait()
        os._exit(0)
    os.waitpid(pid, 0)
EOF
  sh -c 'for i in 1 2 3; do /bin/true; done'
  taskset -c 1 sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done' || true
}

capture() {  # capture <file> <setup commands...>
  local file=$1; shift
  cleanup
  mkdir "$inst"
  "$@"
  for e in $events; do echo 1 > "$inst/events/sched/$e/enable"; done
  echo 1 > "$inst/tracing_on"
  workload
  echo 0 > "$inst/tracing_on"
  cat "$inst/trace" > "$out/$file"
  rmdir "$inst"
  echo "$file: $(wc -l < "$out/$file") lines"
}

defaults() { :; }
tgid() { echo 1 > "$inst/options/record-tgid"; }
mono() { echo mono > "$inst/trace_clock"; }
noirq() { echo 0 > "$inst/options/irq-info"; }
# The smallest buffer: older pages are overwritten while the workload runs,
# so the trace starts with "##### CPU N buffer started ####" lines and the
# header's entries-written exceeds entries-in-buffer.
tiny() { echo 4 > "$inst/buffer_size_kb"; }

capture sched_local.txt defaults
capture sched_tgid.txt tgid
capture sched_mono.txt mono
capture sched_noirq.txt noirq
capture sched_tiny_overwrite.txt tiny
counter() { echo counter > "$inst/trace_clock"; }
capture sched_counter.txt counter

# trace_pipe (the consuming reader) prints "CPU:N [LOST M EVENTS]" when the
# writer overwrote pages not read yet: a tiny buffer (overwrite mode, the
# default), read slowly while the workload runs.
cleanup
mkdir "$inst"
echo 4 > "$inst/buffer_size_kb"
for e in $events; do echo 1 > "$inst/events/sched/$e/enable"; done
echo 1 > "$inst/tracing_on"
( sleep 0.3; workload; workload; sleep 0.5 ) &
wl=$!
timeout 3 sh -c "while :; do dd if=$inst/trace_pipe bs=2048 count=1 status=none iflag=nonblock 2>/dev/null; sleep 0.2; done" \
  > "$out/sched_lost_pipe.txt" || true
wait "$wl"
echo 0 > "$inst/tracing_on"
rmdir "$inst"
echo "sched_lost_pipe.txt: $(wc -l < "$out/sched_lost_pipe.txt") lines, $(grep -c LOST "$out/sched_lost_pipe.txt" || true) LOST markers"
echo "captured on $(uname -r)"
