#!/bin/bash
# Captures the raw ftrace ring-buffer pages used by the sched binary-page tests
# (src/sources/sched/*_test.cc) from the running kernel, in the episode layout
# raw/sched/{formats/...,cpu<N>.pages}. Run as root from anywhere:
#   testdata/ftrace/capture.sh [case...]     (cases: basic mixed lost; default all)
# Works in a private tracefs instance (never a ktel-* name: ktel removes stale
# ones) that is removed again on exit; global tracing files are not written.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
tracefs=/sys/kernel/tracing
inst_name=h-pages-capture
inst=$tracefs/instances/$inst_name
scratch=$(mktemp -d /tmp/h-pages-capture.XXXXXX)

cleanup() {
  if [ -d "$inst" ]; then
    echo 0 > "$inst/tracing_on" || true
    for e in "$inst"/events/*/*/enable; do [ "$(cat "$e")" = 0 ] || echo 0 > "$e"; done 2>/dev/null || true
    rmdir "$inst" || echo "could not remove $inst; remove it with: rmdir $inst" >&2
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

mountpoint -q "$tracefs" || mount -t tracefs tracefs "$tracefs"
[ -d "$inst" ] && rmdir "$inst"

# Reads every per_cpu/cpuN/trace_pipe_raw of the instance with non-blocking
# reads of one page at a time; each read becomes one zero-padded page slot.
read_pages() {  # read_pages <instance dir> <out dir>
  python3 - "$1" "$2" <<'PY'
import errno, glob, os, re, sys
inst, dest = sys.argv[1], sys.argv[2]
hp = open(os.path.join(inst, "events/header_page")).read()
m = re.search(r"field: char data;\s*offset:(\d+);\s*size:(\d+);", hp)
page = int(m.group(1)) + int(m.group(2))
for d in sorted(glob.glob(os.path.join(inst, "per_cpu/cpu*"))):
    cpu = int(os.path.basename(d)[3:])
    fd = os.open(os.path.join(d, "trace_pipe_raw"), os.O_RDONLY | os.O_NONBLOCK)
    n = 0
    with open(os.path.join(dest, "cpu%d.pages" % cpu), "wb") as f:
        while True:
            try:
                b = os.read(fd, page)
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    break
                raise
            if not b:
                break
            f.write(b + bytes(page - len(b)))
            n += 1
    os.close(fd)
    print("  cpu%d: %d pages" % (cpu, n))
PY
}

copy_formats() {  # copy_formats <out dir> <system/event>...
  local dest=$1; shift
  mkdir -p "$dest/formats"
  cp "$inst/events/header_page" "$inst/events/header_event" "$dest/formats/"
  for ev in "$@"; do
    mkdir -p "$dest/formats/$ev"
    cp "$inst/events/$ev/format" "$dest/formats/$ev/format"
  done
}

# capture <case> <buffer_size_kb> <workload function> <system/event>...
capture() {
  local name=$1 kb=$2 workload=$3; shift 3
  local dest=$out/$name
  echo "== $name"
  rm -rf "$dest"; mkdir -p "$dest/stats"
  mkdir "$inst"
  echo mono > "$inst/trace_clock"
  echo "$kb" > "$inst/buffer_size_kb"
  echo 0 > "$inst/tracing_on"
  for ev in "$@"; do echo 1 > "$inst/events/$ev/enable"; done
  echo > "$inst/trace"
  echo 1 > "$inst/tracing_on"
  "$workload"
  echo 0 > "$inst/tracing_on"
  for ev in "$@"; do echo 0 > "$inst/events/$ev/enable"; done
  for d in "$inst"/per_cpu/cpu*; do cp "$d/stats" "$dest/stats/$(basename "$d")"; done
  copy_formats "$dest" "$@"
  read_pages "$inst" "$dest"
  rmdir "$inst"
}

# Two processes bouncing one byte over two pipes: sched_switch/wakeup heavy.
pingpong() {  # pingpong <round trips>
  python3 -c '
import os, sys
n = int(sys.argv[1])
r1, w1 = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    for _ in range(n): os.read(r1, 1); os.write(w2, b"x")
    os._exit(0)
for _ in range(n): os.write(w1, b"x"); os.read(r2, 1)
os.waitpid(pid, 0)' "$1"
}

# A spinning shell moved between CPU 0 and CPU 1: sched_migrate_task.
migrate() {
  sh -c 'while :; do :; done' & local spin=$!
  taskset -pc 0 "$spin" > /dev/null; sleep 0.05
  taskset -pc 1 "$spin" > /dev/null; sleep 0.05
  taskset -pc 0 "$spin" > /dev/null; sleep 0.05
  kill "$spin"; wait "$spin" 2>/dev/null || true
}

# exec of /bin/true through a symlink with a 150-byte path: the exec record is
# longer than 112 bytes, so the ring buffer stores it with type_len 0.
long_exec() {
  local dir=$scratch/a-directory-with-a-rather-long-name-0123456789/and-another-one-just-as-long-0123456789
  mkdir -p "$dir"; ln -sf /bin/true "$dir/true-with-a-long-name"
  "$dir/true-with-a-long-name"
}

workload_basic() {
  pingpong 150
  sleep 0.2   # > 2^27 ns without events on a CPU: time-extend records
  for _ in 1 2 3; do /bin/true; done
  long_exec
  migrate
}

workload_mixed() {
  python3 -c 'import ctypes; ctypes.CDLL(None).prctl(15, b"renamed \"q\"\\", 0, 0, 0)'
  sh -c '/bin/true & wait'
}

# A flood into an 8 KiB-per-CPU overwriting buffer that is read only at the
# end: the oldest pages are overwritten and the pages read carry the
# RB_MISSED_EVENTS flag (with the count stored after the data where it fits).
workload_lost() {
  pingpong 3000
}

sched7=(sched/sched_switch sched/sched_wakeup sched/sched_wakeup_new sched/sched_migrate_task
        sched/sched_process_fork sched/sched_process_exec sched/sched_process_exit)
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(basic mixed lost)
for c in "${cases[@]}"; do
  case $c in
    basic) capture basic 1024 workload_basic "${sched7[@]}" ;;
    mixed) capture mixed 1024 workload_mixed "${sched7[@]}" sched/sched_waking \
             sched/sched_stat_runtime sched/sched_process_free sched/sched_process_wait \
             task/task_newtask task/task_rename ;;
    lost) capture lost 8 workload_lost "${sched7[@]}" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
echo "captured on $(uname -r) ($(nproc) CPUs)"
