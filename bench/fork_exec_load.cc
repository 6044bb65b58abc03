// A fork/exec load for bench/exec_overhead_compare.py, timing itself so the
// recorder's start-up and table building are not counted:
//   fork_exec_load loop N PATH           N sequential spawn + wait of PATH
//   fork_exec_load rate R SECONDS PATH   R spawns a second for SECONDS, paced,
//                                        at most 256 children alive at once
// Prints one JSON object: mode, spawned, elapsed_ns, rate_per_s, failed.
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern char** environ;

namespace {

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool spawn(const char* path) {
  pid_t pid = 0;
  char* argv[] = {const_cast<char*>(path), nullptr};
  return posix_spawn(&pid, path, nullptr, nullptr, argv, environ) == 0;
}

int reap(bool block) {
  int n = 0;
  int status = 0;
  while (waitpid(-1, &status, block && n == 0 ? 0 : WNOHANG) > 0) ++n;
  return n;
}

void report(const char* mode, int64_t spawned, int64_t failed, int64_t elapsed_ns) {
  std::printf(
      "{\"mode\":\"%s\",\"spawned\":%lld,\"failed\":%lld,\"elapsed_ns\":%lld,\"rate_per_s\":%.1f}\n",
      mode, static_cast<long long>(spawned), static_cast<long long>(failed),
      static_cast<long long>(elapsed_ns), static_cast<double>(spawned) * 1e9 / elapsed_ns);
}

int loop(int64_t n, const char* path) {
  int64_t failed = 0;
  int64_t t0 = now_ns();
  for (int64_t i = 0; i < n; ++i) {
    if (!spawn(path)) {
      ++failed;
      continue;
    }
    reap(true);
  }
  report("loop", n - failed, failed, now_ns() - t0);
  return failed == 0 ? 0 : 1;
}

int rate(double per_second, double seconds, const char* path) {
  constexpr int kMaxAlive = 256;
  int64_t spawned = 0;
  int64_t failed = 0;
  int alive = 0;
  const int64_t t0 = now_ns();
  const int64_t end = t0 + static_cast<int64_t>(seconds * 1e9);
  for (int64_t t = t0; t < end; t = now_ns()) {
    const auto due = static_cast<int64_t>(static_cast<double>(t - t0) * per_second / 1e9);
    if (spawned + failed >= due) {
      alive -= reap(false);
      timespec pause{0, 50'000};
      nanosleep(&pause, nullptr);
      continue;
    }
    if (alive >= kMaxAlive) alive -= reap(true);
    if (spawn(path)) {
      ++spawned;
      ++alive;
    } else {
      ++failed;
    }
    alive -= reap(false);
  }
  const int64_t elapsed = now_ns() - t0;
  while (alive > 0) alive -= reap(true);
  report("rate", spawned, failed, elapsed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "loop" && argc == 4) return loop(std::atoll(argv[2]), argv[3]);
  if (mode == "rate" && argc == 5) return rate(std::atof(argv[2]), std::atof(argv[3]), argv[4]);
  std::fprintf(stderr, "usage: fork_exec_load loop N PATH | rate PER_SECOND SECONDS PATH\n");
  return 2;
}
