// CPU cost of the proc source's backends (procfs; the BPF task iterator when
// built with it) per tick for 1, 100 and 1,000 sleeping target processes.
// `--sample-for` mode runs the whole ProcSource instead and prints its CPU use
// as JSON (driven by proc_sampler_compare.py).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "sources/proc/proc_source.h"
#include "sources/proc/procfs_task_reader.h"
#ifdef KTEL_HAVE_BPF
#include "sources/proc/bpf_task_reader.h"
#endif

namespace {

using ktel::proc::ProcfsTaskReader;

// One parent with `n` children, all blocked on a pipe until destruction.
class Sleepers {
 public:
  explicit Sleepers(int n) {
    int ready[2];
    int release[2];
    if (::pipe(ready) != 0 || ::pipe(release) != 0) std::abort();
    parent_ = ::fork();
    if (parent_ == 0) {
      ::close(release[1]);
      for (int i = 0; i < n; ++i) {
        if (::fork() == 0) {
          char c;
          if (::write(ready[1], "x", 1) != 1) ::_exit(2);
          while (::read(release[0], &c, 1) < 0) {
          }
          ::_exit(0);
        }
      }
      while (::wait(nullptr) > 0) {
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(release[0]);
    release_ = release[1];
    for (int i = 0; i < n; ++i) {
      char c;
      if (::read(ready[0], &c, 1) != 1) std::abort();
    }
    ::close(ready[0]);
  }
  ~Sleepers() {
    ::close(release_);
    ::waitpid(parent_, nullptr, 0);
  }
  pid_t parent() const { return parent_; }

 private:
  pid_t parent_ = -1;
  int release_ = -1;
};

// Times read_tree() of `reader` over `sleepers` after one warm-up tick (for
// procfs: discovery and fd opens; for BPF: filling the sticky-membership map),
// as a running source sees it.
void time_read_tree(benchmark::State& state, ktel::proc::TaskReader& reader,
                    const Sleepers& sleepers, int n) {
  std::vector<ktel::TaskStats> out;
  if (!reader.read_tree(sleepers.parent(), false, out).is_ok()) std::abort();
  for (auto _ : state) {
    ktel::Status st = reader.read_tree(sleepers.parent(), false, out);
    if (!st.is_ok()) state.SkipWithError(st.to_string().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  if (out.size() != static_cast<size_t>(n) + 1) state.SkipWithError("tree incomplete");
  state.SetItemsProcessed(state.iterations() * (n + 1));
}

void BM_ProcfsReadTree(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int status_every = static_cast<int>(state.range(1));
  Sleepers sleepers(n);
  auto reader = ProcfsTaskReader::open({.status_every = status_every});
  if (!reader.is_ok()) {
    state.SkipWithError(reader.status().to_string().c_str());
    return;
  }
  time_read_tree(state, **reader, sleepers, n);
  state.counters["transient_reads"] = static_cast<double>((*reader)->counters().transient_reads);
}
BENCHMARK(BM_ProcfsReadTree)
    ->ArgNames({"procs", "status_every"})
    ->Args({1, 1})
    ->Args({100, 1})
    ->Args({1000, 1})
    ->Args({1000, 10})
    ->Unit(benchmark::kMicrosecond);

#ifdef KTEL_HAVE_BPF
// The same trees through the BPF task iterator (needs root; skipped otherwise).
void BM_BpfReadTree(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Sleepers sleepers(n);
  auto reader = ktel::proc::BpfTaskReader::open();
  if (!reader.is_ok()) {
    state.SkipWithError(reader.status().to_string().c_str());
    return;
  }
  time_read_tree(state, **reader, sleepers, n);
}
BENCHMARK(BM_BpfReadTree)->ArgNames({"procs"})->Arg(1)->Arg(100)->Arg(1000)->Unit(
    benchmark::kMicrosecond);
#endif

// Counts rows; stores nothing.
class CountingSink : public ktel::Sink {
 public:
  ktel::Result<ktel::TableId> open_table(const ktel::Schema&) override { return next_++; }
  ktel::Status append(ktel::TableId, ktel::Batch batch) override {
    rows_ += batch.rows();
    return ktel::Status::ok();
  }
  uint64_t dropped_rows() const override { return 0; }
  ktel::Status finish() override { return ktel::Status::ok(); }

 private:
  std::atomic<int> next_{0};
  std::atomic<uint64_t> rows_{0};
};

int64_t cpu_ns() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto ns = [](timeval tv) { return tv.tv_sec * 1'000'000'000LL + tv.tv_usec * 1000LL; };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

// --sample-for SECONDS --pid PID [--interval-ms MS] [--status-every N]
//   [--backend procfs|bpf|auto]
int sample_for(int argc, char** argv) {
  double seconds = 10;
  pid_t pid = 0;
  int64_t interval_ms = 100;
  int status_every = 1;
  std::string backend = "procfs";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--sample-for") seconds = std::atof(argv[i + 1]);
    else if (flag == "--pid") pid = std::atoi(argv[i + 1]);
    else if (flag == "--interval-ms") interval_ms = std::atoll(argv[i + 1]);
    else if (flag == "--status-every") status_every = std::atoi(argv[i + 1]);
    else if (flag == "--backend") backend = argv[i + 1];
  }
  ktel::EpisodeClock clock = ktel::EpisodeClock::start_now();
  ktel::EventLog events(clock);
  CountingSink sink;
  ktel::ProcSourceOptions opts;
  opts.reader.status_every = status_every;
  ktel::ProcSource src(opts);
  ktel::SourceContext ctx{
      .clock = &clock,
      .events = &events,
      .sink = &sink,
      .target_pid = pid,
      .options = {
          .interval_ns = interval_ms * 1'000'000, .threads = false, .proc_backend = backend}};
  // start() is split out: it holds one-time work (the BPF backend's program
  // load and verification) that a long recording pays once, not per tick. Its
  // sampling thread begins right away, so start_cpu_ns may include part of the
  // first tick.
  int64_t cpu0 = cpu_ns();
  int64_t wall0 = ktel::monotonic_now_ns();
  ktel::Status st = src.start(ctx);
  if (!st.is_ok()) {
    std::fprintf(stderr, "start: %s\n", st.to_string().c_str());
    return 1;
  }
  int64_t cpu_started = cpu_ns();
  int64_t wall_started = ktel::monotonic_now_ns();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  st = src.stop();
  int64_t wall_end = ktel::monotonic_now_ns();
  int64_t cpu_end = cpu_ns();
  ktel::SourceReport rep = src.report();
  std::printf(
      "{\"cpu_ns\": %lld, \"wall_ns\": %lld, \"start_cpu_ns\": %lld, \"sample_cpu_ns\": %lld, "
      "\"sample_wall_ns\": %lld, \"rows\": %llu, \"ticks\": %s, \"skipped\": %s, "
      "\"status\": \"%s\", \"backend\": %s}\n",
      static_cast<long long>(cpu_end - cpu0), static_cast<long long>(wall_end - wall0),
      static_cast<long long>(cpu_started - cpu0), static_cast<long long>(cpu_end - cpu_started),
      static_cast<long long>(wall_end - wall_started), static_cast<unsigned long long>(rep.rows),
      rep.details["ticks"].dump().c_str(), rep.details["skipped_ticks"].dump().c_str(),
      rep.status.c_str(), rep.details["backend"].dump().c_str());
  return st.is_ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--sample-for") == 0) return sample_for(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
