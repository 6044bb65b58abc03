// Test helpers for the proc source: an in-memory Sink, a forked process tree
// synchronised by pipes, and the real-kernel precondition check.
#pragma once

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/testing/kernel_required.h"
#include "model/sink.h"
#include "model/testing/memory_sink.h"

namespace ktel::proc::testing {

// Skips (or, with KTEL_REQUIRE_KERNEL=1, fails) when /proc is not usable.
#define KTEL_REQUIRE_PROCFS()                                                         \
  do {                                                                                \
    if (::access("/proc/self/stat", R_OK) != 0) {                                     \
      KTEL_SKIP_OR_FAIL("/proc is not mounted; mount it with `mount -t proc proc /proc`"); \
    }                                                                                 \
  } while (false)

using FakeSink = ::ktel::testing::MemorySink;
using ::ktel::testing::is_null;

inline int64_t as_int(const Value& v) { return std::get<int64_t>(v); }

// A root process with `children` children, each with `grandchildren`
// children. Every process reports its pid on a pipe, then parents reap their
// children as they die and everyone exits when the release pipe closes.
class SpawnedTree {
 public:
  SpawnedTree(int children, int grandchildren, const char* root_comm = nullptr) {
    if (::pipe(ready_) != 0 || ::pipe(release_) != 0) std::abort();
    root_ = ::fork();
    if (root_ == 0) {
      ::close(release_[1]);
      ::close(ready_[0]);
      if (root_comm != nullptr) ::prctl(PR_SET_NAME, root_comm, 0, 0, 0);
      for (int c = 0; c < children; ++c) {
        if (::fork() == 0) {
          for (int g = 0; g < grandchildren; ++g) {
            if (::fork() == 0) serve(false);
          }
          serve(true);
        }
      }
      serve(true);
    }
    ::close(ready_[1]);
    ::close(release_[0]);
    int total = 1 + children + children * grandchildren;
    for (int i = 0; i < total; ++i) {
      pid_t pid = 0;
      if (::read(ready_[0], &pid, sizeof(pid)) != sizeof(pid)) std::abort();
      pids_.push_back(pid);
    }
  }
  ~SpawnedTree() {
    ::close(release_[1]);
    int status = 0;
    ::waitpid(root_, &status, 0);
    ::close(ready_[0]);
  }
  pid_t root() const { return root_; }
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  [[noreturn]] void serve(bool reap) {
    pid_t self = ::getpid();
    if (::write(ready_[1], &self, sizeof(self)) != sizeof(self)) ::_exit(2);
    if (reap) {
      while (::wait(nullptr) > 0 || errno == EINTR) {
      }
    }
    char c;
    while (::read(release_[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }

  pid_t root_ = -1;
  int ready_[2] = {-1, -1};
  int release_[2] = {-1, -1};
  std::vector<pid_t> pids_;
};

}  // namespace ktel::proc::testing
