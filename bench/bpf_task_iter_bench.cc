// CPU cost of one BpfTaskIter::read_tree over a tree of N sleeping children
// (1, 100, 1000), against a plain procfs read of the same four files per
// process for scale. Needs root; reports an error row otherwise.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "sys/bpf/task_iter.h"
#include "sys/bpf/test_process_tree.h"

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Sets per-call CPU and what that costs at 10 Hz in % of one core.
void report_cost(benchmark::State& state, double cpu_seconds, size_t rows) {
  const double per_call = cpu_seconds / static_cast<double>(state.iterations());
  state.counters["cpu_us_per_call"] = per_call * 1e6;
  state.counters["core_pct_at_10Hz"] = per_call * 10.0 * 100.0;
  state.counters["rows"] = static_cast<double>(rows);
}

bool spawn_children(benchmark::State& state, ktel::testing::ProcessTree& tree, int n) {
  for (int i = 0; i < n; ++i) {
    if (tree.fork_child() < 0) {
      state.SkipWithError("fork failed");
      return false;
    }
  }
  if (!tree.wait_ready(static_cast<size_t>(n)).is_ok()) {
    state.SkipWithError("children did not become ready");
    return false;
  }
  return true;
}

void BM_BpfReadTree(benchmark::State& state) {
  auto iter = ktel::BpfTaskIter::open();
  if (!iter.is_ok()) {
    state.SkipWithError(iter.status().to_string().c_str());
    return;
  }
  ktel::testing::ProcessTree tree;
  if (!spawn_children(state, tree, static_cast<int>(state.range(0)))) return;
  std::vector<ktel::TaskStats> rows;
  const double start = thread_cpu_seconds();
  for (auto _ : state) {
    rows.clear();
    const ktel::Status s = (*iter)->read_tree(::getpid(), false, rows);
    if (!s.is_ok()) {
      state.SkipWithError(s.to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(rows.data());
  }
  report_cost(state, thread_cpu_seconds() - start, rows.size());
}

// Baseline: open/read/close stat, status, io, schedstat for every process.
void BM_ProcfsReadFourFiles(benchmark::State& state) {
  ktel::testing::ProcessTree tree;
  const int n = static_cast<int>(state.range(0));
  std::vector<pid_t> pids{::getpid()};
  for (int i = 0; i < n; ++i) pids.push_back(tree.fork_child());
  if (!tree.wait_ready(static_cast<size_t>(n)).is_ok()) {
    state.SkipWithError("children did not become ready");
    return;
  }
  std::vector<std::string> paths;
  for (pid_t pid : pids) {
    for (const char* f : {"stat", "status", "io", "schedstat"}) {
      paths.push_back(fmt::format("/proc/{}/{}", pid, f));
    }
  }
  char buf[4096];
  const double start = thread_cpu_seconds();
  for (auto _ : state) {
    for (const std::string& p : paths) {
      const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      benchmark::DoNotOptimize(::read(fd, buf, sizeof(buf)));
      ::close(fd);
    }
  }
  report_cost(state, thread_cpu_seconds() - start, pids.size());
}

BENCHMARK(BM_BpfReadTree)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ProcfsReadFourFiles)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
