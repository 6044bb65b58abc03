// The episode clock: one origin (CLOCK_MONOTONIC and CLOCK_REALTIME read back to
// back) so every row carries t_mono_ns relative to the origin and an absolute
// t_wall_ns. Kernel timestamps on CLOCK_MONOTONIC convert with from_mono_abs().
#pragma once

#include <cstdint>

namespace ktel {

int64_t monotonic_now_ns();  // absolute CLOCK_MONOTONIC
int64_t realtime_now_ns();   // absolute CLOCK_REALTIME

struct Stamp {
  int64_t mono_ns = 0;  // since the episode origin
  int64_t wall_ns = 0;  // Unix epoch ns
};

class EpisodeClock {
 public:
  // Reads the origin now. The pair is taken with the realtime read bracketed by
  // two monotonic reads and the midpoint kept, so the pair is accurate to the
  // smallest of three attempts.
  static EpisodeClock start_now();
  EpisodeClock(int64_t origin_mono_ns, int64_t origin_wall_ns)
      : origin_mono_ns_(origin_mono_ns), origin_wall_ns_(origin_wall_ns) {}

  Stamp now() const { return from_mono_abs(monotonic_now_ns()); }
  // Converts an absolute CLOCK_MONOTONIC timestamp (kernel, perf, BPF).
  Stamp from_mono_abs(int64_t mono_abs_ns) const {
    int64_t rel = mono_abs_ns - origin_mono_ns_;
    return {rel, origin_wall_ns_ + rel};
  }
  int64_t origin_mono_ns() const { return origin_mono_ns_; }
  int64_t origin_wall_ns() const { return origin_wall_ns_; }

 private:
  int64_t origin_mono_ns_;
  int64_t origin_wall_ns_;
};

}  // namespace ktel
