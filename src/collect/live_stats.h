// Progress of a run while it records: the sched source's newest capture_stats
// row per CPU, read from the episode being written (a WAL reader never blocks
// the recorder).
#pragma once

#include <cstdint>
#include <string>

namespace ktel::collect {

struct LiveStats {
  uint64_t events = 0;  // the kernel's "read events", summed over CPUs
  uint64_t lost = 0;    // overrun + commit overrun + dropped, summed over CPUs
};

// Zeros while the episode or its table does not exist yet.
LiveStats read_live_stats(const std::string& episode_dir);

}  // namespace ktel::collect
