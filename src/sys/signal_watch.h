// SignalWatch: SIGINT/SIGTERM delivered through a signalfd, so the recorder's
// poll loop sees them as readable data instead of async handlers. Construct it
// before starting any thread: the mask is inherited by threads created later.
#pragma once

#include <signal.h>

#include <optional>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel {

struct ReceivedSignal {
  int signo = 0;
  int code = 0;       // siginfo si_code: SI_KERNEL when the terminal sent it
  pid_t sender = 0;
  bool from_terminal() const { return code == SI_KERNEL; }
};

class SignalWatch {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and opens a
  // signalfd for them. The previous mask is restored on destruction.
  static Result<SignalWatch> open();
  SignalWatch(SignalWatch&&) noexcept = default;
  ~SignalWatch();

  int fd() const { return fd_.get(); }
  // Reads one pending signal; nullopt when none is pending.
  Result<std::optional<ReceivedSignal>> read();

 private:
  SignalWatch() = default;
  ScopedFd fd_;
  sigset_t old_mask_{};
  bool restore_ = false;
};

}  // namespace ktel
