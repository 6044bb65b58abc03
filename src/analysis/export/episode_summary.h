// The human summary of one episode (`ktel show`): meta.json facts, per-source
// status, lifecycle events from the events table, losses, table row counts.
#pragma once

#include <string>

#include "analysis/export/output.h"

namespace ktel {

struct SummaryOptions {
  size_t max_events = 200;  // further events are counted, not printed
};

// Fails when meta.json is unreadable; a missing or unreadable episode.db is
// reported inside the summary (a crashed recording still has a story).
Status write_episode_summary(const std::string& episode_dir, Output& out,
                             const SummaryOptions& options = {});

}  // namespace ktel
