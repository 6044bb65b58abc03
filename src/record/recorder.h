// Recorder: one episode from start to done.marker. Creates the episode
// directory, starts the workload held before exec, starts the sources, lets the
// workload run, handles --duration and SIGINT/SIGTERM, stops the sources while
// the workload is still an unreaped zombie (so final counters are sampled),
// finalizes meta.json and writes done.marker last.
#pragma once

#include <string>

#include "ktel/record_options.h"
#include "model/meta.h"
#include "sources/registry.h"

namespace ktel {

struct RecordOutcome {
  int exit_code = kRecordExitKtelFailed;
  std::string episode_dir;  // empty when no episode was created
  EpisodeMeta meta;
  std::string error;  // why ktel failed, for the terminal
};

class Recorder {
 public:
  Recorder(const SourceRegistry& registry, RecordOptions options)
      : registry_(registry), options_(std::move(options)) {}

  // Runs the whole episode. Must be called from the main thread before other
  // threads exist (it blocks SIGINT/SIGTERM for a signalfd). Not reentrant.
  RecordOutcome run();

 private:
  const SourceRegistry& registry_;
  RecordOptions options_;
};

// Checks --sources/--require against the registry; returns the sources to run
// in registry order (required ones included).
Result<std::vector<std::string>> select_sources(const SourceRegistry& registry,
                                                const RecordOptions& options);

}  // namespace ktel
