#include "workloads/builtin.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "base/strings.h"
#include "workloads/child_processes.h"
#include "workloads/dataset_workloads.h"
#include "workloads/pingpong.h"
#include "workloads/pipeline_workload.h"

namespace ktel {

namespace {

using Clock = std::chrono::steady_clock;

void set_name(const char* name) { ::prctl(PR_SET_NAME, name, 0, 0, 0); }

// Floating-point work until `until`; returns a value so it is not optimised away.
double burn_until(Clock::time_point until) {
  double x = 1.0;
  while (Clock::now() < until) {
    for (int i = 1; i < 20000; ++i) x = std::sqrt(x * 1.000001 + 1.0 / i);
  }
  return x;
}

int cpu_child(std::chrono::milliseconds span) {
  set_name("demo-cpu");
  auto until = Clock::now() + span;
  std::atomic<double> sink{0};
  std::thread helper([&] { sink = sink + burn_until(until); });
  sink = sink + burn_until(until);
  helper.join();
  return sink.load() > 0 ? 0 : 1;
}

int io_child() {
  set_name("demo-io");
  char path[] = "/tmp/ktel-demo-io-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return 1;
  ::unlink(path);
  std::vector<char> block(256 * 1024);
  std::mt19937 rng(42);
  for (auto& c : block) c = static_cast<char>(rng());
  int rc = 0;
  for (int i = 0; i < 32 && rc == 0; ++i) {  // 8 MiB, synced every 1 MiB
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) rc = 1;
    if (i % 4 == 3 && ::fdatasync(fd) != 0) rc = 1;
  }
  ::close(fd);
  return rc;
}

int spawner_child(int grandchildren) {
  set_name("demo-spawner");
  for (int i = 0; i < grandchildren; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      set_name("demo-leaf");
      burn_until(Clock::now() + std::chrono::milliseconds(100));
      ::_exit(0);
    }
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
  }
  return 0;
}

int run_demo(const std::vector<std::string>& /*args*/) {
  set_name("demo-main");
  std::vector<pid_t> kids = {
      fork_workload_child("demo", [] { return cpu_child(std::chrono::milliseconds(1500)); }),
      fork_workload_child("demo", io_child),
      fork_workload_child("demo", [] { return spawner_child(5); }),
      fork_workload_child("demo", [] {
        set_name("demo-sleeper");
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return 0;
      }),
  };
  return reap_workload_children(kids);
}

int run_burn(const std::vector<std::string>& args) {
  int ms = args.empty() ? 1000 : std::atoi(args[0].c_str());
  set_name("burn");
  return burn_until(Clock::now() + std::chrono::milliseconds(ms)) > 0 ? 0 : 1;
}

// pingpong [ROUNDS | DURATION]: a bare number is round trips, "10s" a duration.
int run_pingpong(const std::vector<std::string>& args) {
  PingPongOptions opts{.rounds = 100000};
  if (!args.empty()) {
    if (auto n = parse_uint64(args[0])) {
      opts.rounds = *n;
    } else if (Result<int64_t> d = parse_duration_ns(args[0]); d.is_ok() && *d > 0) {
      opts = {.rounds = 0, .seconds = static_cast<double>(*d) / 1e9};
    } else {
      fmt::print(stderr, "pingpong: '{}' is neither a round count nor a duration\n", args[0]);
      return 2;
    }
  }
  Result<PingPongResult> r = run_pipe_pingpong(opts);
  if (!r.is_ok()) {
    fmt::print(stderr, "pingpong: {}\n", r.status().to_string());
    return 1;
  }
  fmt::print(stderr, "pingpong: {} round trips in {:.3f} s ({:.0f}/s), pids {} and {}\n",
             r->rounds, r->seconds, r->rounds_per_second(), r->pid_a, r->pid_b);
  return 0;
}

}  // namespace

const std::vector<BuiltinWorkload>& builtin_workloads() {
  static const std::vector<BuiltinWorkload> kAll = {
      {"demo",
       "3 s multi-process demo: a 2-thread CPU burner, an fdatasync writer, a spawner of 5 "
       "short children, a sleeper",
       run_demo},
      {"burn", "one process of floating-point work for MS milliseconds (default 1000)", run_burn},
      {"pingpong",
       "two processes passing a byte over pipes: ROUNDS round trips (default 100000) or for a "
       "DURATION such as 10s; prints round trips per second",
       run_pingpong},
      {"cpu_bound", "PROCS processes of tight floating-point math for SECONDS", run_cpu_bound},
      {"io_mixed",
       "2 writers of random data with fdatasync + 2 CPU burners for SECONDS", run_io_mixed},
      {"pipeline",
       "a CI-like shell script (uname, ls, df, sort, gzip, sha256sum, timeout vmstat, one "
       "failing and one timed-out command) RUNS times (default 6), PARALLEL at once (default 2)",
       run_pipeline_workload},
  };
  return kAll;
}

const BuiltinWorkload* find_builtin_workload(const std::string& name) {
  for (const auto& w : builtin_workloads()) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

}  // namespace ktel
