// Pipe ping-pong: two processes ("pingpong-a" and "pingpong-b") pass one byte
// back and forth over two pipes. Every round trip is at least two context
// switches between the two pids, which makes it the scheduler tracer's
// reference workload (tests count switches; benchmarks drive ~500k events/s).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/status.h"

namespace ktel {

struct PingPongOptions {
  uint64_t rounds = 0;      // stop after this many round trips (0 = use seconds)
  double seconds = 0;       // or after this long
};

struct PingPongResult {
  uint64_t rounds = 0;
  double seconds = 0;
  pid_t pid_a = 0;  // the caller
  pid_t pid_b = 0;  // the forked partner
  double rounds_per_second() const { return seconds > 0 ? rounds / seconds : 0; }
};

// Runs in the calling process (renamed "pingpong-a" for the duration) and one
// forked child ("pingpong-b"), which it reaps before returning.
Result<PingPongResult> run_pipe_pingpong(const PingPongOptions& options);

}  // namespace ktel
