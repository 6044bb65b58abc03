// The waiting phase of a recording: workload exit, --duration and signals,
// multiplexed with poll() over the target's pidfd and a signalfd.
#include <poll.h>
#include <signal.h>

#include <fmt/format.h>

#include "record/session.h"

namespace ktel {

namespace {
// Upper bound on waiting for a SIGKILLed workload to disappear (a task stuck in
// uninterruptible sleep can outlive SIGKILL for a while).
constexpr int64_t kKillWaitNs = 5'000'000'000;
}  // namespace

void RecordSession::stop_workload(bool immediately) {
  if (!child_) return;
  (void)child_->send_signal(immediately ? SIGKILL : SIGTERM);
}

void RecordSession::handle_signal(const ReceivedSignal& sig, int64_t& deadline_ns, bool& killed) {
  ++signals_seen_;
  if (first_signal_ == 0) first_signal_ = sig.signo;
  events_->emit("record", "signal_received",
                {{"signal", sig.signo}, {"count", signals_seen_},
                 {"from_terminal", sig.from_terminal()}, {"sender_pid", sig.sender}});
  if (!child_) return;
  int64_t now = monotonic_now_ns();
  if (signals_seen_ == 1) {
    // A terminal's Ctrl-C already reached the workload (same process group);
    // a signal sent to ktel alone is passed on so the workload can clean up.
    if (!sig.from_terminal()) (void)child_->send_signal(sig.signo);
    deadline_ns = now + options_.stop_grace_ns;
  } else {
    events_->emit("record", "workload_killed",
                  {{"pid", target_pid_}, {"reason", "second signal: stopping without grace"}});
    stop_workload(/*immediately=*/true);
    killed = true;
    deadline_ns = now + kKillWaitNs;
  }
}

StopReason RecordSession::wait() {
  const int target_fd = child_ ? child_->pidfd() : attach_pidfd_.get();
  int64_t duration_deadline =
      options_.duration_ns ? clock_.origin_mono_ns() + *options_.duration_ns : INT64_MAX;
  int64_t stop_deadline = INT64_MAX;  // set once we asked the workload to stop
  bool duration_hit = false;
  bool killed = false;
  for (;;) {
    int64_t now = monotonic_now_ns();
    int64_t next = std::min(duration_hit ? INT64_MAX : duration_deadline, stop_deadline);
    int timeout_ms = next == INT64_MAX ? -1 : static_cast<int>(std::max<int64_t>(0, (next - now + 999'999) / 1'000'000));
    pollfd fds[2] = {{target_fd, POLLIN, 0}, {signals_->fd(), POLLIN, 0}};
    int rc = ::poll(fds, 2, timeout_ms);
    if (rc < 0 && errno != EINTR) {
      events_->emit("record", "record_error", {{"error", last_errno_status("poll").to_string()}});
      return StopReason::kFailed;
    }
    if (rc > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      if (signals_seen_ > 0) return StopReason::kSignal;
      return duration_hit ? StopReason::kDuration : StopReason::kWorkloadExited;
    }
    if (rc > 0 && (fds[1].revents & POLLIN) != 0) {
      while (true) {
        auto sig = signals_->read();
        if (!sig.is_ok() || !sig->has_value()) break;
        handle_signal(**sig, stop_deadline, killed);
      }
      // Attached targets are not ours to stop: end the recording now.
      if (!child_ && signals_seen_ > 0) return StopReason::kSignal;
      continue;
    }
    now = monotonic_now_ns();
    if (!duration_hit && now >= duration_deadline) {
      duration_hit = true;
      events_->emit("record", "duration_reached", {{"duration_ns", *options_.duration_ns}});
      if (!child_) return StopReason::kDuration;
      stop_workload(/*immediately=*/false);
      stop_deadline = now + options_.stop_grace_ns;
      continue;
    }
    if (now >= stop_deadline) {
      if (!killed) {
        events_->emit("record", "workload_killed",
                      {{"pid", target_pid_}, {"reason", "did not exit within the stop grace period"}});
        stop_workload(/*immediately=*/true);
        killed = true;
        stop_deadline = now + kKillWaitNs;
        continue;
      }
      events_->emit("record", "record_error",
                    {{"error", fmt::format("workload pid {} survived SIGKILL for {} s", target_pid_,
                                           kKillWaitNs / 1'000'000'000)}});
      return signals_seen_ > 0 ? StopReason::kSignal : StopReason::kFailed;
    }
  }
}

}  // namespace ktel
