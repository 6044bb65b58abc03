// Finding episodes under a directory and describing them one line each
// (`ktel ls`): meta.json for the facts, done.marker for completeness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/meta.h"

namespace ktel {

struct EpisodeListing {
  std::string dir;
  bool complete = false;            // done.marker present
  std::optional<EpisodeMeta> meta;  // absent when meta.json is broken or missing
  Status error;                     // why meta is absent
};

// Every direct subdirectory of `root` holding meta.json or episode.db, sorted
// by name (ULIDs sort by start time); `root` itself when it is an episode.
// Other directories are skipped. kNotFound naming `root` when it is missing.
Result<std::vector<EpisodeListing>> list_episodes(const std::string& root);

std::string format_listing_header();
// One line (no newline): id, local start time, status, rows, losses,
// INCOMPLETE when done.marker is absent, target. A broken meta.json gives
// "<dir>/meta.json: <error>".
std::string format_listing(const EpisodeListing& listing);

// "2024-05-01T12:00:00+0200" in the local time zone.
std::string format_local_time(int64_t wall_ns);
// argv joined with spaces (terminal-safe), or "pid N (comm)".
std::string describe_target(const TargetMeta& target);
uint64_t total_rows(const EpisodeMeta& meta);
// Sum of every source's lost counter plus rows the sink dropped.
uint64_t total_losses(const EpisodeMeta& meta);

}  // namespace ktel
