// StopSignal: how a source tells its worker threads to stop. The workers
// sleep between rounds in wait_for/wait_until, which return early, with true,
// once request() was called; stop_and_join() is the owner's side.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace ktel {

class StopSignal {
 public:
  // Sets the signal and wakes every waiter; later calls change nothing.
  void request() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }
  bool requested() const {
    std::lock_guard lock(mu_);
    return stop_;
  }
  // Sleeps until `deadline` or the request, whichever comes first; true when
  // the stop was requested.
  template <typename Clock, typename Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [this] { return stop_; });
  }
  template <typename Rep, typename Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return stop_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// Requests the stop and waits for `thread`, when it runs.
inline void stop_and_join(StopSignal& stop, std::thread& thread) {
  stop.request();
  if (thread.joinable()) thread.join();
}

}  // namespace ktel
