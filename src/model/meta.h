// EpisodeMeta: the contents of <episode>/meta.json (docs/formats/episode.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace ktel {

inline constexpr int kEpisodeSchemaVersion = 1;

struct SourceMeta {
  std::string status;  // ok | no_data | unavailable | failed | not_requested
  uint64_t rows = 0;
  uint64_t lost = 0;
  std::string reason;  // empty when ok
  nlohmann::json details = nlohmann::json::object();  // source-specific
};

struct HostMeta {
  std::string hostname;
  std::string kernel_release;
  std::string kernel_version;
  std::string machine;
  int cpus = 0;
  long clk_tck = 0;
  long page_size = 0;
};

struct TargetMeta {
  std::string kind;  // command | pid
  std::vector<std::string> argv;
  int64_t pid = 0;
  std::string comm;  // for attach
  std::optional<uint32_t> run_as_uid;
  std::optional<uint32_t> run_as_gid;
};

struct ExitMeta {
  std::optional<int> code;    // the workload's exit code, when it exited
  std::optional<int> signal;  // the signal that killed it
  int ktel_exit_code = 0;
};

struct EpisodeMeta {
  int schema_version = kEpisodeSchemaVersion;
  std::string id;
  std::string status;  // running | complete | failed | interrupted
  std::string ktel_version;
  HostMeta host;
  TargetMeta target;
  int64_t origin_mono_ns = 0;
  int64_t origin_wall_ns = 0;
  int64_t start_wall_ns = 0;
  std::optional<int64_t> end_wall_ns;
  std::optional<int64_t> duration_ns;
  ExitMeta exit;
  std::map<std::string, SourceMeta> sources;
  std::map<std::string, std::string> labels;
  nlohmann::json options = nlohmann::json::object();
  uint64_t sink_dropped_rows = 0;
  std::string error;  // why status is failed, when it is

  nlohmann::json to_json() const;
  static Result<EpisodeMeta> from_json(const nlohmann::json& j);
};

// Reads <dir>/meta.json; errors name the file and the bad field.
Result<EpisodeMeta> read_meta(const std::string& episode_dir);
Status write_meta(const std::string& episode_dir, const EpisodeMeta& meta);

HostMeta read_host_meta();

}  // namespace ktel
