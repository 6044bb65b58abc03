#!/usr/bin/env bash
# Times ktel's binary ftrace page parser against libtraceevent and
# `trace-cmd report` on ONE capture: trace-cmd records a trace.dat (file
# version 6, pages stored as read), bench/trace_dat_pages.py cuts its per-CPU
# page ranges and format files out into ktel's raw/sched layout, then
#   ktel (CpuPageDecoder, one thread), ktel read_raw_trace (thread per CPU +
#   merge), libtraceevent kbuffer+tep fields, libtraceevent tep_print_event
# run on those pages (sched_parse_bench, KTEL_SCHED_BENCH_DIR), and
# `trace-cmd report` on the trace.dat itself (output to /dev/null).
#
# Run as root from the source tree with a Release build:
#   bench/sched_parse_compare.sh [build dir, default build/release] [round trips, default 100000]
# KEEP=1 keeps the work directory (trace.dat and the extracted pages).
#
# trace-cmd runs through bench/trace_cmd_unshared.sh (it aborts on this VM
# otherwise) and records into a pre-created instance (-B), so the top-level
# buffer is unused.
set -euo pipefail
build="${1:-build/release}"
trips="${2:-100000}"
here="$(cd "$(dirname "$0")" && pwd)"
bench="$build/bench/sched_parse_bench"
tracefs=/sys/kernel/tracing
inst="sched-parse-compare-$$"
work="$(mktemp -d /tmp/sched-parse-compare.XXXXXX)"

[ "$(id -u)" = 0 ] || { echo "needs root (tracefs, mount namespace)" >&2; exit 1; }
[ -x "$bench" ] || { echo "no $bench: cmake --build $build --target sched_parse_bench" >&2; exit 1; }
[ -x "$build/src/cli/ktel" ] || { echo "no $build/src/cli/ktel (its pingpong workload is recorded)" >&2; exit 1; }
command -v trace-cmd >/dev/null || { echo "trace-cmd missing: scripts/setup.sh installs it" >&2; exit 1; }

cleanup() {
  [ -d "$tracefs/instances/$inst" ] && rmdir "$tracefs/instances/$inst"
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

mountpoint -q "$tracefs" || mount -t tracefs tracefs "$tracefs"
mkdir "$tracefs/instances/$inst"

echo "== recording $trips ping-pong round trips with trace-cmd into instance $inst"
"$here/trace_cmd_unshared.sh" "$inst" trace-cmd record --file-version 6 -C mono -B "$inst" -b 20000 \
  -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_wakeup_new \
  -e sched:sched_migrate_task -e sched:sched_process_fork -e sched:sched_process_exec \
  -e sched:sched_process_exit -o "$work/trace.dat" -- "$build/src/cli/ktel" __workload pingpong "$trips" \
  > "$work/record.log" 2>&1 || { cat "$work/record.log"; exit 1; }
python3 "$here/trace_dat_pages.py" "$work/trace.dat" "$work/raw"

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (numbers only comparable on a quiet machine)"
KTEL_SCHED_BENCH_DIR="$work/raw" "$bench" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_filter='BM_WalkDecode|BM_ReadRawTrace|BM_LibtraceeventFields|BM_LibtraceeventPrint' \
  > "$work/bench.json" 2> "$work/bench.err" || { cat "$work/bench.err"; exit 1; }

report_events=$(trace-cmd report -i "$work/trace.dat" 2>/dev/null | grep -cE '\[[0-9]{3}\] ')
best=""
for _ in 1 2 3; do
  start=$(date +%s.%N)
  trace-cmd report -i "$work/trace.dat" > /dev/null 2>&1
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done

python3 - "$work/bench.json" "$report_events" "$best" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
rows = {
    "BM_WalkDecode": "ktel walk+decode (1 thread)",
    "BM_ReadRawTrace/real_time": "ktel read_raw_trace (thread/CPU + merge)",
    "BM_LibtraceeventFields": "libtraceevent kbuffer + tep fields",
    "BM_LibtraceeventPrint": "libtraceevent tep_print_event (text)",
}
scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
print("%-42s %10s %10s %12s" % ("tool", "events", "seconds", "M events/s"))
events = None
for r in runs:
    if r.get("aggregate_name") != "median" or r["run_name"] not in rows:
        continue
    events = int(round(r["events_per_pass"]))
    secs = r["real_time"] * scale[r["time_unit"]]
    print("%-42s %10d %10.4f %12.2f" % (rows[r["run_name"]], events, secs, events / secs / 1e6))
tc_events, tc_secs = int(sys.argv[2]), float(sys.argv[3])
print("%-42s %10d %10.4f %12.2f" % ("trace-cmd report > /dev/null", tc_events, tc_secs,
                                     tc_events / tc_secs / 1e6))
if events is not None and events != tc_events:
    print("NOTE: ktel decoded %d events, trace-cmd printed %d" % (events, tc_events))
print("(seconds: median wall time of one pass over the capture; trace-cmd: best of 3)")
PY
