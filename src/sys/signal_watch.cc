#include "sys/signal_watch.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <utility>

namespace ktel {

Result<SignalWatch> SignalWatch::open() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  SignalWatch w;
  if (::pthread_sigmask(SIG_BLOCK, &mask, &w.old_mask_) != 0) {
    return last_errno_status("block SIGINT/SIGTERM");
  }
  w.restore_ = true;
  w.fd_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!w.fd_.valid()) return last_errno_status("signalfd");
  return w;
}

SignalWatch::~SignalWatch() {
  if (restore_ && fd_.valid()) ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

Result<std::optional<ReceivedSignal>> SignalWatch::read() {
  signalfd_siginfo info{};
  ssize_t n = ::read(fd_.get(), &info, sizeof info);
  if (n < 0) {
    if (errno == EAGAIN) return std::optional<ReceivedSignal>{};
    return last_errno_status("read signalfd");
  }
  if (n != sizeof info) return internal_error("short read from signalfd");
  return std::optional<ReceivedSignal>(ReceivedSignal{static_cast<int>(info.ssi_signo),
                                                      info.ssi_code,
                                                      static_cast<pid_t>(info.ssi_pid)});
}

}  // namespace ktel
