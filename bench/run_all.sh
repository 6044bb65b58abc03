#!/usr/bin/env bash
# Runs every benchmark of a Release build and prints the comparison tables
# against the issue goals. Speed targets are checked here, never in tests.
#   bench/run_all.sh build/release
set -euo pipefail
build="${1:-build/release}"
here="$(cd "$(dirname "$0")" && pwd)"

echo "== load before starting: $(cut -d' ' -f1-3 /proc/loadavg) (numbers are only comparable on a quiet machine)"

echo
echo "== SQLite sink: rows/s through append()+finish(), 10-column rows (goal: >= 800,000 rows/s)"
"$build/bench/sqlite_sink_bench" --benchmark_filter='rows_per_batch:(100|1000)/page_size:4096' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null |
  awk '/_median/ {for (i=1;i<=NF;i++) if ($i ~ /^items_per_second=/) {sub("items_per_second=","",$i); printf "  %-70s %s rows/s\n", $1, $i}}'

echo
echo "== proc sampler: % of one core for 1,000 sleeping processes at 10 Hz (goal: < 2 %)"
python3 "$here/proc_sampler_compare.py" --bench "$build/bench/proc_sampler_bench"

if [ -x "$build/bench/bpf_task_iter_bench" ]; then
  echo
  echo "== BPF task iterator alone: CPU per read_tree() call"
  "$build/bench/bpf_task_iter_bench" 2>/dev/null | grep -E '^BM_' || true
fi

echo
echo "== perf source: per-tick read cost and perf-stat parsing"
"$build/bench/perf_bench" 2>/dev/null | grep -E '^BM_' || true

if [ "$(id -u)" = 0 ]; then
  echo
  echo "== sched: raw page parse, one thread (goal: >= 30 M events/s) beside libtraceevent and trace-cmd report"
  "$here/sched_parse_compare.sh" "$build" 100000
  echo
  echo "== sched: capture of pipe ping-pong pairs for 10 s (goal: 0 lost, throughput >= trace-cmd's)"
  python3 "$here/sched_capture_compare.py" --ktel "$build/src/cli/ktel" --seconds 10 --pairs 2
else
  echo
  echo "== sched benchmarks skipped: they need root (ftrace instances)"
fi

echo
echo "== ftrace text import: parse MB/s per thread (goal: >= 1 GB/s per thread) against a regex-per-line Python parser"
python3 "$here/ftrace_text_compare.py" --bench "$build/bench/ftrace_text_bench" --ktel "$build/src/cli/ktel"

if [ "$(id -u)" = 0 ] && [ -x "$build/bench/exec_storm" ]; then
  echo
  echo "== exec source: BPF ns per exec/fork/exit (goal: <= 2000 ns; beside empty programs), 5,000 execs/s"
  echo "   for 10 s (goal: 0 lost), the record rate of 5,000 processes/s from thread churn (goal: 0 lost),"
  echo "   20,000 sequential fork+exec slowed by <= 10 % (tree and all scopes)"
  python3 "$here/exec_overhead_compare.py" --ktel "$build/src/cli/ktel"
fi

if [ "$(id -u)" = 0 ]; then
  echo
  echo "== dataset build from 19 M sched_switch events (goal: < 60 s, < 2 GB peak) against a Python script"
  python3 "$here/dataset_build_compare.py" --ktel "$build/src/cli/ktel"
fi
