// Process control for the recorder: start a command held before exec (so
// sources attach first), watch a process through a pidfd, and learn how it
// ended without reaping it early (so samplers still see the zombie).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel {

// Searches PATH like execvp for argv0 (a name with '/' is taken as a path).
// kNotFound when nothing matches; kPermissionDenied when a match is not
// executable.
Result<std::string> resolve_executable(const std::string& argv0);

// The path of the running executable (/proc/self/exe), so ktel can run
// itself (built-in workloads, the recorder behind `ktel collect`).
Result<std::string> self_executable();

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// Credentials of the user behind sudo (SUDO_UID/SUDO_GID/SUDO_USER), when ktel
// runs as root through sudo; nullopt otherwise.
std::optional<Credentials> sudo_invoker();

struct ExitInfo {
  std::optional<int> code;    // exit status when it exited
  std::optional<int> signal;  // signal that killed it
  bool core_dumped = false;
  // Shell-style single number: code, or 128 + signal.
  int shell_code() const { return code ? *code : 128 + signal.value_or(0); }
};

// A child forked and held before execve until release(). Destroying a child
// that was never released kills it; a released one is killed and reaped.
class HeldChild {
 public:
  struct Options {
    std::string path;               // resolved executable
    std::vector<std::string> argv;  // argv[0] included
    std::optional<Credentials> run_as;
    // When >= 0: the child's stdout and stderr (e.g. a log file), and its
    // stdin becomes /dev/null.
    int output_fd = -1;
    // Own process group: a terminal's Ctrl-C reaches only the parent, which
    // decides what the child gets.
    bool new_process_group = false;
  };
  static Result<HeldChild> spawn(const Options& options);

  HeldChild(HeldChild&& other) noexcept;
  HeldChild& operator=(HeldChild&& other) noexcept = delete;
  HeldChild(const HeldChild&) = delete;
  ~HeldChild();

  pid_t pid() const { return pid_; }
  // The pidfd becomes readable when the child exits.
  int pidfd() const { return pidfd_.get(); }

  // Lets the child exec. Fails (and reaps the child) when execve or the
  // credential change failed, naming the path and errno.
  Status release();
  // How the child ended, without reaping; nullopt while it still runs.
  Result<std::optional<ExitInfo>> peek_exit() const;
  // Reaps the child (blocking); call after it exited or was killed.
  Result<ExitInfo> reap();
  Status send_signal(int sig) const;

 private:
  HeldChild() = default;
  pid_t pid_ = -1;
  ScopedFd pidfd_;
  ScopedFd go_fd_;    // write end: closing it or writing releases the child
  ScopedFd exec_fd_;  // read end of the CLOEXEC error pipe
  bool released_ = false;
  bool reaped_ = false;
};

// pidfd_open(2) for an existing process (attach mode). kNotFound names the pid.
Result<ScopedFd> open_pidfd(pid_t pid);

// Waits until `fd` is readable or timeout_ns passes (-1: forever). Returns
// true when readable.
Result<bool> wait_readable(int fd, int64_t timeout_ns);

// Name of a running process from /proc/<pid>/comm.
Result<std::string> process_comm(pid_t pid);

}  // namespace ktel
