// Test and benchmark helper: forks real processes (children, grandchildren,
// busy spinners, threaded ones) that block until released, so task readers
// have a known process tree to look at. Uses fork, pipes and waitpid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel::testing {

class ProcessTree {
 public:
  // Runs in a forked child before it reports ready; may call fork_child()
  // to give that child children of its own. Must not use gtest macros.
  using Setup = std::function<void()>;

  ProcessTree();
  // Releases every process (SIGCONT, then EOF on the hold pipe), reaps the
  // direct children and SIGKILLs stragglers after a bounded wait. Each
  // process reaps its own children before exiting.
  ~ProcessTree();
  ProcessTree(const ProcessTree&) = delete;
  ProcessTree& operator=(const ProcessTree&) = delete;

  // Status of construction (pipe creation).
  const Status& status() const { return status_; }

  // Forks a child of the calling process: it runs `setup`, writes its pid to
  // the ready pipe and blocks until release. Returns the pid, or -1 with errno.
  pid_t fork_child(const Setup& setup = {});
  // Forks a child that burns CPU in user space until released.
  pid_t fork_busy_child();

  // Waits (bounded) until `count` more processes reported ready; returns
  // their pids in the order they reported.
  Result<std::vector<pid_t>> wait_ready(
      size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  [[noreturn]] void run_child(const Setup& setup, bool busy);

  Status status_;
  ScopedFd hold_read_, hold_write_;
  ScopedFd ready_read_, ready_write_;
  std::vector<pid_t> children_;  // direct children of the owner
  std::vector<pid_t> reported_;  // every pid that reported ready
  bool in_child_ = false;
};

// Sends SIGSTOP to `pid` and waits (bounded) until /proc shows every thread of
// it in state 'T'. The caller still has to allow for the final context switch.
Status stop_process(pid_t pid);

}  // namespace ktel::testing
