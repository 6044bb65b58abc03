#include "base/clock.h"

#include <time.h>

namespace ktel {
namespace {
int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

int64_t monotonic_now_ns() { return read_clock(CLOCK_MONOTONIC); }
int64_t realtime_now_ns() { return read_clock(CLOCK_REALTIME); }

EpisodeClock EpisodeClock::start_now() {
  int64_t best_gap = INT64_MAX;
  int64_t best_mono = 0;
  int64_t best_wall = 0;
  for (int i = 0; i < 3; ++i) {
    int64_t m1 = monotonic_now_ns();
    int64_t w = realtime_now_ns();
    int64_t m2 = monotonic_now_ns();
    if (m2 - m1 < best_gap) {
      best_gap = m2 - m1;
      best_mono = m1 + (m2 - m1) / 2;
      best_wall = w;
    }
  }
  return EpisodeClock(best_mono, best_wall);
}

}  // namespace ktel
