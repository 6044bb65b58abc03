#include "workloads/pingpong.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>

#include "base/scoped_fd.h"

namespace ktel {

namespace {

using Clock = std::chrono::steady_clock;

bool write_byte(int fd, char c) {
  for (;;) {
    ssize_t n = ::write(fd, &c, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

bool read_byte(int fd, char& c) {
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;  // EOF: the partner is done
  }
}

Status make_pipe(ScopedFd& r, ScopedFd& w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return last_errno_status("pipe2 for the ping-pong");
  r.reset(fds[0]);
  w.reset(fds[1]);
  return Status::ok();
}

// The partner echoes every byte until the caller closes its pipe.
[[noreturn]] void echo(int in, int out) {
  ::prctl(PR_SET_NAME, "pingpong-b", 0, 0, 0);
  char c = 0;
  while (read_byte(in, c)) {
    if (!write_byte(out, c)) break;
  }
  ::_exit(0);
}

}  // namespace

Result<PingPongResult> run_pipe_pingpong(const PingPongOptions& options) {
  if (options.rounds == 0 && options.seconds <= 0) {
    return invalid_argument("ping-pong needs a number of rounds or a duration");
  }
  ScopedFd to_b_r, to_b_w, to_a_r, to_a_w;
  KTEL_TRY(make_pipe(to_b_r, to_b_w));
  KTEL_TRY(make_pipe(to_a_r, to_a_w));
  std::array<char, 16> old_name{};
  ::prctl(PR_GET_NAME, old_name.data(), 0, 0, 0);
  pid_t child = ::fork();
  if (child < 0) return last_errno_status("fork the ping-pong partner");
  if (child == 0) {
    to_b_w.reset();
    to_a_r.reset();
    echo(to_b_r.get(), to_a_w.get());
  }
  to_b_r.reset();
  to_a_w.reset();
  ::prctl(PR_SET_NAME, "pingpong-a", 0, 0, 0);
  PingPongResult result{.pid_a = ::getpid(), .pid_b = child};
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(options.seconds));
  bool ok = true;
  char c = 'x';
  while (ok) {
    if (options.rounds != 0 ? result.rounds >= options.rounds
                            : (result.rounds % 256 == 0 && Clock::now() >= until)) {
      break;
    }
    ok = write_byte(to_b_w.get(), c) && read_byte(to_a_r.get(), c);
    if (ok) ++result.rounds;
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  to_b_w.reset();
  int wstatus = 0;
  while (::waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
  }
  ::prctl(PR_SET_NAME, old_name.data(), 0, 0, 0);
  if (!ok) return internal_error("the ping-pong partner stopped early");
  return result;
}

}  // namespace ktel
