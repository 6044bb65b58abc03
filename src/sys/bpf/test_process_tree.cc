// Forked helper processes for real-kernel tests and benchmarks. Children block
// reading a hold pipe whose only writer is the owner; its EOF releases them.
#include "sys/bpf/test_process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "base/file_util.h"

namespace ktel::testing {
namespace {

bool make_pipe(ScopedFd& read_end, ScopedFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

// True once `fd` is readable (data or EOF), waiting at most timeout_ms.
bool readable(int fd, int timeout_ms) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

void reap_all_children() {
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
}

}  // namespace

ProcessTree::ProcessTree() {
  if (!make_pipe(hold_read_, hold_write_) || !make_pipe(ready_read_, ready_write_)) {
    status_ = last_errno_status("pipe2 for ProcessTree");
  }
}

ProcessTree::~ProcessTree() {
  if (in_child_) return;
  for (pid_t pid : reported_) ::kill(pid, SIGCONT);
  hold_write_.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<pid_t> pending = children_;
  while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(pending, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
    if (!pending.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (pid_t pid : reported_) ::kill(pid, SIGKILL);
  for (pid_t pid : pending) ::waitpid(pid, nullptr, 0);
}

void ProcessTree::run_child(const Setup& setup, bool busy) {
  in_child_ = true;
  hold_write_.reset();
  ready_read_.reset();
  children_.clear();
  if (setup) setup();
  const pid_t self = ::getpid();
  if (::write(ready_write_.get(), &self, sizeof(self)) != sizeof(self)) ::_exit(126);
  volatile uint64_t spin = 0;
  if (busy) {
    while (!readable(hold_read_.get(), 0)) {
      for (int i = 0; i < 1'000'000; ++i) spin = spin + 1;
    }
  } else {
    char byte;
    while (::read(hold_read_.get(), &byte, 1) < 0 && errno == EINTR) {
    }
  }
  reap_all_children();
  ::_exit(0);
}

pid_t ProcessTree::fork_child(const Setup& setup) {
  const pid_t pid = ::fork();
  if (pid == 0) run_child(setup, false);
  if (pid > 0 && !in_child_) children_.push_back(pid);
  return pid;
}

pid_t ProcessTree::fork_busy_child() {
  const pid_t pid = ::fork();
  if (pid == 0) run_child({}, true);
  if (pid > 0 && !in_child_) children_.push_back(pid);
  return pid;
}

Result<std::vector<pid_t>> ProcessTree::wait_ready(size_t count,
                                                   std::chrono::milliseconds timeout) {
  std::vector<pid_t> pids;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pids.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !readable(ready_read_.get(), static_cast<int>(left.count()))) {
      return Status(Code::kCancelled, fmt::format("only {} of {} helper processes became ready "
                                                  "within {} ms",
                                                  pids.size(), count, timeout.count()));
    }
    pid_t pid = 0;
    const ssize_t n = ::read(ready_read_.get(), &pid, sizeof(pid));
    if (n != sizeof(pid)) return last_errno_status("read ProcessTree ready pipe");
    pids.push_back(pid);
    reported_.push_back(pid);
  }
  return pids;
}

Status stop_process(pid_t pid) {
  if (::kill(pid, SIGSTOP) != 0) return last_errno_status(fmt::format("kill SIGSTOP {}", pid));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const std::string task_dir = fmt::format("/proc/{}/task", pid);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all_stopped = true;
    DIR* dir = ::opendir(task_dir.c_str());
    if (dir == nullptr) return last_errno_status("opendir " + task_dir);
    while (dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      auto stat = read_file(task_dir + "/" + entry->d_name + "/stat");
      const size_t paren = stat ? stat->rfind(')') : std::string::npos;
      if (paren == std::string::npos || paren + 2 >= stat->size() || (*stat)[paren + 2] != 'T') {
        all_stopped = false;
      }
    }
    ::closedir(dir);
    if (all_stopped) return Status::ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status(Code::kCancelled, fmt::format("pid {} did not stop within 10 s", pid));
}

}  // namespace ktel::testing
