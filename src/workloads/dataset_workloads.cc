#include "workloads/dataset_workloads.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "workloads/child_processes.h"

namespace ktel {

namespace {

using Clock = std::chrono::steady_clock;

std::optional<double> seconds_arg(const std::vector<std::string>& args, size_t i) {
  if (args.size() <= i) return std::nullopt;
  char* end = nullptr;
  double s = std::strtod(args[i].c_str(), &end);
  if (end == args[i].c_str() || *end != '\0' || !(s > 0) || s > 86400) return std::nullopt;
  return s;
}

Clock::time_point deadline(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(seconds));
}

int burn(Clock::time_point until) {
  volatile double sink = 0;
  double x = 1.0;
  while (Clock::now() < until) {
    for (int i = 1; i < 20000; ++i) x = std::sqrt(x * 1.000001 + 1.0 / i);
    sink = sink + x;
  }
  return sink > 0 ? 0 : 1;
}

// Random data in 1 MiB writes, each followed by fdatasync, to a file that is
// unlinked at once (nothing to clean up, even after SIGKILL).
int write_sync(Clock::time_point until, unsigned seed) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/ktel-io-mixed-XXXXXX", dir != nullptr && *dir ? dir : "/tmp");
  int fd = ::mkstemp(path.data());
  if (fd < 0) return 1;
  ::unlink(path.c_str());
  std::vector<char> block(1 << 20);
  std::mt19937 rng(seed);
  int rc = 0;
  for (int i = 0; Clock::now() < until && rc == 0; ++i) {
    for (size_t k = 0; k < block.size(); k += 4) {
      uint32_t r = rng();
      std::memcpy(block.data() + k, &r, 4);
    }
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i % 16) * block.size()) !=
        static_cast<ssize_t>(block.size())) {
      rc = 1;
    } else if (::fdatasync(fd) != 0) {
      rc = 1;
    }
  }
  ::close(fd);
  return rc;
}

}  // namespace

int run_cpu_bound(const std::vector<std::string>& args) {
  long procs = args.empty() ? 0 : std::strtol(args[0].c_str(), nullptr, 10);
  std::optional<double> seconds = seconds_arg(args, 1);
  if (procs < 1 || procs > 1024 || !seconds) {
    fmt::print(stderr, "cpu_bound: usage: cpu_bound PROCS(1-1024) SECONDS\n");
    return 2;
  }
  ::prctl(PR_SET_NAME, "cpu_bound", 0, 0, 0);
  auto until = deadline(*seconds);
  std::vector<pid_t> kids;
  for (long i = 0; i < procs; ++i) kids.push_back(fork_workload_child("cpu_bound", [until] { return burn(until); }));
  return reap_workload_children(kids);
}

int run_io_mixed(const std::vector<std::string>& args) {
  std::optional<double> seconds = seconds_arg(args, 0);
  if (!seconds) {
    fmt::print(stderr, "io_mixed: usage: io_mixed SECONDS\n");
    return 2;
  }
  ::prctl(PR_SET_NAME, "io_mixed", 0, 0, 0);
  auto until = deadline(*seconds);
  std::vector<pid_t> kids;
  for (unsigned i = 0; i < 2; ++i) {
    kids.push_back(fork_workload_child("io_writer", [until, i] { return write_sync(until, 42 + i); }));
  }
  for (int i = 0; i < 2; ++i) kids.push_back(fork_workload_child("io_burner", [until] { return burn(until); }));
  return reap_workload_children(kids);
}

}  // namespace ktel
